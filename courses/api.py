"""Training records in the API: completions and training hours (courses' router).

Scoped with ``Completion.objects.visible_to`` as the training screens are: training staff see
everyone's, managers their department subtree's, employees their own.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Sum, Value
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lms.api import SyncCursor, SyncFilter, updated_since_filter

from .models import Completion

router = Router(tags=["training"])


class CompletionFilter(SyncFilter):
    year: int | None = Field(None, ge=1900, le=9999, description="Completed in this year.")
    employee: str | None = Field(None, description="One employee's records (employee number).")


class CompletionOut(Schema):
    id: int
    employee: str = Field(alias="employee.number", description="Employee number (工号).")
    course: str = Field(alias="course.title")
    course_id: int
    completed_on: datetime.date
    hours: Decimal
    credits: Decimal
    source: str = Field(description="online, session or external.")
    provider: str
    updated_at: datetime.datetime


class HoursFilter(Schema):
    year: int = Field(ge=1900, le=9999, description="The calendar year.")
    employee: str | None = Field(None, description="One employee (employee number).")


class HoursOut(Schema):
    employee: str = Field(description="Employee number (工号).")
    year: int
    hours: Decimal
    credits: Decimal
    completions: int


def _filtered(request, filters):
    queryset = Completion.objects.visible_to(request.user)
    if filters.year is not None:
        queryset = queryset.filter(completed_on__year=filters.year)
    if filters.employee:
        queryset = queryset.filter(employee__number=filters.employee.strip().upper())
    return queryset


@router.get("/completions/", response=list[CompletionOut], url_name="completion_list")
@paginate(SyncCursor)
def completion_list(request, filters: Query[CompletionFilter]):
    """Courses and external training finished, with their hours and credits."""
    queryset = _filtered(request, filters).select_related("employee", "course")
    return updated_since_filter(queryset, filters.updated_since)


@router.get("/training-hours/", response=list[HoursOut], url_name="training_hours")
@paginate(SyncCursor, ordering=("employee_id",))
def training_hours(request, filters: Query[HoursFilter]):
    """Each employee's training hours and credits in a year (those with any), one row each."""
    queryset = Completion.objects.visible_to(request.user).filter(completed_on__year=filters.year)
    if filters.employee:
        queryset = queryset.filter(employee__number=filters.employee.strip().upper())
    return (
        queryset.order_by()
        .values("employee_id")
        .annotate(hours=Sum("hours"), credits=Sum("credits"), completions=Count("pk"))
        .values("employee_id", "hours", "credits", "completions", employee=F("employee__number"))
        .annotate(year=Value(filters.year))
    )
