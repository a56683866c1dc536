"""What training announces through the notification service (``lms.notifications``)."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.notifications.kinds import Channel, EventKind

SESSION_REMINDER = "courses.session_reminder"
ASSIGNMENT_DUE = "courses.assignment_due"


@dataclass(frozen=True)
class SessionReminder:
    session_id: int
    session: str
    employee_number: str
    name: str
    starts_at: str  # local time as the reminder shows it
    location: str


@dataclass(frozen=True)
class AssignmentDue:
    assignment_id: int
    course: str
    course_url: str
    employee_number: str
    name: str
    due_on: datetime.date


def kinds():
    return [
        EventKind(
            SESSION_REMINDER,
            payload=SessionReminder,
            label=gettext_lazy("Training session reminders"),
            title=lambda p: _("Training reminder: %(session)s") % {"session": p.session},
            body=lambda p: (
                _("%(name)s, you are enrolled in “%(session)s” on %(time)s at %(location)s.")
                % {
                    "name": p.name,
                    "session": p.session,
                    "time": p.starts_at,
                    "location": p.location,
                }
            ),
            url=lambda p: reverse("portal:section", args=["learning"]),
            channels=(Channel.INBOX, Channel.EMAIL),
            order=10,
        ),
        EventKind(
            ASSIGNMENT_DUE,
            payload=AssignmentDue,
            label=gettext_lazy("Required training falling due"),
            title=lambda p: _("Required training due: %(course)s") % {"course": p.course},
            body=lambda p: (
                _("%(name)s, please complete “%(course)s” by %(due)s.")
                % {"name": p.name, "course": p.course, "due": p.due_on.isoformat()}
            ),
            url=lambda p: p.course_url,
            channels=(Channel.INBOX, Channel.EMAIL),
            order=11,
        ),
    ]
