"""Required training as the rules define it: for each person, each course a rule asks of them
and where they stand (done, assigned, overdue), and the position × course matrix built from it.

Read from the rules themselves, not only from open assignments: someone whose completion is
still valid has no assignment, yet the rule applies to them and they are "done".
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Q

from lms.dates import add_months
from lms.models import Employee

from .models import Assignment, Completion, TrainingRule

DONE = "done"
ASSIGNED = "assigned"
OVERDUE = "overdue"
# An employee reads their standing in the words of their assignments.
STATUS_LABELS = {
    DONE: Assignment.Status.DONE.label,
    ASSIGNED: Assignment.Status.DUE.label,
    OVERDUE: Assignment.Status.OVERDUE.label,
}


@dataclass(frozen=True)
class Requirement:
    employee_id: int
    rule: TrainingRule
    status: str
    due_on: datetime.date | None  # open: the date it is due; done: None
    valid_until: datetime.date | None  # done on a repeating rule: when it must be renewed
    completed_on: datetime.date | None

    @property
    def course(self):
        return self.rule.course

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def requirements(employees, *, today) -> list[Requirement]:
    """Every (person, course) a rule asks for, for ``employees`` (Employee objects with their
    department loaded). Three queries whatever the number of people and rules."""
    employees = list(employees)
    rules = list(
        TrainingRule.objects.filter(active=True)
        .select_related("course", "department")
        .order_by("course__title", "pk")
    )
    if not employees or not rules:
        return []
    ids = [employee.pk for employee in employees]
    course_ids = {rule.course_id for rule in rules}
    latest = {
        (row["employee_id"], row["course_id"]): row["last"]
        for row in Completion.objects.filter(employee_id__in=ids, course_id__in=course_ids)
        .values("employee_id", "course_id")
        .annotate(last=Max("completed_on"))
    }
    open_due = {
        (employee_id, course_id): due
        for employee_id, course_id, due in Assignment.objects.open()
        .filter(employee_id__in=ids, course_id__in=course_ids)
        .order_by("-due_on")
        .values_list("employee_id", "course_id", "due_on")
    }
    found = []
    seen = set()
    for rule in rules:
        for employee in employees:
            if rule.position_id and employee.position_id != rule.position_id:
                continue
            if rule.department_id and not employee.department.path.startswith(rule.department.path):
                continue
            key = (employee.pk, rule.course_id)
            if key in seen:  # two rules asking the same course of one person: the first
                continue
            seen.add(key)
            found.append(_standing(rule, employee.pk, latest.get(key), open_due.get(key), today))
    return found


def _standing(rule, employee_id, last, open_due, today):
    valid_until = add_months(last, rule.interval_months) if last and rule.interval_months else None
    if last is not None and open_due is None and (valid_until is None or valid_until >= today):
        return Requirement(employee_id, rule, DONE, None, valid_until, last)
    due = open_due or valid_until or rule.due_on
    status = OVERDUE if due < today else ASSIGNED
    return Requirement(employee_id, rule, status, due, None, last)


@dataclass
class Cell:
    assigned: int = 0  # people the rules ask the course of
    done: int = 0
    overdue: int = 0


def matrix(employees, *, today):
    """Positions × courses: in each cell how many people the rules ask the course of, how many
    are done and how many are overdue. Returns (positions, courses, {(position, course): Cell})
    with positions and courses sorted by name."""
    employees = list(employees)
    position_of = {employee.pk: employee.position for employee in employees}
    cells = defaultdict(Cell)
    positions, courses = {}, {}
    for requirement in requirements(employees, today=today):
        position = position_of[requirement.employee_id]
        course = requirement.course
        positions[position.pk], courses[course.pk] = position, course
        cell = cells[position.pk, course.pk]
        cell.assigned += 1
        cell.done += requirement.status == DONE
        cell.overdue += requirement.status == OVERDUE
    return (
        sorted(positions.values(), key=lambda p: (p.code, p.name)),
        sorted(courses.values(), key=lambda c: c.title),
        dict(cells),
    )


def employees_in_scope(user):
    """HR: every active employee; a department manager: those of the departments they head
    and below. Nobody else has a matrix."""
    from lms.roles import Role, has_role, managed_department_paths

    active = Employee.objects.active().select_related("department", "position")
    if user.is_superuser or has_role(user, Role.HR):
        return active
    paths = managed_department_paths(user)
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= Q(department__path__startswith=path)
    return active.filter(condition)
