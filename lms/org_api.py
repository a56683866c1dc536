"""The organisation in the API: departments, positions and employees (lms's router).

Departments and positions are HR's, as their admin screens are. Employees are scoped with
``Employee.objects.visible_to`` and each row shows only the fields its reader may see
(``lms.personal``), as the directory does. The bulk upsert is HR's spreadsheet import by
another road (``lms.employee_sync``).
"""

import datetime

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from . import personal
from .api import (
    PathCode,
    SyncCursor,
    SyncFilter,
    forbid_unless,
    not_found,
    updated_since_filter,
)
from .employee_sync import SyncRefused, dataset_from_rows, employees_sync
from .models import Department, Employee, Position
from .roles import Role, has_role

router = Router(tags=["organisation"])


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None = Field(alias="parent_code", description="The parent department's code.")
    manager: str | None = Field(
        alias="manager_number", description="The manager's employee number."
    )
    updated_at: datetime.datetime


class PositionOut(Schema):
    code: str
    name: str
    category: str
    description: str
    updated_at: datetime.datetime


def _visible(obj, context, name):
    """Whether the reader may see the field ``name`` of this employee (``lms.personal``)."""
    fields = getattr(obj, "api_fields", None)
    if fields is None:
        fields = personal.listing_fields(context["request"].user)
    return name in fields


class EmployeeOut(Schema):
    """An employee as the reader may see them: fields outside their tier are null."""

    number: str = Field(description="Employee number (工号).")
    name: str
    department: str | None = Field(None, description="Department code.")
    position: str | None = Field(None, description="Position code.")
    status: str | None = Field(None, description="active, on_leave or left.")
    hire_date: datetime.date | None = None
    phone: str | None = None
    email: str | None = None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_department(obj, context):
        return obj.department.code if _visible(obj, context, "department") else None

    @staticmethod
    def resolve_position(obj, context):
        return obj.position.code if _visible(obj, context, "position") else None

    @staticmethod
    def resolve_status(obj, context):
        return obj.status if _visible(obj, context, "status") else None

    @staticmethod
    def resolve_hire_date(obj, context):
        return obj.hire_date if _visible(obj, context, "hire_date") else None

    @staticmethod
    def resolve_phone(obj, context):
        return obj.phone if _visible(obj, context, "phone") else None

    @staticmethod
    def resolve_email(obj, context):
        return obj.email if _visible(obj, context, "email") else None


class EmployeeIn(Schema):
    """One employee, by the spreadsheet import's rules (blank optional fields keep what is
    stored; status is active, on_leave or left, or 在职/休假/离职)."""

    number: str = Field(description="Employee number (工号): the key of the upsert.")
    name: str | None = None
    department: str | None = Field(None, description="Department code.")
    position: str | None = Field(None, description="Position code.")
    hire_date: str | None = Field(None, description="YYYY-MM-DD.")
    status: str | None = None
    phone: str | None = None
    email: str | None = None

    @field_validator("*")
    @classmethod
    def storable_text(cls, value):
        # What no database column stores: a NUL character (PostgreSQL refuses it outright), or
        # a lone surrogate that a JSON escape (\ud800) can carry but UTF-8 cannot encode.
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError(_("The value contains a NUL character, which no field accepts."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(_("The value is not valid Unicode text.")) from None
        return value


class EmployeeUpsertIn(Schema):
    employees: list[EmployeeIn]
    deactivate_missing: bool = Field(
        False,
        description="The list is the whole staff: everyone not in it is marked as left.",
    )
    dry_run: bool = Field(False, description="Report what would change; save nothing.")


class EmployeeUpsertOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    deactivated: int
    created_numbers: list[str]
    updated_numbers: list[str]
    deactivated_numbers: list[str]


class RowErrors(Schema):
    detail: str
    errors: list[str] = Field(
        description="One line per problem: the row (its place in `employees`, from 1), the "
        "field and the reason, worded as the spreadsheet import words them."
    )


def _departments():
    """Departments with their manager's number and their parent's code, in one query."""
    parent = Department.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Department.steplen)
    ).values("code")[:1]
    return Department.objects.annotate(
        parent_code=Subquery(parent), manager_number=F("manager__number")
    )


