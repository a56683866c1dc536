"""Writes of the drill cycle: plan → drill → evaluation → report → corrective actions → revision.

Every function takes keyword-only arguments, runs in a transaction, validates before saving and
writes an audit entry. Illegal moves raise ``DrillError`` (from the model methods).

One module per use case (as Zulip's ``actions/``): ``plans``, ``exercises`` (a drill's life),
``evaluation`` (sheets and results), ``reports`` (approval and frozen scores; the pure scoring is
``drills.scoring``) and ``actions`` (findings and corrective actions); ``_common`` holds what they
share. Every public name is re-exported here, so callers keep writing ``services.drill_close(...)``.
A test that patches a name must patch it in the module that looks it up, not here.
"""

from lms.hooks import TRAINING_ACTION_HOOK

from ..models import DrillError
from .actions import (
    ACTION_EDITABLE_FIELDS,
    action_create,
    action_delete,
    action_note,
    action_reject,
    action_start,
    action_submit,
    action_update,
    action_verify,
    actions_remind_overdue,
    finding_record,
)
from .evaluation import (
    RATING_FIELDS,
    RESULT_FIELDS,
    result_save,
    result_save_fields,
    sheet_assign,
    sheet_ratings,
    sheet_reopen,
    sheet_submit,
    template_new_version,
    template_save,
    validate_evidence,
)
from .exercises import (
    drill_close,
    drill_create,
    drill_mark_evaluated,
    drill_record_conducted,
    drill_schedule,
    drill_summary_update,
    drill_update,
    participant_self_assess,
)
from .plans import (
    PLAN_REVIEW_TASK_NAME,
    PLAN_WORKFLOW_NAME,
    plan_create,
    plan_current_revision,
    plan_revise,
    plan_revision_note_record,
    plan_workflow_ensure,
)
from .reports import report_approve, scores_to_json

__all__ = [
    "ACTION_EDITABLE_FIELDS",
    "DrillError",
    "PLAN_REVIEW_TASK_NAME",
    "PLAN_WORKFLOW_NAME",
    "RATING_FIELDS",
    "RESULT_FIELDS",
    "TRAINING_ACTION_HOOK",
    "action_create",
    "action_delete",
    "action_note",
    "action_reject",
    "action_start",
    "action_submit",
    "action_update",
    "action_verify",
    "actions_remind_overdue",
    "drill_close",
    "drill_create",
    "drill_mark_evaluated",
    "drill_record_conducted",
    "drill_schedule",
    "drill_summary_update",
    "drill_update",
    "finding_record",
    "participant_self_assess",
    "plan_create",
    "plan_current_revision",
    "plan_revise",
    "plan_revision_note_record",
    "plan_workflow_ensure",
    "report_approve",
    "result_save",
    "result_save_fields",
    "scores_to_json",
    "sheet_assign",
    "sheet_ratings",
    "sheet_reopen",
    "sheet_submit",
    "template_new_version",
    "template_save",
    "validate_evidence",
]
