"""Exam results, certificates and qualifications in the API (assessments' router).

Scoped as the screens are: results and certificates with ``visible_to`` (trainers and HR see
everyone's, managers their subtree's, employees their own); qualification standings for the
people the team view shows (managers, HR, trainers) or else one's own; certificate verification
by code is public and says what the public check page says, nothing more.
"""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lms.api import PathCode, SyncCursor, SyncFilter, not_found, updated_since_filter
from lms.models import Employee
from lms.roles import Role, get_employee, has_role

from . import qualifications
from .models import Attempt, Certificate, Exam

router = Router(tags=["exams"])


class EmployeeFilter(SyncFilter):
    employee: str | None = Field(None, description="One employee's records (employee number).")


class ResultOut(Schema):
    """A finished attempt. Score and outcome are null until it is graded."""

    id: int
    employee: str = Field(alias="employee.number", description="Employee number (工号).")
    exam_id: int
    exam: str = Field(alias="exam.title")
    attempt_number: int = Field(alias="number")
    status: str = Field(description="submitted (awaiting grading) or graded.")
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    graded_at: datetime.datetime | None
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_score(obj):
        return obj.score if obj.status == Attempt.Status.GRADED else None

    @staticmethod
    def resolve_percent(obj):
        return obj.percent if obj.status == Attempt.Status.GRADED else None

    @staticmethod
    def resolve_passed(obj):
        return obj.passed if obj.status == Attempt.Status.GRADED else None


class CertificateOut(Schema):
    id: int
    code: str = Field(description="Verification code.")
    employee: str = Field(alias="employee.number", description="Holder's employee number.")
    title: str
    exam_id: int
    issued_on: datetime.date
    expires_on: datetime.date | None
    status: str = Field(description="valid, expired or revoked.")
    revoked_reason: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_status(obj):
        return obj.status()


class CertificateCheckOut(Schema):
    """What the public check page shows."""

    code: str
    holder: str = Field(alias="employee.name")
    title: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    status: str

    @staticmethod
    def resolve_status(obj):
        return obj.status()


class StandingOut(Schema):
    rule_id: int
    rule: str
    status: str = Field(description="valid, expiring or lapsed.")
    passed_on: datetime.date | None
    valid_until: datetime.date | None
    needs_reexamination: bool


class QualificationsOut(Schema):
    employee: str = Field(description="Employee number (工号).")
    qualifications: list[StandingOut]


def _for_employee(queryset, filters):
    if filters.employee:
        queryset = queryset.filter(employee__number=filters.employee.strip().upper())
    return queryset


@router.get("/exam-results/", response=list[ResultOut], url_name="exam_result_list")
@paginate(SyncCursor)
def exam_result_list(request, filters: Query[EmployeeFilter]):
    """Submitted and graded attempts (attempts in progress are not results yet; mock exams
    are rehearsals, never results)."""
    queryset = (
        Attempt.objects.visible_to(request.user)
        .finished()
        .exclude(exam__kind=Exam.Kind.MOCK)
        .select_related("employee", "exam")
    )
    return updated_since_filter(_for_employee(queryset, filters), filters.updated_since)


@router.get("/certificates/", response=list[CertificateOut], url_name="certificate_list")
@paginate(SyncCursor)
def certificate_list(request, filters: Query[EmployeeFilter]):
    queryset = Certificate.objects.visible_to(request.user).select_related("employee")
    return updated_since_filter(_for_employee(queryset, filters), filters.updated_since)


@router.get(
    "/certificates/verify/{code}",
    response=CertificateCheckOut,
    auth=None,
    url_name="certificate_verify",
)
def certificate_verify(request, code: PathCode):
    """Public: check a certificate by its verification code (no token needed)."""
    certificate = (
        Certificate.objects.select_related("employee").filter(code=code.strip().upper()).first()
    )
    if certificate is None:
        not_found()
    return certificate


class _Standings:
    """Employees whose qualification standings a page lists: the standings of one page are
    computed set-wise, after the page's employees are read."""

    def __init__(self, queryset):
        self.queryset = queryset

    def order_by(self, *names):
        return _Standings(self.queryset.order_by(*names))

    def filter(self, *args, **kwargs):
        return _Standings(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, window):
        employees = list(self.queryset[window])
        standing = qualifications.standings(employees)
        return [
            {
                "id": employee.pk,
                "employee": employee.number,
                "qualifications": [
                    {
                        "rule_id": row.rule.pk,
                        "rule": row.rule.name,
                        "status": row.status,
                        "passed_on": row.passed_on,
                        "valid_until": row.valid_until,
                        "needs_reexamination": row.needs_reexamination,
                    }
                    for row in standing.get(employee.pk, [])
                ],
            }
            for employee in employees
        ]


class QualificationFilter(Schema):
    employee: str | None = Field(None, description="One employee (employee number).")


@router.get("/qualifications/", response=list[QualificationsOut], url_name="qualification_list")
@paginate(SyncCursor, ordering=("id",))
def qualification_list(request, filters: Query[QualificationFilter]):
    """Fit for duty: each active employee's standing against every qualification rule that
    applies to their post, computed today. Managers, HR and trainers get the people of their
    team view; everyone else their own."""
    if has_role(request.user, Role.MANAGER, Role.HR, Role.TRAINER):
        employees = Employee.objects.visible_to(request.user).active()
    else:
        own = get_employee(request.user)
        employees = Employee.objects.filter(pk=own.pk if own else None)
    if filters.employee:
        employees = employees.filter(number=filters.employee.strip().upper())
    return _Standings(employees)
