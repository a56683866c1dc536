"""Daily reminders of sessions and of required courses falling due."""

import datetime

from django.conf import settings
from django.utils import timezone

from lms.models import Employee
from lms.notifications.services import emit

from ..models import (
    Assignment,
    Enrollment,
)
from ..notifications import ASSIGNMENT_DUE, SESSION_REMINDER, AssignmentDue, SessionReminder
from ._common import _today


def reminders_send(*, today: datetime.date | None = None) -> dict:
    """Remind everyone whose session starts in COURSES_SESSION_REMINDER_DAYS days, and everyone
    whose required course falls due in COURSES_ASSIGNMENT_REMINDER_DAYS days, through the
    notification service (inbox and e-mail unless they chose otherwise). Run once a day."""
    today = today or _today()
    session_day = today + datetime.timedelta(days=settings.COURSES_SESSION_REMINDER_DAYS)
    due_day = today + datetime.timedelta(days=settings.COURSES_ASSIGNMENT_REMINDER_DAYS)
    sent = {"sessions": 0, "assignments": 0}
    enrollments = Enrollment.objects.filter(
        session__starts_at__date=session_day, employee__status=Employee.Status.ACTIVE
    ).select_related("session__course", "employee")
    for enrollment in enrollments:
        session = enrollment.session
        emit(
            SESSION_REMINDER,
            SessionReminder(
                session_id=session.pk,
                session=session.display_title,
                employee_number=enrollment.employee.number,
                name=enrollment.employee.name,
                starts_at=timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                location=session.location,
            ),
            recipients=[enrollment.employee],
        )
        sent["sessions"] += 1
    assignments = (
        Assignment.objects.open()
        .filter(due_on=due_day, employee__status=Employee.Status.ACTIVE)
        .select_related("course", "employee")
    )
    for assignment in assignments:
        emit(
            ASSIGNMENT_DUE,
            AssignmentDue(
                assignment_id=assignment.pk,
                course=assignment.course.title,
                course_url=assignment.course.url or "",
                employee_number=assignment.employee.number,
                name=assignment.employee.name,
                due_on=assignment.due_on,
            ),
            recipients=[assignment.employee],
        )
        sent["assignments"] += 1
    return sent
