"""SCORM packages, their SCOs, and the learners' attempts.

Tracking is modelled on Moodle 4.3's ``scorm_attempt`` / ``scorm_element`` / ``scorm_scoes_value``:
an attempt per learner and SCO, one row per CMI element name, one value per attempt and element;
the attempt itself keeps the summary (status, score, time) that reports and completion read.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import ScopedQuerySet
from lms.validators import limited

from ..models.base import TRAINING_STAFF
from ..models.courses import Lesson

__all__ = [
    "ScormAttempt",
    "ScormElement",
    "ScormPackage",
    "ScormSco",
    "ScormValue",
    "ScormVersion",
]


class ScormVersion(models.TextChoices):
    SCORM_12 = "1.2", _("SCORM 1.2")
    SCORM_2004 = "2004", _("SCORM 2004")


class ScormPackage(models.Model):
    """An uploaded package, unpacked under ``folder`` in the default storage."""

    title = models.CharField(pgettext_lazy("courses", "title"), max_length=200)
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scorm_packages",
        help_text=_("The lesson counts as done once every SCO of its packages is done."),
    )
    version = models.CharField(_("SCORM version"), max_length=8, choices=ScormVersion.choices)
    schema_version = models.CharField(_("schema version"), max_length=100, blank=True)
    identifier = models.CharField(_("manifest identifier"), max_length=255, blank=True)
    folder = models.CharField(_("storage folder"), max_length=100, unique=True, editable=False)
    file_count = models.PositiveIntegerField(pgettext_lazy("courses", "files"), default=0)
    unpacked_bytes = models.PositiveBigIntegerField(_("unpacked size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(pgettext_lazy("courses", "uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("SCORM package")
        verbose_name_plural = _("SCORM packages")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class ScormSco(models.Model):
    """A launchable item of one of the package's organisations (a SCO)."""

    package = models.ForeignKey(
        ScormPackage, verbose_name=_("SCORM package"), on_delete=models.CASCADE, related_name="scos"
    )
    organisation = models.CharField(
        pgettext_lazy("courses", "organisation"), max_length=255, blank=True
    )
    organisation_title = models.CharField(_("organisation title"), max_length=255, blank=True)
    identifier = models.CharField(_("item identifier"), max_length=255)
    title = models.CharField(pgettext_lazy("courses", "title"), max_length=255)
    href = models.CharField(_("launch file"), max_length=2000)
    mastery_score = models.DecimalField(
        _("mastery score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    scaled_passing_score = models.DecimalField(
        _("scaled passing score"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("SCO")
        verbose_name_plural = _("SCOs")
        ordering = ["package", "sort_order"]

    def __str__(self):
        return self.title


class ScormAttemptQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class ScormAttempt(models.Model):
    """One learner's attempt at one SCO, with the summary of what the SCO reported."""

    class Completion(models.TextChoices):
        NOT_ATTEMPTED = "not attempted", pgettext_lazy("courses", "Not attempted")
        INCOMPLETE = "incomplete", pgettext_lazy("courses", "Incomplete")
        COMPLETED = "completed", pgettext_lazy("courses", "Completed")
        UNKNOWN = "unknown", pgettext_lazy("courses", "Unknown")

    class Success(models.TextChoices):
        PASSED = "passed", pgettext_lazy("courses", "Passed")
        FAILED = "failed", pgettext_lazy("courses", "Failed")
        UNKNOWN = "unknown", pgettext_lazy("courses", "Unknown")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="scorm_attempts",
    )
    sco = models.ForeignKey(
        ScormSco, verbose_name=_("SCO"), on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(pgettext_lazy("courses", "attempt"), default=1)
    seq = models.PositiveBigIntegerField(pgettext_lazy("courses", "last commit"), default=0)
    completion_status = models.CharField(
        _("completion status"),
        max_length=16,
        choices=Completion.choices,
        default=Completion.NOT_ATTEMPTED,
    )
    success_status = models.CharField(
        _("success status"), max_length=16, choices=Success.choices, default=Success.UNKNOWN
    )
    score_raw = models.DecimalField(
        _("raw score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    score_min = models.DecimalField(
        _("minimum score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    score_max = models.DecimalField(
        _("maximum score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    score_scaled = models.DecimalField(
        _("scaled score"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    session_seconds = models.PositiveIntegerField(_("this session (seconds)"), default=0)
    earlier_seconds = models.PositiveIntegerField(_("earlier sessions (seconds)"), default=0)
    location = models.CharField(pgettext_lazy("courses", "location"), max_length=1000, blank=True)
    started_at = models.DateTimeField(pgettext_lazy("courses", "started"))
    updated_at = models.DateTimeField(pgettext_lazy("courses", "last commit"))
    completed_at = models.DateTimeField(
        pgettext_lazy("courses", "completed at"), null=True, blank=True
    )

    objects = ScormAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("SCORM attempt")
        verbose_name_plural = _("SCORM attempts")
        ordering = ["sco", "employee", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "sco", "number"], name="courses_scorm_attempt_once"
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.sco} · {self.number}"

    @property
    def total_seconds(self) -> int:
        return self.earlier_seconds + self.session_seconds

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def score_percent(self) -> Decimal | None:
        if self.score_scaled is not None:
            return (self.score_scaled * 100).quantize(Decimal("0.1"))
        if self.score_raw is not None and self.score_max:
            low = self.score_min or Decimal(0)
            if self.score_max > low:
                return (100 * (self.score_raw - low) / (self.score_max - low)).quantize(
                    Decimal("0.1")
                )
        return None


class ScormElement(models.Model):
    """A CMI element name (``cmi.core.lesson_status``, ``cmi.interactions.0.id``…)."""

    name = models.CharField(pgettext_lazy("courses", "element"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("CMI element")
        verbose_name_plural = _("CMI elements")

    def __str__(self):
        return self.name


class ScormValue(models.Model):
    """The last value an attempt committed for one CMI element."""

    attempt = models.ForeignKey(
        ScormAttempt,
        verbose_name=_("SCORM attempt"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    element = models.ForeignKey(
        ScormElement,
        verbose_name=pgettext_lazy("courses", "element"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The runtime's own limits (SCORM_VALUE_MAX, SCORM_SUSPEND_DATA_MAX) are settings checked on
    # commit; this is the ceiling no setting can pass (SCORM 2004's largest element, 64,000).
    value = models.TextField(pgettext_lazy("courses", "value"), blank=True, **limited(65_536))
    updated_at = models.DateTimeField(pgettext_lazy("courses", "updated"))

    class Meta:
        verbose_name = _("CMI value")
        verbose_name_plural = _("CMI values")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "element"], name="courses_scorm_value_once")
        ]

    def __str__(self):
        return f"{self.attempt_id} · {self.element_id}"