def _may_read_org(user) -> bool:
    return has_role(user, Role.HR)


@router.get("/departments/", response=list[DepartmentOut], url_name="department_list")
@paginate(SyncCursor)
def department_list(request, filters: Query[SyncFilter]):
    """Every department (HR)."""
    forbid_unless(_may_read_org(request.user))
    return updated_since_filter(_departments(), filters.updated_since)


@router.get("/departments/{code}", response=DepartmentOut, url_name="department_detail")
def department_detail(request, code: PathCode):
    forbid_unless(_may_read_org(request.user))
    department = _departments().filter(code=code).first()
    if department is None:
        not_found()
    return department


@router.get("/positions/", response=list[PositionOut], url_name="position_list")
@paginate(SyncCursor)
def position_list(request, filters: Query[SyncFilter]):
    """Every position (HR)."""
    forbid_unless(_may_read_org(request.user))
    return updated_since_filter(Position.objects.all(), filters.updated_since)


@router.get("/positions/{code}", response=PositionOut, url_name="position_detail")
def position_detail(request, code: PathCode):
    forbid_unless(_may_read_org(request.user))
    position = Position.objects.filter(code=code).first()
    if position is None:
        not_found()
    return position


@router.get("/employees/", response=list[EmployeeOut], url_name="employee_list")
@paginate(SyncCursor)
def employee_list(request, filters: Query[SyncFilter]):
    """The employees the token's owner may see (a manager: their subtree; HR: everyone)."""
    queryset = Employee.objects.visible_to(request.user).select_related("department", "position")
    return updated_since_filter(queryset, filters.updated_since)


@router.post(
    "/employees/bulk-upsert",
    response={200: EmployeeUpsertOut, 400: RowErrors},
    url_name="employee_bulk_upsert",
)
def employee_bulk_upsert(request, payload: EmployeeUpsertIn):
    """Create and update employees by employee number (HR), all or nothing.

    The rows are checked exactly as the spreadsheet employee import checks a sheet; any bad
    row refuses the whole request (400, every problem listed) and nothing is saved. Sending
    the same rows again changes nothing. With `deactivate_missing` the list is the whole
    staff and everyone missing from it is marked as left, their account switched off.
    """
    forbid_unless(has_role(request.user, Role.HR))
    if not payload.employees:
        raise HttpError(400, _("The request names no employees."))
    if len(payload.employees) > settings.API_MAX_UPSERT_ROWS:
        raise HttpError(
            400,
            _("One request takes at most %(limit)s employees.")
            % {"limit": settings.API_MAX_UPSERT_ROWS},
        )
    try:
        result = employees_sync(
            dataset=dataset_from_rows([row.model_dump() for row in payload.employees]),
            source=_("REST API"),
            deactivate_missing=payload.deactivate_missing,
            dry_run=payload.dry_run,
            acting_user=request.user,
        )
    except SyncRefused as refused:
        return Status(400, {"detail": _("Nothing was saved."), "errors": refused.problems})
    return {
        "dry_run": result.dry_run,
        **result.counts(),
        "created_numbers": result.created,
        "updated_numbers": result.updated,
        "deactivated_numbers": result.deactivated,
    }


# After bulk-upsert: "/employees/{number}" would otherwise take that path.
@router.get("/employees/{number}", response=EmployeeOut, url_name="employee_detail")
def employee_detail(request, number: PathCode):
    employee = (
        Employee.objects.visible_to(request.user)
        .select_related("department", "position")
        .filter(number=number.strip().upper())
        .first()
    )
    if employee is None:
        not_found()
    employee.api_fields = personal.employee_fields(request.user, employee)
    return employee
