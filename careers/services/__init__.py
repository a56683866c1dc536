"""Writes for careers: indicator systems, appraisal periods and values, the calculation,
development plans, rotations, commendation and rectification, the archive zip.

Every function takes keyword-only arguments and runs in a transaction; status moves are model
methods that raise ``AppraisalError`` (``CareersError`` for plans and rotations), saved and
logged here. One module per use case (as Zulip's ``actions/``): ``indicators``, ``appraisal``
(periods and values), ``calculation`` (the pure scoring is ``careers.scoring``), ``development``,
``rotation``, ``recognition`` and ``archive``; ``_common`` holds what they share. Every public
name is re-exported here, so callers keep writing ``services.appraisal_period_calculate(...)``.
A test that patches a name must patch it in the module that looks it up, not here.
"""

from ..scoring import bonus_coefficients, grade_bands, grade_for
from .appraisal import (
    appraisal_period_create,
    appraisal_period_freeze,
    appraisal_period_publish,
    appraisal_period_start_collecting,
    appraisal_period_unpublish,
    indicator_value_correct,
    indicator_value_delete,
    indicator_value_set,
    indicator_values_import,
)
from .archive import archive_export_request
from .calculation import (
    CalculationSummary,
    appraisal_calculation_request,
    appraisal_period_calculate,
)
from .development import (
    check_in_add,
    development_goal_add,
    development_goal_set_status,
    development_plan_approve,
    development_plan_create,
    development_plan_review,
    development_plan_submit,
    planned_course_add,
    planned_course_progress,
)
from .indicators import (
    INDICATOR_FIELDS,
    indicator_create,
    indicator_system_activate,
    indicator_system_create,
    indicator_system_new_version,
    indicator_update,
)
from .recognition import recognition_create, rectification_follow_up
from .rotation import (
    rotation_assign,
    rotation_cancel,
    rotation_evaluate,
    rotation_evaluation_change,
    rotation_programme_create,
    rotation_start,
)

__all__ = [
    "CalculationSummary",
    "INDICATOR_FIELDS",
    "appraisal_calculation_request",
    "appraisal_period_calculate",
    "appraisal_period_create",
    "appraisal_period_freeze",
    "appraisal_period_publish",
    "appraisal_period_start_collecting",
    "appraisal_period_unpublish",
    "archive_export_request",
    "bonus_coefficients",
    "check_in_add",
    "development_goal_add",
    "development_goal_set_status",
    "development_plan_approve",
    "development_plan_create",
    "development_plan_review",
    "development_plan_submit",
    "grade_bands",
    "grade_for",
    "indicator_create",
    "indicator_system_activate",
    "indicator_system_create",
    "indicator_system_new_version",
    "indicator_update",
    "indicator_value_correct",
    "indicator_value_delete",
    "indicator_value_set",
    "indicator_values_import",
    "planned_course_add",
    "planned_course_progress",
    "recognition_create",
    "rectification_follow_up",
    "rotation_assign",
    "rotation_cancel",
    "rotation_evaluate",
    "rotation_evaluation_change",
    "rotation_programme_create",
    "rotation_start",
]
