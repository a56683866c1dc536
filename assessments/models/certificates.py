"""Certificates issued on passing a formal exam, and fit-for-duty qualification rules."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel

from lms.models import ChangeStamped
from lms.roles import Role, ScopedQuerySet

from .exams import Exam

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


class CertificateQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.TRAINER, Role.HR})


class Certificate(ChangeStamped):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    exam = models.ForeignKey(
        Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.OneToOneField(
        "assessments.Attempt",
        verbose_name=_("attempt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificate",
    )
    title = models.CharField(pgettext_lazy("assessments", "title"), max_length=200)
    code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_verification_code
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    score = models.DecimalField(
        pgettext_lazy("assessments", "score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    reminded_on = models.DateField(_("expiry reminder sent on"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    # Issued by the hundred on exam day: results, not content references (the reference index
    # would queue a task per certificate).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return f"{self.title} · {self.employee}"

    def status(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.revoked:
            return self.Status.REVOKED
        if self.expires_on and self.expires_on < today:
            return self.Status.EXPIRED
        return self.Status.VALID

    def get_status_display(self):
        return self.Status(self.status()).label


class QualificationRule(ClusterableModel):
    """Fit for duty: "passed one of these exams within the last N months", and optionally
    "after M+ months away from the post, passed again before returning"."""

    name = models.CharField(pgettext_lazy("assessments", "name"), max_length=200)
    exams = ParentalManyToManyField(Exam, verbose_name=_("exams"), related_name="+")
    positions = ParentalManyToManyField(
        "lms.Position",
        verbose_name=_("positions"),
        blank=True,
        related_name="+",
        help_text=_("The posts the rule applies to; empty: every employee."),
    )
    valid_months = models.PositiveIntegerField(_("valid for (months)"), default=12)
    expiring_days = models.PositiveIntegerField(
        _("expiring warning (days)"),
        default=30,
        help_text=_("Shown as expiring this many days before it lapses."),
    )
    return_after_months = models.PositiveIntegerField(
        _("re-examination after an absence of (months)"),
        null=True,
        blank=True,
        help_text=_(
            "After at least this many months away from the post, only a pass after the employee "
            "left counts: they must pass again before returning. Empty: absences do not matter."
        ),
    )
    is_active = models.BooleanField(pgettext_lazy("assessments", "active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("exams"),
        FieldPanel("positions"),
        FieldPanel("valid_months"),
        FieldPanel("expiring_days"),
        FieldPanel("return_after_months"),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("qualification rule")
        verbose_name_plural = _("qualification rules")
        ordering = ["name"]

    def __str__(self):
        return self.name
