"""Drill data built through drills.services."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from drills import services
from drills.models import (
    Drill,
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    EvaluationTemplate,
    ExerciseRole,
    RatingLevel,
    RatingScale,
    TemplateCriterion,
)

_counter = itertools.count(1)


def plan_index():
    return EmergencyPlanIndexPage.objects.get()  # made by drills' migration 0006


def plan(*, department, code=None, title=None, hazard=EmergencyPlanPage.Hazard.GRID_FAULT):
    n = next(_counter)
    return services.plan_create(
        index=plan_index(),
        code=code or f"YA-{n:03d}",
        title=title or f"应急预案{n}",
        level=EmergencyPlanPage.Level.SPECIAL,
        hazard=hazard,
        owning_department=department,
        organisation="<p>应急领导小组</p>",
        response="<p>接警、研判、启动响应</p>",
        disposal="<p>隔离故障、恢复供电</p>",
        resources="<p>抢修队伍、应急物资</p>",
    )


def scale(code):
    return RatingScale.objects.get(code=code)


def level(scale_code, level_code):
    return RatingLevel.objects.get(scale__code=scale_code, code=level_code)


def template(*, criteria=None, code=None, organised_by="phase"):
    """A template; ``criteria`` are (phase, capability, role, weight, scale code) tuples."""
    n = next(_counter)
    criteria = criteria or [
        ("alarm", "warning", "", Decimal("1"), "psmu"),
        ("command", "coordination", ExerciseRole.COMMANDER, Decimal("2"), "yes_no"),
        ("onsite", "grid_restoration", ExerciseRole.PLAYER, Decimal("1"), "score100"),
    ]
    template = EvaluationTemplate.objects.create(
        code=code or f"T{n}", name=f"评估表{n}", organised_by=organised_by
    )
    TemplateCriterion.objects.bulk_create(
        [
            TemplateCriterion(
                template=template,
                sort_order=i,
                text=f"评估要点{i + 1}",
                phase=phase,
                capability=capability,
                exercise_role=role,
                weight=weight,
                scale=scale(scale_code),
            )
            for i, (phase, capability, role, weight, scale_code) in enumerate(criteria)
        ]
    )
    return template


def drill(
    *,
    plan,
    coordinator,
    evaluators=(),
    participants=(),
    template=None,
    department=None,
    start=None,
    **fields,
):
    n = next(_counter)
    start = start or timezone.now() + datetime.timedelta(days=7)
    people = [(e, ExerciseRole.EVALUATOR) for e in evaluators] + list(participants)
    values = {
        "title": f"演练{n}",
        "plan": plan,
        "covered_sections": ["response", "disposal"],
        "form": Drill.Form.TABLETOP,
        "exercise_type": Drill.ExerciseType.TABLETOP,
        "scope": Drill.Scope.SINGLE,
        "purpose": Drill.Purpose.INSPECTION,
        "scenario": "台风导致10kV线路跳闸",
        "objectives": "检验应急响应流程",
        "planned_start": start,
        "planned_end": start + datetime.timedelta(hours=2),
        "location": "调度大厅",
        "organising_department": department or plan.owning_department,
        "coordinator": coordinator,
        "template": template or globals()["template"](),
    }
    values.update(fields)
    return services.drill_create(participants=people, **values)


def conduct(drill, *, start=None):
    start = start or timezone.now() - datetime.timedelta(hours=3)
    return services.drill_record_conducted(
        drill=drill, actual_start=start, actual_end=start + datetime.timedelta(hours=2)
    )


def fill_sheet(sheet, *, psmu="S", yes_no="yes", points=Decimal("80"), submit=True):
    for result in sheet.results.select_related("criterion__scale"):
        code = result.criterion.scale.code
        if code == "psmu":
            services.result_save(result=result, level=level("psmu", psmu))
        elif code == "yes_no":
            services.result_save(
                result=result,
                level=level("yes_no", yes_no),
                reason="未按时上报" if yes_no == "no" else "",
            )
        else:
            services.result_save(result=result, points=points)
    if submit:
        services.sheet_submit(sheet=sheet)
    return sheet


def improvement(drill, *, grade="rectification", title=None, department=None, by=None):
    return services.finding_record(
        drill=drill,
        kind="improvement",
        grade=grade,
        title=title or "信息报送不及时",
        responsible_department=department or drill.organising_department,
        recorded_by=by,
    )


def action(finding, *, owner, element="organisation", **fields):
    return services.action_create(
        finding=finding, description="修订信息报送流程", element=element, owner=owner, **fields
    )
