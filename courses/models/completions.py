"""Completions: a course (or an external training) finished by an employee, with its hours."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.models import ChangeStamped
from lms.roles import ScopedQuerySet

from .base import TRAINING_STAFF
from .courses import CoursePage
from .sessions import TrainingSession


class CompletionQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF

    def in_period(self, start, end):
        return self.filter(completed_on__gte=start, completed_on__lte=end)


class Completion(ChangeStamped):
    """A course (or an external training) finished by an employee, with its hours."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online lessons")
        SESSION = "session", _("Session attendance")
        EXTERNAL = "external", _("External training record")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("training hours"), max_digits=6, decimal_places=1)
    credits = models.DecimalField(_("credits"), max_digits=6, decimal_places=1, default=0)
    source = models.CharField(
        pgettext_lazy("courses", "source"), max_length=16, choices=Source.choices
    )
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completions",
    )
    provider = models.CharField(
        _("training provider"), max_length=200, blank=True, help_text=_("For external training.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "employee__number"]
        indexes = [models.Index(fields=["employee", "course", "completed_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "session"],
                condition=Q(session__isnull=False),
                name="courses_complete_session_once",
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.course} · {self.completed_on}"
