"""Appraisal results in the API (careers' router): HR's alone, as the results screens are
before publication. Results are recalculated set-wise, so ``calculated_at`` is their change
time and ``updated_since`` reads it."""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lms.api import SyncCursor, SyncFilter, forbid_unless, updated_since_filter
from lms.roles import Role, has_role

from .models import AppraisalResult

router = Router(tags=["appraisal"])


class ResultFilter(SyncFilter):
    """``updated_since`` reads ``calculated_at``: results are recalculated set-wise."""

    period: int | None = Field(None, description="One appraisal period (its id).")


class AppraisalResultOut(Schema):
    id: int
    period_id: int
    period: str = Field(alias="period.name")
    period_status: str = Field(alias="period.status")
    employee: str = Field(alias="employee.number", description="Employee number (工号).")
    department: str = Field(alias="department.code")
    total_score: Decimal
    grade: str
    rank_in_department: int
    department_size: int
    bonus_coefficient: Decimal
    calculated_at: datetime.datetime


@router.get(
    "/appraisal-results/", response=list[AppraisalResultOut], url_name="appraisal_result_list"
)
@paginate(SyncCursor, ordering=("calculated_at", "id"))
def appraisal_result_list(request, filters: Query[ResultFilter]):
    """Every appraisal result of every period, published or not (HR)."""
    forbid_unless(has_role(request.user, Role.HR))
    queryset = AppraisalResult.objects.visible_to(request.user).select_related(
        "period", "employee", "department"
    )
    if filters.period is not None:
        queryset = queryset.filter(period_id=filters.period)
    return updated_since_filter(queryset, filters.updated_since, field="calculated_at")
