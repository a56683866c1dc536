"""Delivery: training sessions, who is enrolled in them and who attended."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import ScopedQuerySet

from .base import TRAINING_STAFF


def new_check_in_code():
    return f"{secrets.randbelow(10**6):06d}"


class TrainingSessionQuerySet(models.QuerySet):
    def with_enrolled_count(self):
        return self.annotate(enrolled_count=Count("enrollments", distinct=True))

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now())


class TrainingSession(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    title = models.CharField(pgettext_lazy("courses", "title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ON_SITE)
    location = models.CharField(
        _("location or meeting link"), max_length=200, blank=True, default=""
    )
    trainer = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=12,
        default=new_check_in_code,
        help_text=_("Employees type this code (or scan its QR code) to check in."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.display_title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    @property
    def display_title(self):
        return self.title or self.course.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})

    @property
    def hours(self):
        return self.course.hours

    def check_in_window(self):
        grace = datetime.timedelta(minutes=settings.COURSES_CHECK_IN_GRACE_MINUTES)
        return self.starts_at - grace, self.ends_at + grace


class EnrollmentQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class Enrollment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    source = models.CharField(
        pgettext_lazy("courses", "source"), max_length=16, choices=Source.choices
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "employee__number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="courses_enrol_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.session}"


class AttendanceQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class Attendance(models.Model):
    class Method(models.TextChoices):
        ROSTER = "roster", _("Recorded by the trainer")
        CHECK_IN = "check_in", _("Checked in with the session code")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    present = models.BooleanField(_("present"), default=True)
    method = models.CharField(_("how recorded"), max_length=16, choices=Method.choices)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("courses", "attendance")
        verbose_name_plural = pgettext_lazy("courses", "attendance")
        ordering = ["session", "employee__number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="courses_attend_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.session}"
