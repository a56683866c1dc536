"""What assessments announces through the notification service (``lms.notifications``).

Results, certificates and qualifications go to the person concerned (in the portal inbox by
default) and to the webhook subscriptions that follow them (an HR system, a data warehouse).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.notifications.kinds import Channel, EventKind

EXAM_PASSED = "assessments.exam_passed"
EXAM_FAILED = "assessments.exam_failed"
CERTIFICATE_ISSUED = "assessments.certificate_issued"
CERTIFICATE_REVOKED = "assessments.certificate_revoked"
CERTIFICATE_EXPIRING = "assessments.certificate_expiring"
QUALIFICATION_EXPIRING = "assessments.qualification_expiring"
QUALIFICATION_LAPSED = "assessments.qualification_lapsed"


@dataclass(frozen=True)
class ExamResult:
    attempt_id: int
    exam_id: int
    exam: str
    employee_number: str
    name: str
    score: Decimal | None
    percent: Decimal | None
    pass_mark: Decimal | None
    passed: bool
    finished_at: datetime.datetime | None


@dataclass(frozen=True)
class CertificateNews:
    certificate_id: int
    code: str
    title: str
    employee_number: str
    name: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    reason: str = ""


@dataclass(frozen=True)
class QualificationNews:
    rule_id: int
    qualification: str
    employee_number: str
    name: str
    passed_on: datetime.date | None
    valid_until: datetime.date | None


def exam_result(attempt) -> ExamResult:
    return ExamResult(
        attempt_id=attempt.pk,
        exam_id=attempt.exam_id,
        exam=str(attempt.exam),
        employee_number=attempt.employee.number,
        name=attempt.employee.name,
        score=attempt.score,
        percent=attempt.percent,
        pass_mark=attempt.exam.pass_mark,
        passed=bool(attempt.passed),
        finished_at=attempt.finished_at,
    )


def certificate_news(certificate, reason: str = "") -> CertificateNews:
    return CertificateNews(
        certificate_id=certificate.pk,
        code=certificate.code,
        title=certificate.title,
        employee_number=certificate.employee.number,
        name=certificate.employee.name,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        reason=str(reason or ""),
    )


def _date(value) -> str:
    return value.isoformat() if value else "—"


def kinds():
    result_url = lambda p: reverse("assessments:attempt_result", args=[p.attempt_id])  # noqa: E731
    certificate_url = lambda p: reverse("assessments:certificate_pdf", args=[p.code])  # noqa: E731
    qualifications_url = lambda p: reverse("assessments:my_qualifications")  # noqa: E731
    return [
        EventKind(
            EXAM_PASSED,
            payload=ExamResult,
            label=gettext_lazy("Exam passed"),
            title=lambda p: _("You passed %(exam)s") % {"exam": p.exam},
            body=lambda p: (
                _("%(name)s, your score in “%(exam)s” is %(score)s (pass mark %(mark)s%%).")
                % {"name": p.name, "exam": p.exam, "score": p.score, "mark": p.pass_mark}
            ),
            url=result_url,
            webhook=True,
            order=20,
        ),
        EventKind(
            EXAM_FAILED,
            payload=ExamResult,
            label=gettext_lazy("Exam not passed"),
            title=lambda p: _("You did not pass %(exam)s") % {"exam": p.exam},
            body=lambda p: (
                _("%(name)s, your score in “%(exam)s” is %(score)s (pass mark %(mark)s%%).")
                % {"name": p.name, "exam": p.exam, "score": p.score, "mark": p.pass_mark}
            ),
            url=result_url,
            webhook=True,
            order=21,
        ),
        EventKind(
            CERTIFICATE_ISSUED,
            payload=CertificateNews,
            label=gettext_lazy("Certificate issued"),
            title=lambda p: _("Certificate issued: %(title)s") % {"title": p.title},
            body=lambda p: (
                _("Your certificate “%(title)s” (code %(code)s) is valid until %(date)s.")
                % {"title": p.title, "code": p.code, "date": _date(p.expires_on)}
            ),
            url=certificate_url,
            webhook=True,
            order=22,
        ),
        EventKind(
            CERTIFICATE_REVOKED,
            payload=CertificateNews,
            label=gettext_lazy("Certificate revoked"),
            title=lambda p: _("Certificate revoked: %(title)s") % {"title": p.title},
            body=lambda p: (
                _("Your certificate “%(title)s” (code %(code)s) was revoked: %(reason)s")
                % {"title": p.title, "code": p.code, "reason": p.reason}
            ),
            url=qualifications_url,
            webhook=True,
            order=23,
        ),
        EventKind(
            CERTIFICATE_EXPIRING,
            payload=CertificateNews,
            label=gettext_lazy("Certificate about to expire"),
            title=lambda p: (
                _("Your certificate “%(title)s” expires on %(date)s")
                % {"title": p.title, "date": _date(p.expires_on)}
            ),
            body=lambda p: (
                _(
                    "Your certificate “%(title)s” (code %(code)s) expires on %(date)s. "
                    "Please sit the exam again before then to stay qualified."
                )
                % {"title": p.title, "code": p.code, "date": _date(p.expires_on)}
            ),
            url=certificate_url,
            channels=(Channel.INBOX, Channel.EMAIL),
            order=24,
        ),
        EventKind(
            QUALIFICATION_EXPIRING,
            payload=QualificationNews,
            label=gettext_lazy("Qualification expiring"),
            title=lambda p: _("Qualification expiring: %(name)s") % {"name": p.qualification},
            body=lambda p: (
                _("%(person)s, your qualification “%(name)s” lapses after %(date)s.")
                % {"person": p.name, "name": p.qualification, "date": _date(p.valid_until)}
            ),
            url=qualifications_url,
            webhook=True,
            order=25,
        ),
        EventKind(
            QUALIFICATION_LAPSED,
            payload=QualificationNews,
            label=gettext_lazy("Qualification lapsed"),
            title=lambda p: _("Qualification lapsed: %(name)s") % {"name": p.qualification},
            body=lambda p: (
                _(
                    "%(person)s, your qualification “%(name)s” has lapsed: pass the exam again "
                    "to be fit for duty."
                )
                % {"person": p.name, "name": p.qualification}
            ),
            url=qualifications_url,
            webhook=True,
            order=26,
        ),
    ]
