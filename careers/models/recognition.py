"""Commendation and rectification records."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.roles import Role, ScopedQuerySet
from lms.validators import limited

from .appraisal import AppraisalPeriod
from .base import CareersError

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
