"""What each employee watched of each tracked video of a lesson."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import ScopedQuerySet

from ..models.base import TRAINING_STAFF
from ..models.courses import Lesson

__all__ = ["VideoWatch"]


class VideoWatchQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class VideoWatch(models.Model):
    """One employee's watching of one video block of a lesson.

    ``segments`` is the union of the stretches actually played, as ``[[start, end], …]`` in
    seconds, sorted and disjoint; ``watched_seconds`` is its length (what earns hours), and
    ``percent`` that length against the video's duration (what completes it).
    """

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="video_watches",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.PROTECT, related_name="video_watches"
    )
    block_id = models.CharField(_("video block"), max_length=64)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("video file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duration = models.DecimalField(
        pgettext_lazy("courses", "duration (seconds)"), max_digits=9, decimal_places=1
    )
    segments = models.JSONField(_("watched segments"), default=list, blank=True)
    watched_seconds = models.DecimalField(
        _("watched (seconds)"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    percent = models.DecimalField(
        _("watched (%)"), max_digits=5, decimal_places=1, default=Decimal(0)
    )
    position = models.DecimalField(
        _("resume position (seconds)"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    # Seconds of playing the clock still allows (a token bucket: it fills at the fastest
    # playback rate credited as time passes, up to two report intervals' worth, and every
    # newly watched second takes one out), so reports can never add seconds faster than time.
    allowance = models.DecimalField(
        _("clock allowance (seconds)"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    started_at = models.DateTimeField(pgettext_lazy("courses", "started"))
    updated_at = models.DateTimeField(pgettext_lazy("courses", "last report"))
    completed_at = models.DateTimeField(
        pgettext_lazy("courses", "completed at"), null=True, blank=True
    )

    objects = VideoWatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("video watch")
        verbose_name_plural = _("video watches")
        ordering = ["lesson", "employee", "block_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "lesson", "block_id"], name="courses_video_watch_once"
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.lesson} · {self.percent}%"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def furthest(self) -> Decimal:
        """Where the stretch watched from the start ends (what "no skipping" lets one reach)."""
        if self.segments and self.segments[0][0] <= 0:
            return Decimal(str(self.segments[0][1]))
        return Decimal(0)
