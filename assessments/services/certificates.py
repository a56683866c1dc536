"""Certificates (issue, sync after a regrade, revoke, change), their bundles and expiry
reminders, and qualification announcements."""

import functools
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.dates import add_months

from ..models import (
    Attempt,
    AttemptError,
    Certificate,
    Exam,
)
from ..notifications import CERTIFICATE_ISSUED, CERTIFICATE_REVOKED

# -- certificates ---------------------------------------------------------------------------


def certificate_state(certificate: Certificate) -> dict:
    """What the audit trail keeps of a certificate."""
    return {
        "code": certificate.code,
        "title": certificate.title,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "score": certificate.score,
        "revoked": certificate.revoked,
        "revoked_reason": certificate.revoked_reason,
    }


def _audit(certificate, action, *, before, reason, employee, acting_user):
    """The one trail entry of a certificate's change: its state before and now."""
    audit.record(
        certificate,
        action,
        user=acting_user,
        before=before,
        after=certificate_state(certificate),
        reason=reason,
        employee=employee,
    )


def certificate_issue_for(*, attempt: Attempt, today: date | None = None, acting_user=None):
    """Issue a certificate for a passed formal exam that awards one."""
    exam = attempt.exam
    if not (attempt.passed and exam.kind == Exam.Kind.FORMAL and exam.certificate_title):
        return None
    existing = Certificate.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    expires = (
        add_months(today, exam.certificate_valid_months) if exam.certificate_valid_months else None
    )
    certificate = Certificate(
        employee=attempt.employee,
        exam=exam,
        attempt=attempt,
        title=exam.certificate_title,
        issued_on=today,
        expires_on=expires,
        score=attempt.score,
    )
    certificate.full_clean()
    certificate.save()
    _audit(
        certificate,
        "assessments.certificate_issued",
        before=None,
        reason=_("Passed %(exam)s with %(score)s") % {"exam": exam, "score": attempt.score},
        employee=attempt.employee,
        acting_user=acting_user,
    )
    _announce_certificate(CERTIFICATE_ISSUED, certificate)
    return certificate


def certificate_sync(
    *, attempt: Attempt, was_graded: bool = True, acting_user=None, reason: str = ""
):
    """After a (re)grade: issue a newly earned certificate, revoke one no longer earned."""
    certificate = Certificate.objects.filter(attempt=attempt).first()
    if attempt.passed:
        if certificate is None:
            return certificate_issue_for(attempt=attempt, acting_user=acting_user)
        if certificate.revoked or certificate.score != attempt.score:
            before = certificate_state(certificate)
            certificate.revoked = False
            certificate.revoked_reason = ""
            certificate.score = attempt.score
            certificate.save(update_fields=["revoked", "revoked_reason", "score"])
            _audit(
                certificate,
                "assessments.certificate_reissued",
                before=before,
                reason=reason or _("Regraded: the score changed"),
                employee=attempt.employee,
                acting_user=acting_user,
            )
            if before["revoked"]:
                _announce_certificate(CERTIFICATE_ISSUED, certificate)
        return certificate
    if certificate is not None and not certificate.revoked:
        before = certificate_state(certificate)
        certificate.revoked = True
        certificate.revoked_reason = _("Regraded below the pass mark")
        certificate.score = attempt.score
        certificate.save(update_fields=["revoked", "revoked_reason", "score"])
        _audit(
            certificate,
            "assessments.certificate_revoked",
            before=before,
            reason=reason or certificate.revoked_reason,
            employee=attempt.employee,
            acting_user=acting_user,
        )
        _announce_certificate(CERTIFICATE_REVOKED, certificate, certificate.revoked_reason)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, acting_user=None):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if certificate.revoked:
        raise AttemptError(_("This certificate is already revoked."))
    return _revoke(certificate, reason, acting_user, before=certificate_state(certificate))


def _revoke(certificate, reason, acting_user, *, before, also_saved=()):
    """Revoke with one trail entry from ``before`` (which a change made in the same step, such
    as a new expiry date, has not yet touched)."""
    certificate.revoked = True
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked", "revoked_reason", *also_saved])
    _audit(
        certificate,
        "assessments.certificate_revoked",
        before=before,
        reason=reason,
        employee=certificate.employee,
        acting_user=acting_user,
    )
    _announce_certificate(CERTIFICATE_REVOKED, certificate, reason)
    return certificate


