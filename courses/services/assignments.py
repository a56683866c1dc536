"""Required training: rules, the assignments they make, assignments by hand and from drills."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.dates import add_months
from lms.models import Employee

from ..models import (
    Assignment,
    Completion,
    CoursePage,
    TrainingError,
    TrainingRule,
)
from ._common import _today

RULE_FIELDS = ("course", "position", "department", "due_on", "interval_months", "active")


@transaction.atomic
def rule_create(*, acting_user=None, apply: bool = True, **fields) -> TrainingRule:
    rule = TrainingRule(**fields)
    rule.full_clean()
    rule.save()
    log(rule, "wagtail.create", user=acting_user)
    if apply:
        rule_apply(rule=rule)
    return rule


@transaction.atomic
def rule_update(*, rule: TrainingRule, acting_user=None, **fields) -> TrainingRule:
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    log(rule, "wagtail.edit", user=acting_user, data={"changed": sorted(fields)})
    rule_apply(rule=rule)
    return rule


def rule_employees(rule: TrainingRule):
    employees = Employee.objects.active()
    if rule.position_id:
        employees = employees.filter(position_id=rule.position_id)
    if rule.department_id:
        employees = employees.in_department(rule.department)
    return employees


@transaction.atomic
def rule_apply(*, rule: TrainingRule, today: datetime.date | None = None) -> int:
    """Create the assignments the rule asks for; return how many were created.

    Everyone in scope without a valid completion gets an open assignment (one per person and
    course). For a repeating rule, a completion stays valid for ``interval_months``; it is
    re-assigned ``COURSES_REASSIGN_LEAD_DAYS`` before it expires, due on the expiry date.
    A fixed number of queries whatever the number of people.
    """
    if not rule.active:
        return 0
    today = today or _today()
    employee_ids = list(rule_employees(rule).values_list("pk", flat=True))
    latest = dict(
        Completion.objects.filter(employee_id__in=employee_ids, course_id=rule.course_id)
        .values("employee_id")
        .annotate(last=Max("completed_on"))
        .values_list("employee_id", "last")
    )
    open_ids = set(
        Assignment.objects.open()
        .filter(employee_id__in=employee_ids, course_id=rule.course_id)
        .values_list("employee_id", flat=True)
    )
    lead = datetime.timedelta(days=settings.COURSES_REASSIGN_LEAD_DAYS)
    late_due = today + datetime.timedelta(days=settings.COURSES_NEW_ASSIGNMENT_DAYS)
    new = []
    for employee_id in employee_ids:
        if employee_id in open_ids:
            continue
        last = latest.get(employee_id)
        if last is None:
            # A rule's first due date holds for everyone it finds; someone who comes into
            # scope after that date gets COURSES_NEW_ASSIGNMENT_DAYS from today.
            due = rule.due_on if rule.due_on >= today else late_due
        elif rule.interval_months:
            expires = add_months(last, rule.interval_months)
            if expires - lead > today:
                continue
            due = expires
        else:
            continue  # completed once: done for good
        new.append(
            Assignment(employee_id=employee_id, course_id=rule.course_id, rule=rule, due_on=due)
        )
    Assignment.objects.bulk_create(new, batch_size=500)
    if new:
        log(rule, "courses.rule_applied", data={"assigned": len(new)})
    return len(new)


def rules_apply_all(*, today: datetime.date | None = None) -> int:
    total = 0
    for rule in TrainingRule.objects.filter(active=True).select_related("department"):
        total += rule_apply(rule=rule, today=today)
    return total


@transaction.atomic
def assignment_create(
    *, employee: Employee, course: CoursePage, due_on: datetime.date, acting_user=None
) -> Assignment:
    """Assign a course to one employee by hand (HR)."""
    if Assignment.objects.open().filter(employee=employee, course=course).exists():
        raise TrainingError(
            _("%(employee)s already has an open assignment for “%(course)s”.")
            % {"employee": employee, "course": course.title}
        )
    assignment = Assignment(employee=employee, course=course, due_on=due_on)
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    log(assignment, "wagtail.create", user=acting_user)
    return assignment


@transaction.atomic
def assignments_for_drill_action(action) -> list[Assignment]:
    """Assign the course a drill's training corrective action names to the drill's participants.

    Answers the drills hook ``drills_training_action_created``; ``action`` is the drills
    corrective action, read only through its public attributes (``element``, ``course_code``,
    ``due_date``, ``finding.drill.participants``). Every participant but the evaluators is
    assigned, due by the action's due date. Ignored (nothing
    assigned) when the action names no course or an unknown or unpublished one; participants who
    have left, or already hold an open assignment for the course, are skipped. A fixed number of
    queries whatever the number of participants.
    """
    code = (getattr(action, "course_code", "") or "").strip()
    if getattr(action, "element", None) != "training" or not code:
        return []
    course = CoursePage.objects.live().filter(code__iexact=code).first()
    if course is None:
        return []
    participant_ids = {
        p.employee_id
        for p in action.finding.drill.participants.all()
        if p.role != "evaluator"  # evaluators assess the drill, they are not the ones trained
    }
    employee_ids = set(
        Employee.objects.exclude(status=Employee.Status.LEFT)
        .filter(pk__in=participant_ids)
        .values_list("pk", flat=True)
    )
    employee_ids -= set(
        Assignment.objects.open()
        .filter(employee_id__in=employee_ids, course=course)
        .values_list("employee_id", flat=True)
    )
    new = [
        Assignment(employee_id=employee_id, course=course, due_on=action.due_date)
        for employee_id in sorted(employee_ids)
    ]
    Assignment.objects.bulk_create(new, batch_size=500)
    if new:
        log(
            course,
            "courses.drill_action_assigned",
            data={"action": action.pk, "assigned": len(new)},
        )
    return new
