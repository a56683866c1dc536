"""Appraisal periods, indicator values, results and the audit of changes after freezing."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import Role, ScopedQuerySet

from .base import AppraisalError, plain
from .indicators import Indicator, IndicatorSystem


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
