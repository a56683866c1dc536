"""What training contributes to shared screens: archive entries and appraisal indicators."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from lms.hooks import ArchiveCategory, ArchiveEntry, IndicatorReading, IndicatorSource

from ..models import Attendance, Completion


def archive_entries(employee, *, year=None):
    """Completions (with hours) and session attendance for the employee's archive."""
    completions = Completion.objects.filter(employee=employee).select_related("course", "session")
    attendances = Attendance.objects.filter(employee=employee).select_related("session__course")
    if year is not None:
        completions = completions.filter(completed_on__year=year)
        attendances = attendances.filter(session__starts_at__year=year)
    entries = []
    for completion in completions:
        entries.append(
            ArchiveEntry(
                date=completion.completed_on,
                category=ArchiveCategory.TRAINING,
                title=completion.course.title,
                detail=completion.get_source_display()
                + (f" · {completion.provider}" if completion.provider else ""),
                hours=completion.hours,
                url=completion.course.url or "",
                source="courses.completion",
            )
        )
    from django.utils import timezone

    for attendance in attendances:
        session = attendance.session
        entries.append(
            ArchiveEntry(
                date=timezone.localtime(session.starts_at).date(),
                category=ArchiveCategory.ATTENDANCE,
                title=session.display_title,
                detail=(
                    pgettext("courses", "Present")
                    if attendance.present
                    else pgettext("courses", "Absent")
                )
                + (f" · {session.location}" if session.location else ""),
                url=session.course.url or "",
                source="courses.attendance",
            )
        )
    return entries


def _training_hours(start, end, subject_ids):
    rows = (
        Completion.objects.filter(
            employee_id__in=list(subject_ids), completed_on__gte=start, completed_on__lte=end
        )
        .values("employee_id")
        .annotate(hours=Sum("hours"), count=Count("pk"))
    )
    return {
        row["employee_id"]: IndicatorReading(
            value=row["hours"] or Decimal("0"),
            records=((_("%(count)s completions") % {"count": row["count"]}, ""),),
        )
        for row in rows
    }


def _attendance_rate(start, end, subject_ids):
    rows = (
        Attendance.objects.filter(
            employee_id__in=list(subject_ids),
            session__starts_at__date__gte=start,
            session__starts_at__date__lte=end,
        )
        .values("employee_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=Q(present=True)))
    )
    return {
        row["employee_id"]: IndicatorReading(
            value=(Decimal(100) * row["present"] / row["total"]).quantize(Decimal("0.1")),
            records=((_("%(present)s of %(total)s sessions attended") % row, ""),),
        )
        for row in rows
        if row["total"]
    }


def indicator_sources():
    return [
        IndicatorSource(
            key="courses.training_hours",
            label=gettext_lazy("Training hours"),
            subject="employee",
            compute=_training_hours,
            unit=gettext_lazy("hours"),
            description=gettext_lazy("Hours of completed training in the period."),
        ),
        IndicatorSource(
            key="courses.attendance_rate",
            label=gettext_lazy("Training attendance rate"),
            subject="employee",
            compute=_attendance_rate,
            unit="%",
            description=gettext_lazy("Share of recorded sessions the employee attended."),
        ),
    ]
