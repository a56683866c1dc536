"""Appraisal indicator systems (versioned) and their weighted indicators."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.validators import limited

from .base import HUNDRED, TWO_PLACES, AppraisalError, plain


class IndicatorCategory(models.TextChoices):
    SUPPLY_RELIABILITY = "supply_reliability", _("Supply reliability")
    VOLTAGE_QUALITY = "voltage_quality", _("Voltage quality")
    BILLING_SERVICE = "billing_service", _("Billing service")
    NEW_CONNECTIONS = "new_connections", _("New connections")
    COMPLAINT_HANDLING = "complaint_handling", _("Complaint handling")
    TRAINING = "training", _("Training")
    DRILLS = "drills", pgettext_lazy("careers", "Drills")
    CONDUCT = "conduct", _("Conduct")


class Subject(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    DEPARTMENT = "department", _("Department")


class IndicatorSystem(models.Model):
    """A version of the appraisal rules (考核指标体系); indicators change only in a draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("In force")
        RETIRED = "retired", _("Retired")

    name = models.CharField(pgettext_lazy("careers", "name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(
        pgettext_lazy("careers", "description"), blank=True, **limited(2000)
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="careers_system_version")
        ]

    def __str__(self):
        return _("%(name)s v%(version)s") % {"name": self.name, "version": self.version}

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    def activate(self):
        if self.status != self.Status.DRAFT:
            raise AppraisalError(_("Only a draft indicator system can be put in force."))
        self.status = self.Status.ACTIVE

    def retire(self):
        if self.status != self.Status.ACTIVE:
            raise AppraisalError(_("Only an indicator system in force can be retired."))
        self.status = self.Status.RETIRED


class Indicator(models.Model):
    """One weighted appraisal rule: how a value becomes a score out of 100."""

    class Rule(models.TextChoices):
        LINEAR = "linear", _("Linear between thresholds")
        PASS_FAIL = "pass_fail", _("Pass or fail")
        DEDUCTION = "deduction", _("Deduction per occurrence")
        DIRECT = "direct", _("Direct score")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual entry")
        IMPORT = "import", _("Spreadsheet import")
        HOOK = "hook", _("Computed by an app")

    system = models.ForeignKey(
        IndicatorSystem,
        verbose_name=_("indicator system"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(pgettext_lazy("careers", "name"), max_length=100)
    category = models.CharField(
        pgettext_lazy("careers", "category"), max_length=32, choices=IndicatorCategory.choices
    )
    subject = models.CharField(
        pgettext_lazy("careers", "subject"), max_length=16, choices=Subject.choices
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Share of the total score; the weights of a system add up to 100."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Pass or fail: a value that reaches the target passes."),
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    rule = models.CharField(_("scoring rule"), max_length=16, choices=Rule.choices)
    threshold_low = models.DecimalField(
        _("zero-score threshold"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Linear rule: the value that scores 0."),
    )
    threshold_high = models.DecimalField(
        _("full-score threshold"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Linear rule: the value that scores 100."),
    )
    deduction_per_occurrence = models.DecimalField(
        _("deduction per occurrence"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    floor_score = models.DecimalField(
        _("lowest score"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    min_value = models.DecimalField(
        _("smallest allowed value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest allowed value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(
        pgettext_lazy("careers", "source"),
        max_length=16,
        choices=Source.choices,
        default=Source.IMPORT,
    )
    source_key = models.CharField(
        _("source key"),
        max_length=100,
        blank=True,
        help_text=_("For values computed by an app: the key of its indicator source."),
    )
    description = models.TextField(
        pgettext_lazy("careers", "description"), blank=True, **limited(2000)
    )

    class Meta:
        verbose_name = pgettext_lazy("careers", "indicator")
        verbose_name_plural = _("indicators")
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="careers_indicator_code")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.rule == self.Rule.LINEAR:
            if self.threshold_low is None or self.threshold_high is None:
                errors["threshold_high"] = _("A linear rule needs both thresholds.")
            elif self.threshold_low == self.threshold_high:
                errors["threshold_high"] = _("The two thresholds must differ.")
        if self.rule == self.Rule.PASS_FAIL and self.target is None:
            errors["target"] = _("A pass-or-fail rule needs a target.")
        if self.rule == self.Rule.DEDUCTION and not self.deduction_per_occurrence:
            errors["deduction_per_occurrence"] = _("Say how many points one occurrence costs.")
        if self.source == self.Source.HOOK and not self.source_key:
            errors["source_key"] = _("Choose the indicator source that computes the value.")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = _("The largest value is below the smallest.")
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = _("The weight must be above zero.")
        if errors:
            raise ValidationError(errors)

    def value_error(self, value):
        """Why ``value`` is out of this indicator's range, or None."""
        if self.min_value is not None and value < self.min_value:
            return _("%(value)s is below the smallest allowed value %(min)s") % {
                "value": value,
                "min": plain(self.min_value),
            }
        if self.max_value is not None and value > self.max_value:
            return _("%(value)s is above the largest allowed value %(max)s") % {
                "value": value,
                "max": plain(self.max_value),
            }
        return None

    def score(self, value: Decimal) -> Decimal:
        """The score out of 100 that ``value`` earns under this indicator's rule."""
        if self.rule == self.Rule.LINEAR:
            low, high = self.threshold_low, self.threshold_high
            fraction = (value - low) / (high - low)
            raw = max(Decimal(0), min(Decimal(1), fraction)) * HUNDRED
        elif self.rule == self.Rule.PASS_FAIL:
            passed = value >= self.target if self.higher_is_better else value <= self.target
            raw = HUNDRED if passed else Decimal(0)
        elif self.rule == self.Rule.DEDUCTION:
            raw = max(self.floor_score, HUNDRED - self.deduction_per_occurrence * value)
        else:
            raw = max(Decimal(0), min(HUNDRED, value))
        return raw.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    def rule_text(self):
        """The rule in words, for the breakdown employees read."""
        if self.rule == self.Rule.LINEAR:
            return _("0 points at %(low)s, 100 points at %(high)s, linear in between") % {
                "low": plain(self.threshold_low),
                "high": plain(self.threshold_high),
            }
        if self.rule == self.Rule.PASS_FAIL:
            template = (
                _("100 points when at least %(target)s, otherwise 0")
                if self.higher_is_better
                else _("100 points when at most %(target)s, otherwise 0")
            )
            return template % {"target": plain(self.target)}
        if self.rule == self.Rule.DEDUCTION:
            return _("100 points less %(points)s per occurrence, never below %(floor)s") % {
                "points": plain(self.deduction_per_occurrence),
                "floor": plain(self.floor_score),
            }
        return _("The value is the score (0 to 100)")