@transaction.atomic
def certificate_change(
    *,
    certificate: Certificate,
    revoked: bool,
    revoked_reason: str = "",
    expires_on: date | None = None,
    reason: str,
    acting_user=None,
) -> Certificate:
    """Change a certificate from the admin: revoke, reinstate or change its expiry, with a reason.

    A revocation is one revocation entry (a new expiry date given with it is in its before and
    after); a reinstatement or a new expiry date is written to the audit trail as a reissue.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate changes.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if revoked and not certificate.revoked:
        before = certificate_state(certificate)
        certificate.expires_on = expires_on
        return _revoke(
            certificate,
            (revoked_reason or reason).strip(),
            acting_user,
            before=before,
            also_saved=["expires_on"],
        )
    before = certificate_state(certificate)
    certificate.revoked = revoked
    certificate.revoked_reason = (revoked_reason or "").strip() if revoked else ""
    certificate.expires_on = expires_on
    certificate.full_clean()
    after = certificate_state(certificate)
    if after == before:
        return certificate
    certificate.save(update_fields=["revoked", "revoked_reason", "expires_on"])
    _audit(
        certificate,
        "assessments.certificate_reissued",
        before=before,
        reason=reason,
        employee=certificate.employee,
        acting_user=acting_user,
    )
    if before["revoked"] and not revoked:
        _announce_certificate(CERTIFICATE_ISSUED, certificate)
    return certificate


def _announce_certificate(kind: str, certificate: Certificate, reason: str = ""):
    from lms.notifications.services import emit_later

    from ..notifications import certificate_news

    emit_later(kind, certificate_news(certificate, reason), recipients=[certificate.employee])


# -- certificate bundles and reminders ------------------------------------------------------


def certificate_bundle_request(*, exam: Exam, acting_user=None):
    """Queue a zip of every valid certificate of the exam; returns the background job to watch."""
    from lms.jobs import job_start

    from ..tasks import build_certificate_bundle

    return job_start(
        kind="assessments.certificate_bundle",
        task=build_certificate_bundle,
        owner=acting_user,
        title=_("Certificates of %(exam)s") % {"exam": exam.title},
        params={"exam_id": exam.pk},
        total=Certificate.objects.filter(exam=exam, revoked=False).count(),
    )


def certificate_bundle_build(*, exam_id: int, job) -> int:
    """Render each valid certificate of the exam into the job's zip, reporting progress."""
    from ..certificates import certificate_pdf

    certificates = list(
        Certificate.objects.filter(exam_id=exam_id, revoked=False)
        .select_related("employee", "exam")
        .order_by("employee__number")
    )
    job.save_zip(
        f"exam-{exam_id}-certificates.zip",
        (
            (
                f"{c.employee.number}-{c.employee.name}-{c.code}.pdf",
                functools.partial(certificate_pdf, c),
            )
            for c in certificates
        ),
    )
    return len(certificates)


def certificates_remind_expiring(*, today: date | None = None) -> int:
    """Remind holders whose certificate expires within the reminder window (once each), through
    the notification service (inbox and e-mail unless they chose otherwise)."""
    from django.conf import settings

    from lms.notifications.services import emit

    from ..notifications import CERTIFICATE_EXPIRING, certificate_news

    today = today or timezone.localdate()
    window = today + timedelta(days=settings.ASSESSMENTS_CERTIFICATE_REMINDER_DAYS)
    due = list(
        Certificate.objects.filter(
            revoked=False,
            reminded_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=window,
        ).select_related("employee")
    )
    for certificate in due:
        emit(
            CERTIFICATE_EXPIRING,
            certificate_news(certificate),
            recipients=[certificate.employee],
            dedupe_key=f"{CERTIFICATE_EXPIRING}:{certificate.pk}:{certificate.expires_on}",
        )
    Certificate.objects.filter(pk__in=[c.pk for c in due]).update(reminded_on=today)
    return len(due)


def qualifications_announce(*, today: date | None = None, batch_size: int = 500) -> int:
    """Announce every qualification that has become expiring or lapsed (once per state and
    pass date), to the employee and the webhooks. Run daily; returns how many were new."""
    from lms.models import Employee
    from lms.notifications.services import emit

    from ..notifications import QUALIFICATION_EXPIRING, QUALIFICATION_LAPSED, QualificationNews
    from ..qualifications import EXPIRING, LAPSED, active_rules, standings

    today = today or timezone.localdate()
    rules = active_rules()
    if not rules:
        return 0
    announced = 0
    employees = Employee.objects.active().only("pk", "number", "name", "position_id", "user_id")
    ids = list(employees.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), batch_size):
        batch = list(employees.filter(pk__in=ids[start : start + batch_size]))
        by_id = {employee.pk: employee for employee in batch}
        for employee_id, rows in standings(batch, rules=rules, today=today).items():
            employee = by_id[employee_id]
            for standing in rows:
                if standing.passed_on is None or standing.status not in (EXPIRING, LAPSED):
                    continue  # never qualified: nothing expires or lapses
                kind = (
                    QUALIFICATION_EXPIRING if standing.status == EXPIRING else QUALIFICATION_LAPSED
                )
                event = emit(
                    kind,
                    QualificationNews(
                        rule_id=standing.rule.pk,
                        qualification=standing.rule.name,
                        employee_number=employee.number,
                        name=employee.name,
                        passed_on=standing.passed_on,
                        valid_until=standing.valid_until,
                    ),
                    recipients=[employee],
                    dedupe_key=f"{kind}:{employee.pk}:{standing.rule.pk}:{standing.passed_on}",
                )
                announced += event is not None
    return announced
