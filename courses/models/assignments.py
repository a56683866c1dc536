"""Required training: the rules that ask a course of a position or department, and the
assignments they (or HR) give each person."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from lms.roles import ScopedQuerySet

from .base import TRAINING_STAFF
from .completions import Completion
from .courses import CoursePage


class TrainingRule(models.Model):
    """ "Position P (or department D) must complete course C once by a date / every N months"."""

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="rules"
    )
    position = models.ForeignKey(
        "lms.Position",
        verbose_name=pgettext_lazy("courses", "position"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_rules",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_rules",
        help_text=_("Applies to the department and every department below it."),
    )
    due_on = models.DateField(
        _("first due date"),
        help_text=_("Everyone in scope must have completed the course by this date."),
    )
    interval_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for a course that is completed once."),
    )
    active = models.BooleanField(pgettext_lazy("courses", "active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("position"), FieldPanel("department")]),
        FieldRowPanel([FieldPanel("due_on"), FieldPanel("interval_months")]),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("required training rule")
        verbose_name_plural = _("required training rules")
        ordering = ["course__title", "pk"]

    def __str__(self):
        audience = " / ".join(str(x) for x in (self.position, self.department) if x)
        return f"{self.course} · {audience}"

    def clean(self):
        if not self.position_id and not self.department_id:
            raise ValidationError(_("Choose a position, a department or both."))


class AssignmentQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF

    def open(self):
        return self.filter(completion__isnull=True)

    def done(self):
        return self.filter(completion__isnull=False)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due(self, today=None):
        return self.open().filter(due_on__gte=today or timezone.localdate())

    def with_status(self, status, today=None):
        return {"due": self.due, "overdue": self.overdue, "done": self.done}[status](
            **({} if status == "done" else {"today": today})
        )


class Assignment(models.Model):
    """Someone who must complete a course by a date; done once a completion is linked."""

    class Status(models.TextChoices):
        DUE = "due", pgettext_lazy("courses", "Due")
        OVERDUE = "overdue", _("Overdue")
        DONE = "done", _("Done")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="training_assignments",
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="assignments"
    )
    rule = models.ForeignKey(
        TrainingRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    due_on = models.DateField(_("due"))
    completion = models.ForeignKey(
        Completion,
        verbose_name=_("completion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due_on", "employee__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course"],
                condition=Q(completion__isnull=True),
                name="courses_one_open_assignment",
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.course} · {self.due_on}"

    @property
    def status(self):
        if self.completion_id:
            return self.Status.DONE
        if self.due_on < timezone.localdate():
            return self.Status.OVERDUE
        return self.Status.DUE

    def get_status_display(self):
        return self.Status(self.status).label
