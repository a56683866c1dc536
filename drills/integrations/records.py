"""Drill records for the training archive (一人一档) and appraisal indicator sources."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.hooks import (
    ArchiveCategory,
    ArchiveEntry,
    IndicatorReading,
    IndicatorSource,
)

from ..models import (
    CorrectiveAction,
    Drill,
    DrillParticipant,
    ExerciseRole,
    ScoreSnapshot,
)
from ..portal import known_to_have_no_drills, remember_no_drills

HELD = [
    Drill.Status.CONDUCTED,
    Drill.Status.EVALUATED,
    Drill.Status.REPORT_APPROVED,
    Drill.Status.CLOSED,
]
APPROVED = [Drill.Status.REPORT_APPROVED, Drill.Status.CLOSED]


def _dec(value):
    return None if value in (None, "") else Decimal(value)


def _mean(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- archive ----------------------------------------------------------------------------------


def _latest_snapshots(drill_ids):
    latest = {}
    for snapshot in ScoreSnapshot.objects.filter(drill_id__in=drill_ids).order_by(
        "drill_id", "-version"
    ):
        latest.setdefault(snapshot.drill_id, snapshot)
    return latest


def drill_archive_entries(employee, *, year=None):
    """Each drill the employee took part in, with their exercise role and role score."""
    # Most employees have no drill: once seen, that costs no query until a drill changes.
    if known_to_have_no_drills(employee):
        return []
    participations = list(
        DrillParticipant.objects.filter(employee=employee, drill__status__in=HELD)
        .select_related("drill")
        .order_by("-drill__actual_start")
    )
    if not participations:
        remember_no_drills(employee)
        return []
    if year is not None:
        participations = [
            p for p in participations if timezone.localtime(p.drill.actual_start).year == year
        ]
    snapshots = _latest_snapshots([p.drill_id for p in participations])
    entries = []
    for participation in participations:
        drill = participation.drill
        snapshot = snapshots.get(drill.pk)
        score = None
        if snapshot is not None:
            score = _dec(
                snapshot.data.get("participants", {}).get(str(employee.pk), {}).get("score")
            )
        entries.append(
            ArchiveEntry(
                date=timezone.localtime(drill.actual_start).date(),
                category=ArchiveCategory.DRILL,
                title=drill.title,
                detail=f"{participation.get_role_display()} · "
                f"{participation.get_attendance_display()}",
                score=score,
                url=reverse("drills:participation", args=[participation.pk]),
                source="drills",
            )
        )
    return entries


# --- appraisal indicator sources --------------------------------------------------------------


def _approved_snapshots(start, end):
    return _latest_snapshots(
        Drill.objects.filter(
            status__in=APPROVED, actual_start__date__gte=start, actual_start__date__lte=end
        ).values("pk")
    )


def _snapshot_drills(snapshots):
    return {
        drill.pk: drill
        for drill in Drill.objects.filter(pk__in=list(snapshots)).only("pk", "title")
    }


def compute_department_score(start, end, subject_ids):
    subject_ids = set(subject_ids)
    snapshots = _approved_snapshots(start, end)
    drills = _snapshot_drills(snapshots)
    values, records = defaultdict(list), defaultdict(list)
    for drill_id, snapshot in snapshots.items():
        for department_id, row in snapshot.data.get("by_department", {}).items():
            department_id = int(department_id)
            if department_id in subject_ids and row.get("score") is not None:
                values[department_id].append(Decimal(row["score"]))
                records[department_id].append(
                    (drills[drill_id].title, reverse("drills:report", args=[drill_id]))
                )
    return {
        pk: IndicatorReading(value=_mean(vals), records=tuple(records[pk]))
        for pk, vals in values.items()
    }


def compute_held_vs_planned(start, end, subject_ids):
    planned, held, records = defaultdict(int), defaultdict(int), defaultdict(list)
    for drill in Drill.objects.filter(
        organising_department_id__in=list(subject_ids),
        planned_start__date__gte=start,
        planned_start__date__lte=end,
    ).only("pk", "title", "status", "organising_department_id"):
        department_id = drill.organising_department_id
        planned[department_id] += 1
        if drill.status in HELD:
            held[department_id] += 1
        records[department_id].append((drill.title, reverse("drills:report", args=[drill.pk])))
    return {
        pk: IndicatorReading(
            value=(Decimal(held[pk]) * 100 / planned[pk]).quantize(Decimal("0.01")),
            records=tuple(records[pk]),
        )
        for pk in planned
    }


def compute_actions_on_time(start, end, subject_ids):
    due, on_time, records = defaultdict(int), defaultdict(int), defaultdict(list)
    for action in CorrectiveAction.objects.filter(
        department_id__in=list(subject_ids), due_date__gte=start, due_date__lte=end
    ).exclude(status=CorrectiveAction.Status.REJECTED):
        due[action.department_id] += 1
        if action.closed_on_time:
            on_time[action.department_id] += 1
        records[action.department_id].append(
            (action.description[:40], reverse("drills:action", args=[action.pk]))
        )
    return {
        pk: IndicatorReading(
            value=(Decimal(on_time[pk]) * 100 / due[pk]).quantize(Decimal("0.01")),
            records=tuple(records[pk]),
        )
        for pk in due
    }


def compute_participation(start, end, subject_ids):
    counts, records = defaultdict(int), defaultdict(list)
    for participation in DrillParticipant.objects.filter(
        employee_id__in=list(subject_ids),
        attendance=DrillParticipant.Attendance.PRESENT,
        drill__status__in=HELD,
        drill__actual_start__date__gte=start,
        drill__actual_start__date__lte=end,
    ).select_related("drill"):
        counts[participation.employee_id] += 1
        records[participation.employee_id].append(
            (participation.drill.title, reverse("drills:participation", args=[participation.pk]))
        )
    return {
        pk: IndicatorReading(value=Decimal(count), records=tuple(records[pk]))
        for pk, count in counts.items()
    }


def compute_role_score(start, end, subject_ids):
    subject_ids = {str(pk) for pk in subject_ids}
    snapshots = _approved_snapshots(start, end)
    drills = _snapshot_drills(snapshots)
    values, records = defaultdict(list), defaultdict(list)
    for drill_id, snapshot in snapshots.items():
        for employee_id, row in snapshot.data.get("participants", {}).items():
            if employee_id in subject_ids and row.get("score") is not None:
                values[int(employee_id)].append(Decimal(row["score"]))
                label = ExerciseRole(row["role"]).label if row.get("role") else ""
                records[int(employee_id)].append(
                    (
                        f"{drills[drill_id].title} · {label}",
                        reverse("drills:report", args=[drill_id]),
                    )
                )
    return {
        pk: IndicatorReading(value=_mean(vals), records=tuple(records[pk]))
        for pk, vals in values.items()
    }


def indicator_sources():
    return [
        IndicatorSource(
            key="drills.department_score",
            label=_("Department drill score"),
            subject="department",
            compute=compute_department_score,
            unit=pgettext_lazy("drills", "points"),
            description=_("Mean of the department's scores in approved after-action reports."),
        ),
        IndicatorSource(
            key="drills.held_vs_planned",
            label=_("Drills held versus planned"),
            subject="department",
            compute=compute_held_vs_planned,
            unit="%",
        ),
        IndicatorSource(
            key="drills.actions_on_time",
            label=_("Corrective actions closed on time"),
            subject="department",
            compute=compute_actions_on_time,
            unit="%",
        ),
        IndicatorSource(
            key="drills.participation",
            label=_("Drill participation"),
            subject="employee",
            compute=compute_participation,
            unit=pgettext_lazy("unit", "drills"),
        ),
        IndicatorSource(
            key="drills.role_score",
            label=_("Drill role score"),
            subject="employee",
            compute=compute_role_score,
            unit=pgettext_lazy("drills", "points"),
        ),
    ]
