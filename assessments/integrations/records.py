"""Exam and practice records for the training archive (一人一档) and appraisal indicator sources."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.hooks import (
    ArchiveCategory,
    ArchiveEntry,
    ArchiveOutcome,
    IndicatorReading,
    IndicatorSource,
)
from lms.models import Department

from ..models import Attempt, Certificate, Exam, PracticeAnswer, PracticeSource


def _outcome(attempt):
    practice = attempt.exam.kind != Exam.Kind.FORMAL
    if attempt.passed:
        return ArchiveOutcome.PRACTICE_PASSED if practice else ArchiveOutcome.PASSED
    if practice:
        return (
            ArchiveOutcome.PRACTICE_FAILED_AUTO
            if attempt.auto_submitted
            else ArchiveOutcome.PRACTICE_FAILED
        )
    return ArchiveOutcome.FAILED_AUTO if attempt.auto_submitted else ArchiveOutcome.FAILED


def archive_entries(employee, *, year=None):
    # Mock exams are rehearsals: they never enter the archive (docs/practice.md).
    attempts = Attempt.objects.filter(employee=employee, status=Attempt.Status.GRADED).exclude(
        exam__kind=Exam.Kind.MOCK
    )
    certificates = Certificate.objects.filter(employee=employee)
    if year is not None:
        attempts = attempts.filter(finished_at__year=year)
        certificates = certificates.filter(issued_on__year=year)
    entries = []
    for attempt in attempts.select_related("exam"):
        shown = attempt.shows_score()
        entries.append(
            ArchiveEntry(
                date=timezone.localdate(attempt.finished_at),
                category=ArchiveCategory.EXAM,
                title=attempt.exam.title,
                detail=(
                    (_("Passed") if attempt.passed else _("Not passed"))
                    if shown
                    else attempt.exam.get_kind_display()
                ),
                score=attempt.percent if shown else None,
                url=reverse("assessments:attempt_result", args=[attempt.pk]),
                source="assessments",
                outcome=_outcome(attempt),
            )
        )
    entries += practice_entries(employee, year=year)
    for certificate in certificates:
        entries.append(
            ArchiveEntry(
                date=certificate.issued_on,
                category=ArchiveCategory.CERTIFICATE,
                title=certificate.title,
                detail=f"{certificate.get_status_display()} · {certificate.code}",
                url=reverse("assessments:certificate_pdf", args=[certificate.code]),
                source="assessments",
            )
        )
    return entries


def practice_hours(answered: int) -> Decimal:
    """A day's practice as study time: ``PRACTICE_MINUTES_PER_QUESTION`` a question answered,
    at most ``PRACTICE_MAX_MINUTES_PER_DAY`` a day, in tenths of an hour."""
    minutes = min(
        answered * settings.PRACTICE_MINUTES_PER_QUESTION, settings.PRACTICE_MAX_MINUTES_PER_DAY
    )
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def practice_entries(employee, *, year=None):
    """One online-study entry per day of 每日一练 and 错题本 practice (answers given in an
    attempt are the attempt's own entry; mock exams never count). HR's rule for online study
    converts the hours (docs/practice.md)."""
    answers = PracticeAnswer.objects.filter(
        employee=employee, source__in=[PracticeSource.DAILY, PracticeSource.WRONG_BOOK]
    )
    if year is not None:
        answers = answers.filter(day__year=year)
    days = (
        answers.values("day")
        .annotate(answered=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .order_by("day")
    )
    url = reverse("assessments:practice_home")
    return [
        ArchiveEntry(
            date=day["day"],
            category=ArchiveCategory.ONLINE_STUDY,
            title=_("Safety rules practice"),
            detail=_("%(answered)s questions answered, %(right)s right")
            % {"answered": day["answered"], "right": day["right"]},
            hours=practice_hours(day["answered"]),
            url=url,
            source="assessments.practice",
        )
        for day in days
    ]


def _formal_attempts(start, end):
    return Attempt.objects.filter(
        status=Attempt.Status.GRADED,
        exam__kind=Exam.Kind.FORMAL,
        finished_at__date__gte=start,
        finished_at__date__lte=end,
    )


def _record(attempt):
    return (
        f"{attempt.exam.title} #{attempt.number}: {attempt.percent}%",
        reverse("wagtailadmin_home") + f"assessments/attempts/inspect/{attempt.pk}/",
    )


def compute_average_score(start, end, subject_ids):
    """Mean score (%) of each employee's graded formal exams in the period."""
    per_employee = defaultdict(list)
    for attempt in (
        _formal_attempts(start, end)
        .filter(employee_id__in=list(subject_ids))
        .select_related("exam")
    ):
        per_employee[attempt.employee_id].append(attempt)
    return {
        employee_id: IndicatorReading(
            value=(sum(a.percent for a in attempts) / len(attempts)).quantize(Decimal("0.01")),
            records=tuple(_record(a) for a in attempts),
        )
        for employee_id, attempts in per_employee.items()
    }


def compute_pass_rate(start, end, subject_ids):
    """Share (%) of passed graded formal exams by employees in each department's subtree."""
    departments = list(Department.objects.filter(pk__in=list(subject_ids)).only("pk", "path"))
    if not departments:
        return {}
    condition = Q()
    for department in departments:
        condition |= Q(employee__department__path__startswith=department.path)
    attempts = list(
        _formal_attempts(start, end)
        .filter(condition)
        .select_related("exam", "employee__department")
    )
    result = {}
    for department in departments:
        mine = [a for a in attempts if a.employee.department.path.startswith(department.path)]
        if mine:
            passed = sum(1 for a in mine if a.passed)
            result[department.pk] = IndicatorReading(
                value=(Decimal(100) * passed / len(mine)).quantize(Decimal("0.01")),
                records=tuple(_record(a) for a in mine),
            )
    return result


def indicator_sources():
    return [
        IndicatorSource(
            key="assessments.exam_average_score",
            label=gettext_lazy("Average formal exam score"),
            subject="employee",
            compute=compute_average_score,
            unit="%",
            description=gettext_lazy("Mean score of the employee's graded formal exams."),
        ),
        IndicatorSource(
            key="assessments.exam_pass_rate",
            label=gettext_lazy("Formal exam pass rate"),
            subject="department",
            compute=compute_pass_rate,
            unit="%",
            description=gettext_lazy(
                "Share of passed formal exams taken by the department's employees."
            ),
        ),
    ]
