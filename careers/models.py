"""Careers: appraisal (indicator systems, periods, values, results, audit) and the records HR keeps.

Appraisal in one paragraph: an ``IndicatorSystem`` version holds weighted ``Indicator`` rules; an
``AppraisalPeriod`` pins one version and walks open → collecting → calculated → frozen →
published; ``IndicatorValue`` rows carry each subject's value with its provenance; the calculation
(``services.appraisal_period_calculate``) turns every value of the period into
``AppraisalResult`` rows set-wise; after freezing, every change is written to ``AppraisalAudit``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.exceptions import DomainError
from lms.roles import Role, ScopedQuerySet
from lms.validators import NO_NUL, limited

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def plain(value) -> str:
    """A decimal without trailing zeros or exponent: 100, 99.9, 0.5."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class AppraisalError(DomainError):
    """An illegal move in the appraisal process; the message is for the user."""


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


class AppraisalPeriodQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=AppraisalPeriod.Status.PUBLISHED)


class AppraisalPeriod(models.Model):
    """A month, quarter or year of appraisal, with its life from open to published."""

    class Kind(models.TextChoices):
        MONTH = "month", pgettext_lazy("careers", "Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("careers", "Open")
        COLLECTING = "collecting", _("Collecting values")
        CALCULATED = "calculated", _("Calculated")
        FROZEN = "frozen", _("Frozen")
        PUBLISHED = "published", _("Published")

    name = models.CharField(pgettext_lazy("careers", "name"), max_length=100)
    system = models.ForeignKey(
        IndicatorSystem,
        verbose_name=_("indicator system"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    kind = models.CharField(pgettext_lazy("careers", "kind"), max_length=16, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    calculated_at = models.DateTimeField(_("calculated"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    published_at = models.DateTimeField(
        pgettext_lazy("careers", "published"), null=True, blank=True
    )

    objects = AppraisalPeriodQuerySet.as_manager()

    # Its status changes inside the set-wise calculation; keep the reference index out of it.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("appraisal period")
        verbose_name_plural = _("appraisal periods")
        ordering = ["-start", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start and self.end and self.start > self.end:
            raise ValidationError({"end": _("The period ends before it starts.")})

    # Values may be imported or entered freely until the period is frozen; later changes go
    # through ``services.indicator_value_correct`` with a reason.
    @property
    def accepts_values(self):
        return self.status in (self.Status.OPEN, self.Status.COLLECTING, self.Status.CALCULATED)

    @property
    def is_locked(self):
        return self.status in (self.Status.FROZEN, self.Status.PUBLISHED)

    def _move(self, allowed_from, to, message):
        if self.status not in allowed_from:
            raise AppraisalError(message % {"status": self.get_status_display()})
        self.status = to

    def start_collecting(self):
        self._move(
            (self.Status.OPEN, self.Status.CALCULATED),
            self.Status.COLLECTING,
            _("A period that is %(status)s cannot collect values."),
        )

    def mark_calculated(self):
        if self.system.status == IndicatorSystem.Status.DRAFT:
            raise AppraisalError(_("Put the indicator system in force before calculating."))
        self._move(
            (self.Status.OPEN, self.Status.COLLECTING, self.Status.CALCULATED),
            self.Status.CALCULATED,
            _("A period that is %(status)s cannot be calculated again; correct values instead."),
        )
        self.calculated_at = timezone.now()

    def freeze(self):
        self._move(
            (self.Status.CALCULATED,),
            self.Status.FROZEN,
            _("Only a calculated period can be frozen; this one is %(status)s."),
        )
        self._require_results(_("There is nothing to freeze: %(period)s has no results."))
        self._require_complete(_("%(period)s cannot be frozen yet: it is incomplete."))
        self.frozen_at = timezone.now()

    def publish(self):
        self._move(
            (self.Status.FROZEN,),
            self.Status.PUBLISHED,
            _("Only a frozen period can be published; this one is %(status)s."),
        )
        self._require_results(_("There is nothing to publish: %(period)s has no results."))
        self._require_complete(_("%(period)s cannot be published: it is incomplete."))
        self.published_at = timezone.now()

    def _require_results(self, message):
        """An empty period (no values, so no results) is never frozen or published: employees
        would read a result page with nothing on it."""
        if not self.results.exists():
            raise AppraisalError(
                message % {"period": self.name}
                + " "
                + _("Import or enter indicator values, then calculate again.")
            )

    def missing_indicators(self):
        """The indicators of the period's system without a single value in the period.

        A period is *complete* when every indicator has at least one value (a zero counts: no
        complaints is a value); an indicator with none was never collected, and a score
        computed without it would silently shift the weights onto the others.
        """
        return self.system.indicators.exclude(
            pk__in=IndicatorValue.objects.filter(period=self).values("indicator_id")
        ).order_by("code")

    def _require_complete(self, message):
        """An incomplete period is never frozen or published (frozen, it could no longer take
        the missing values)."""
        missing = list(self.missing_indicators())
        if missing:
            raise AppraisalError(
                message % {"period": self.name}
                + " "
                + _("No values for: %(indicators)s. Import or enter them, then calculate again.")
                % {"indicators": ", ".join(f"{i.code} {i.name}" for i in missing)}
            )

    def unpublish(self):
        self._move(
            (self.Status.PUBLISHED,),
            self.Status.FROZEN,
            _("Only a published period can be withdrawn; this one is %(status)s."),
        )
        self.published_at = None


class IndicatorValueQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})


class IndicatorValue(models.Model):
    """One subject's value of one indicator in one period, with where it came from."""

    # Written set-wise in bulk; Wagtail's reference index must not fetch rows one by one.
    wagtail_reference_index_ignore = True

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=pgettext_lazy("careers", "indicator"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    value = models.DecimalField(pgettext_lazy("careers", "value"), max_digits=12, decimal_places=4)
    source = models.CharField(
        pgettext_lazy("careers", "source"), max_length=16, choices=Indicator.Source.choices
    )
    # [[label, url], ...]: the records behind the value, shown to the employee.
    records = models.JSONField(_("source records"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["period", "indicator", "employee", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "employee"],
                condition=Q(employee__isnull=False),
                name="careers_value_employee",
            ),
            models.UniqueConstraint(
                fields=["period", "indicator", "department"],
                condition=Q(department__isnull=False),
                name="careers_value_department",
            ),
            models.CheckConstraint(
                condition=Q(employee__isnull=True, department__isnull=False)
                | Q(employee__isnull=False, department__isnull=True),
                name="careers_value_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.subject_label}: {plain(self.value)}"

    @property
    def subject_label(self):
        return str(self.employee or self.department)

    @property
    def record_links(self):
        return [{"label": label, "url": url} for label, url in self.records or []]


class AppraisalResultQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})

    def published(self):
        return self.filter(period__status=AppraisalPeriod.Status.PUBLISHED)


class AppraisalResult(models.Model):
    """An employee's calculated appraisal for a period: score, grade, rank and breakdown."""

    # Written set-wise in bulk; Wagtail's reference index must not fetch rows one by one.
    wagtail_reference_index_ignore = True

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="results"
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="appraisal_results",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="appraisal_results",
        help_text=_("The employee's department when the result was calculated."),
    )
    total_score = models.DecimalField(_("total score"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=8)
    rank_in_department = models.PositiveIntegerField(_("rank in department"))
    department_size = models.PositiveIntegerField(_("people ranked in department"))
    bonus_coefficient = models.DecimalField(_("bonus coefficient"), max_digits=5, decimal_places=2)
    # [{"indicator": id, "value": "…", "score": "…", "weighted": "…", "value_id": id}, ...]
    breakdown = models.JSONField(_("breakdown"), default=list)
    calculated_at = models.DateTimeField(_("calculated"))

    objects = AppraisalResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal result")
        verbose_name_plural = _("appraisal results")
        ordering = ["period", "department", "rank_in_department"]
        constraints = [
            models.UniqueConstraint(fields=["period", "employee"], name="careers_result_employee")
        ]

    def __str__(self):
        return f"{self.period} · {self.employee}: {self.total_score} ({self.grade})"


class AppraisalAuditQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})


class AppraisalAudit(models.Model):
    """Who changed what in a frozen or published period, when, and why."""

    # Written set-wise in bulk; Wagtail's reference index must not fetch rows one by one.
    wagtail_reference_index_ignore = True

    class Action(models.TextChoices):
        VALUE_CHANGED = "value_changed", _("Value corrected")
        RESULT_CHANGED = "result_changed", _("Result recalculated")

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="audits"
    )
    action = models.CharField(
        pgettext_lazy("careers", "action"), max_length=20, choices=Action.choices
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=pgettext_lazy("careers", "indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.CharField(_("before"), max_length=200, blank=True)
    after = models.CharField(_("after"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), **limited(2000))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = AppraisalAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal audit entry")
        verbose_name_plural = _("appraisal audit entries")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.before} → {self.after}"


# ---------------------------------------------------------------------------------------------
# Training archive (一人一档)


class HoursKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    COMPULSORY = "compulsory", _("Compulsory")
    GENERAL = "general", _("General")


class TrainingHoursRule(models.Model):
    """How an archive record of one category counts towards the yearly training hours (学时)."""

    category = models.CharField(_("record category"), max_length=32, unique=True)
    counts_as = models.CharField(_("counts as"), max_length=16, choices=HoursKind.choices)
    factor = models.DecimalField(
        _("factor"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        help_text=_("Recorded hours are multiplied by this (e.g. 0.5 for self-study)."),
    )
    default_hours = models.DecimalField(
        _("hours when none are recorded"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Hours credited for a record that carries no hours of its own."),
    )
    no_hours_for = models.JSONField(
        _("earns no hours when"),
        default=list,
        blank=True,
        help_text=_("Records of this category with one of these outcomes earn no hours."),
    )

    class Meta:
        verbose_name = _("training-hours rule")
        verbose_name_plural = _("training-hours rules")
        ordering = ["category"]

    def __str__(self):
        return f"{self.category_label} → {self.get_counts_as_display()}"

    @property
    @admin.display(description=_("record category"))
    def category_label(self):
        from lms.hooks import ArchiveCategory

        try:
            return ArchiveCategory(self.category).label
        except ValueError:
            return self.category

    def credit(self, hours, outcome=""):
        """The hours a record earns: none for an outcome the rule names, else its own hours
        times the factor, or the default for a record without hours of its own."""
        if outcome and outcome in self.no_hours_for:
            return Decimal(0)
        if hours is None:
            return self.default_hours
        return (Decimal(hours) * self.factor).quantize(Decimal("0.1"))

    @property
    @admin.display(description=_("earns no hours when"))
    def no_hours_for_labels(self):
        from lms.hooks import ArchiveOutcome

        labels = dict(ArchiveOutcome.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.no_hours_for) or "—"


# ---------------------------------------------------------------------------------------------
# Development plans


class CareersError(AppraisalError):
    """An illegal move on a development plan or rotation; the message is for the user."""


def management_line_ids(department) -> set[int]:
    """Employee ids of the managers of ``department`` and of every department above it."""
    from lms.models import Department

    steplen = Department.steplen
    paths = [department.path[:end] for end in range(len(department.path), 0, -steplen)]
    return set(
        Department.objects.filter(path__in=paths, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )


class PositionTemplate(models.Model):
    """What a position asks for: skills and courses that pre-fill a development plan."""

    position = models.OneToOneField(
        "lms.Position",
        verbose_name=pgettext_lazy("careers", "position"),
        on_delete=models.CASCADE,
        related_name="development_template",
    )
    required_skills = models.TextField(
        _("required skills"),
        blank=True,
        help_text=_("One skill per line."),
        **limited(4000),
    )
    required_courses = models.TextField(
        _("required courses"),
        blank=True,
        help_text=_("One course title per line."),
        **limited(4000),
    )

    class Meta:
        verbose_name = _("position template")
        verbose_name_plural = _("position templates")

    def __str__(self):
        return str(self.position)

    @staticmethod
    def _lines(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def skills(self):
        return self._lines(self.required_skills)

    @property
    def courses(self):
        return self._lines(self.required_courses)


class DevelopmentPlanQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})


class DevelopmentPlan(models.Model):
    """An employee's career development plan (职业发展规划) for a year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", pgettext_lazy("careers", "Approved")
        REVIEWED = "reviewed", _("Reviewed")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="development_plans",
    )
    year = models.PositiveIntegerField(_("year"))
    target_position = models.ForeignKey(
        "lms.Position",
        verbose_name=_("target position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mentor = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=pgettext_lazy("careers", "approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review = models.TextField(_("yearly review"), blank=True, **limited(4000))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DevelopmentPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-year", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="careers_plan_year")
        ]

    def __str__(self):
        return _("%(name)s's development plan %(year)s") % {
            "name": self.employee.name,
            "year": self.year,
        }

    def submit(self):
        if self.status != self.Status.DRAFT:
            raise CareersError(_("Only a draft plan can be submitted."))
        self.status = self.Status.SUBMITTED

    def approve(self, approver):
        if self.status != self.Status.SUBMITTED:
            raise CareersError(_("Only a submitted plan can be approved."))
        if approver is None or approver.pk == self.employee_id:
            raise CareersError(_("Nobody approves their own development plan."))
        if approver.pk not in management_line_ids(self.employee.department):
            raise CareersError(
                _("Only a manager in %(name)s's management line can approve this plan.")
                % {"name": self.employee.name}
            )
        self.status = self.Status.APPROVED
        self.approved_by = approver
        self.approved_at = timezone.now()

    def return_to_draft(self):
        if self.status != self.Status.SUBMITTED:
            raise CareersError(_("Only a submitted plan can be sent back."))
        self.status = self.Status.DRAFT

    def close_with_review(self, text):
        if self.status != self.Status.APPROVED:
            raise CareersError(_("Only an approved plan can get its yearly review."))
        if not (text or "").strip():
            raise ValidationError({"review": _("Write the review.")})
        self.review = text.strip()
        self.reviewed_at = timezone.now()
        self.status = self.Status.REVIEWED


class DevelopmentGoal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", pgettext_lazy("careers", "Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("careers", "In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    description = models.CharField(_("goal"), max_length=200, validators=NO_NUL)
    measure = models.CharField(
        _("measure of success"), max_length=200, blank=True, validators=NO_NUL
    )
    due_date = models.DateField(pgettext_lazy("careers", "due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )

    class Meta:
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description

    @property
    def is_overdue(self):
        return (
            self.due_date is not None
            and self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )


class PlannedCourse(models.Model):
    """A course the plan counts on; done once the archive shows a completion of that title."""

    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.CASCADE,
        related_name="planned_courses",
    )
    title = models.CharField(_("course"), max_length=200)

    class Meta:
        verbose_name = _("planned course")
        verbose_name_plural = _("planned courses")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class CheckIn(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.PROTECT,
        related_name="check_ins",
    )
    author = models.ForeignKey(
        "lms.Employee", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), **limited(2000))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in note")
        verbose_name_plural = _("check-in notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.note[:40]


# ---------------------------------------------------------------------------------------------
# Job rotation


class RotationProgramme(models.Model):
    name = models.CharField(pgettext_lazy("careers", "name"), max_length=100)
    description = models.TextField(
        pgettext_lazy("careers", "description"), blank=True, **limited(4000)
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rotation programme")
        verbose_name_plural = _("rotation programmes")
        ordering = ["-start", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start and self.end and self.start > self.end:
            raise ValidationError({"end": _("The programme ends before it starts.")})


class RotationAssignmentQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})

    def blocking(self):
        """Assignments that occupy their dates (not cancelled)."""
        return self.exclude(status=RotationAssignment.Status.CANCELLED)


class RotationAssignment(models.Model):
    """One employee's rotation (岗位轮换) from one post to another for a stretch of time."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("careers", "Planned")
        ACTIVE = "active", pgettext_lazy("careers", "Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        RotationProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="rotations",
    )
    from_department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("from department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_position = models.ForeignKey(
        "lms.Position", verbose_name=_("from position"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("to department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_position = models.ForeignKey(
        "lms.Position", verbose_name=_("to position"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    mentor = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_rotations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    evaluation_comment = models.TextField(_("evaluation"), blank=True, **limited(4000))
    evaluated_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("evaluated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)

    objects = RotationAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("rotation assignment")
        verbose_name_plural = _("rotation assignments")
        ordering = ["-start", "employee"]

    def __str__(self):
        return f"{self.employee.name}: {self.from_position} → {self.to_position}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.start > self.end:
            errors["end"] = _("The rotation ends before it starts.")
        employee = self.employee if self.employee_id else None
        if employee is not None and self.start:
            if employee.hire_date and self.start < employee.hire_date:
                errors["start"] = _("%(name)s was not yet employed on %(date)s.") % {
                    "name": employee.name,
                    "date": self.start.isoformat(),
                }
            if employee.status == employee.Status.LEFT:
                errors["employee"] = _("%(name)s has left the company.") % {"name": employee.name}
        if errors:
            raise ValidationError(errors)

    @property
    def average_score(self):
        scores = [o.score for o in self.objectives.all() if o.score is not None]
        if not scores:
            return None
        return (sum(scores) / len(scores)).quantize(TWO_PLACES)

    def activate(self):
        if self.status != self.Status.PLANNED:
            raise CareersError(_("Only a planned rotation can start."))
        self.status = self.Status.ACTIVE

    def cancel(self):
        if self.status not in (self.Status.PLANNED, self.Status.ACTIVE):
            raise CareersError(_("A completed rotation cannot be cancelled."))
        self.status = self.Status.CANCELLED

    def complete(self, evaluator):
        if self.status != self.Status.ACTIVE:
            raise CareersError(_("Only an active rotation can be evaluated and completed."))
        if evaluator is None or evaluator.pk not in management_line_ids(self.to_department):
            raise CareersError(
                _("Only a manager of the receiving department can evaluate this rotation.")
            )
        self.status = self.Status.COMPLETED
        self.evaluated_by = evaluator
        self.evaluated_at = timezone.now()


class RotationObjective(models.Model):
    assignment = models.ForeignKey(
        RotationAssignment,
        verbose_name=_("rotation"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    description = models.CharField(_("objective"), max_length=200)
    score = models.DecimalField(
        pgettext_lazy("careers", "score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(pgettext_lazy("careers", "comment"), blank=True, **limited(2000))

    class Meta:
        verbose_name = _("rotation objective")
        verbose_name_plural = _("rotation objectives")
        ordering = ["pk"]

    def __str__(self):
        return self.description


# ---------------------------------------------------------------------------------------------
# Commendation and rectification


class RecognitionQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            kind=Recognition.Kind.RECTIFICATION,
            deadline__lt=today,
            follow_up__in=[Recognition.FollowUp.OPEN, Recognition.FollowUp.IN_PROGRESS],
        )


class Recognition(models.Model):
    """An award, commendation, criticism or rectification order (整改通知) from an appraisal."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        COMMENDATION = "commendation", _("Commendation")
        CRITICISM = "criticism", _("Criticism")
        RECTIFICATION = "rectification", _("Rectification order")

    class FollowUp(models.TextChoices):
        OPEN = "open", pgettext_lazy("careers", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("careers", "In progress")
        DONE = "done", _("Rectified")
        VERIFIED = "verified", _("Verified")

    period = models.ForeignKey(
        AppraisalPeriod,
        verbose_name=_("appraisal period"),
        on_delete=models.PROTECT,
        related_name="recognitions",
    )
    kind = models.CharField(pgettext_lazy("careers", "kind"), max_length=16, choices=Kind.choices)
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="recognitions",
    )
    title = models.CharField(pgettext_lazy("careers", "title"), max_length=200)
    description = models.TextField(_("details"), blank=True, **limited(4000))
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=16, choices=FollowUp.choices, blank=True
    )
    follow_up_note = models.TextField(_("follow-up notes"), blank=True, **limited(2000))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateField(_("issued"), default=timezone.localdate)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commendation or rectification")
        verbose_name_plural = _("commendations and rectifications")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self):
        if self.kind == self.Kind.RECTIFICATION:
            if self.deadline is None:
                raise ValidationError({"deadline": _("A rectification order needs a deadline.")})
            if not self.follow_up:
                self.follow_up = self.FollowUp.OPEN
        elif self.deadline is not None or self.follow_up:
            raise ValidationError(
                {"deadline": _("Only a rectification order has a deadline and follow-up.")}
            )

    @property
    def is_overdue(self):
        return (
            self.kind == self.Kind.RECTIFICATION
            and self.deadline is not None
            and self.deadline < timezone.localdate()
            and self.follow_up in (self.FollowUp.OPEN, self.FollowUp.IN_PROGRESS)
        )

    FOLLOW_UP_MOVES = {
        "open": ("in_progress", "done"),
        "in_progress": ("done",),
        "done": ("verified", "in_progress"),
        "verified": (),
    }

    def set_follow_up(self, status):
        if self.kind != self.Kind.RECTIFICATION:
            raise CareersError(_("Only a rectification order is followed up."))
        if status not in self.FOLLOW_UP_MOVES.get(self.follow_up, ()):
            raise CareersError(
                _("A rectification that is %(status)s cannot move to %(new)s.")
                % {
                    "status": self.get_follow_up_display(),
                    "new": self.FollowUp(status).label
                    if status in self.FollowUp.values
                    else status,
                }
            )
        self.follow_up = status
