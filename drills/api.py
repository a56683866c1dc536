"""Drills and corrective actions in the API (drills' router).

Scoped as the screens are: ``Drill.objects.visible_to`` (coordinators every drill, managers
their departments', everyone else the drills they coordinate or take part in) and
``CorrectiveAction.objects.visible_to`` (coordinators every action, managers their subtree's,
owners their own).
"""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lms.api import SyncCursor, SyncFilter, updated_since_filter

from .models import CorrectiveAction, Drill

router = Router(tags=["drills"])


class DrillOut(Schema):
    id: int
    title: str
    plan_id: int
    plan: str = Field(alias="plan.title", description="The emergency plan drilled.")
    form: str = Field(description="tabletop or live.")
    exercise_type: str
    status: str
    planned_start: datetime.datetime
    planned_end: datetime.datetime
    actual_start: datetime.datetime | None
    actual_end: datetime.datetime | None
    location: str
    organising_department: str = Field(alias="organising_department.code")
    coordinator: str = Field(alias="coordinator.number", description="Employee number.")
    updated_at: datetime.datetime


class ActionOut(Schema):
    id: int
    drill_id: int = Field(alias="finding.drill_id")
    finding: str = Field(alias="finding.title")
    description: str
    element: str
    owner: str = Field(alias="owner.number", description="Owner's employee number.")
    department: str = Field(alias="department.code")
    start_date: datetime.date
    due_date: datetime.date
    status: str
    closed_on: datetime.date | None
    updated_at: datetime.datetime


@router.get("/drills/", response=list[DrillOut], url_name="drill_list")
@paginate(SyncCursor)
def drill_list(request, filters: Query[SyncFilter]):
    queryset = Drill.objects.visible_to(request.user).with_related()
    return updated_since_filter(queryset, filters.updated_since)


@router.get("/corrective-actions/", response=list[ActionOut], url_name="corrective_action_list")
@paginate(SyncCursor)
def corrective_action_list(request, filters: Query[SyncFilter]):
    queryset = CorrectiveAction.objects.visible_to(request.user).select_related(
        "finding", "owner", "department"
    )
    return updated_since_filter(queryset, filters.updated_since)
