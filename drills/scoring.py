"""Score roll-ups and plan coverage. Reads only; a fixed number of queries whatever the size."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from .models import CriterionResult, Drill, DrillParticipant, EvaluationSheet, PlanSection

TWO_PLACES = Decimal("0.01")


class _Mean:
    __slots__ = ("total", "weight")

    def __init__(self):
        self.total = Decimal(0)
        self.weight = Decimal(0)

    def add(self, value, weight):
        self.total += value * weight
        self.weight += weight

    @property
    def value(self):
        if not self.weight:
            return None
        return (self.total / self.weight).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def drill_scores(drill: Drill) -> dict:
    """Weighted means (0–100) of the submitted sheets' ratings: overall, by phase, capability,
    department observed and exercise role assessed; and each participant's role score.

    Three queries: results, sheets, participants.
    """
    results = list(
        CriterionResult.objects.filter(
            sheet__drill=drill, sheet__status=EvaluationSheet.Status.SUBMITTED
        ).select_related("criterion", "level", "sheet__department")
    )
    sheet_count = EvaluationSheet.objects.filter(drill=drill).count()
    overall, by_phase, by_capability, by_role = _Mean(), defaultdict(_Mean), defaultdict(_Mean), {}
    by_department, department_names = defaultdict(_Mean), {}
    by_role = defaultdict(_Mean)
    for result in results:
        value = result.value
        if value is None:
            continue
        weight = result.criterion.weight
        overall.add(value, weight)
        by_phase[result.criterion.phase].add(value, weight)
        by_capability[result.criterion.capability].add(value, weight)
        department = result.sheet.department
        by_department[department.pk].add(value, weight)
        department_names[department.pk] = department.name
        if result.criterion.exercise_role:
            by_role[result.criterion.exercise_role].add(value, weight)
    overall_value = overall.value
    role_scores = {role: mean.value for role, mean in by_role.items()}
    participants = {}
    for participant in DrillParticipant.objects.filter(drill=drill).only(
        "employee_id", "role", "attendance"
    ):
        present = participant.attendance != DrillParticipant.Attendance.ABSENT
        participants[participant.employee_id] = {
            "role": participant.role,
            "attendance": participant.attendance,
            # A participant's score is their role's score, or the drill's where no criterion
            # judges the role; nothing for someone absent.
            "score": role_scores.get(participant.role, overall_value) if present else None,
        }
    return {
        "overall": overall_value,
        "by_phase": {key: mean.value for key, mean in by_phase.items()},
        "by_capability": {key: mean.value for key, mean in by_capability.items()},
        "by_role": role_scores,
        "by_department": {
            pk: {"name": department_names[pk], "score": mean.value}
            for pk, mean in by_department.items()
        },
        "participants": participants,
        "submitted_sheets": len({result.sheet_id for result in results}),
        "sheets": sheet_count,
    }


def coverage_since(today=None):
    today = today or timezone.localdate()
    months = settings.DRILLS_COVERAGE_MONTHS
    return today - datetime.timedelta(days=round(months * 30.44))


def plan_coverage(plans, *, today=None) -> list[dict]:
    """For each plan: the sections drilled (conducted drills) since the coverage window opened,
    the ones not drilled, and the date of the last drill. One query."""
    since = coverage_since(today)
    plans = list(plans)
    drilled = defaultdict(set)
    last = {}
    for plan_id, sections, started in (
        Drill.objects.filter(
            plan__in=[plan.pk for plan in plans],
            actual_start__date__gte=since,
        )
        .exclude(status=Drill.Status.PLANNED)
        .values_list("plan_id", "covered_sections", "actual_start")
    ):
        drilled[plan_id].update(sections or [])
        if plan_id not in last or started > last[plan_id]:
            last[plan_id] = started
    rows = []
    for plan in plans:
        covered = drilled.get(plan.pk, set())
        rows.append(
            {
                "plan": plan,
                "covered": [s for s in PlanSection if s.value in covered],
                "missing": [s for s in PlanSection if s.value not in covered],
                "last_drill": last.get(plan.pk),
            }
        )
    return rows
