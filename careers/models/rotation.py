"""Job rotation: programmes, assignments and their objectives."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import Role, ScopedQuerySet
from lms.validators import limited

from .base import TWO_PLACES, CareersError, management_line_ids

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
