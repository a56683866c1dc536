"""Every write in training: progress, sessions, enrolment, attendance, completions, rules.

Each function is atomic, validates before it saves, refuses an illegal move with a
``TrainingError`` whose message is translated, and leaves an entry in Wagtail's audit log.

One module per use case (as Zulip's ``actions/``): ``lessons`` (online progress), ``sessions``
(sessions and enrolment), ``attendance`` (roster and check-in), ``completions``, ``assignments``
(required-training rules, assignments by hand and from drills), ``effectiveness`` (practical
checks, questionnaire answers), ``roles`` (training managers) and ``reminders``; ``_common``
holds what they share. Every public name is re-exported here, so callers keep writing
``services.enrollment_create(...)``. A test that patches a name must patch it in the module that
looks it up, not here.
"""

from ..models import TrainingError
from .assignments import (
    RULE_FIELDS,
    assignment_create,
    assignments_for_drill_action,
    rule_apply,
    rule_create,
    rule_employees,
    rule_update,
    rules_apply_all,
)
from .attendance import attendance_record, check_in
from .completions import completion_record, completions_import
from .effectiveness import practical_check_record, questionnaire_submit
from .lessons import lesson_complete, lesson_complete_when_tracked_done, lesson_open
from .reminders import reminders_send
from .roles import training_manager_set
from .sessions import (
    SESSION_FIELDS,
    can_assign,
    enrollment_cancel,
    enrollment_create,
    session_create,
    session_update,
)

__all__ = [
    "RULE_FIELDS",
    "SESSION_FIELDS",
    "TrainingError",
    "assignment_create",
    "assignments_for_drill_action",
    "attendance_record",
    "can_assign",
    "check_in",
    "completion_record",
    "completions_import",
    "enrollment_cancel",
    "enrollment_create",
    "lesson_complete",
    "lesson_complete_when_tracked_done",
    "lesson_open",
    "practical_check_record",
    "questionnaire_submit",
    "reminders_send",
    "rule_apply",
    "rule_create",
    "rule_employees",
    "rule_update",
    "rules_apply_all",
    "session_create",
    "session_update",
    "training_manager_set",
]
