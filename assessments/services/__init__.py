"""Writes of the question bank, exams, attempts, grading and certificates, one module per use
case (as Zulip's ``actions/``):

- ``bank``: categories and questions, one by one or imported in bulk;
- ``exams``: an exam with its fixed questions, rules and audience; extra time or attempts;
- ``draw``: the cached draw plan, each attempt's draw, the pools and what practice withholds;
- ``attempts``: start, autosave, submit and submission when time is up;
- ``grading``: grading by hand and regrading after a key correction;
- ``certificates``: issue, sync, revoke, change, bundles, expiry reminders, qualifications;
- the practice services live in ``assessments/practice.py`` (docs/practice.md).

Keyword-only, atomic, validated before saving; scores and key corrections leave audit entries
in Wagtail's log (shown on each object's history in the admin). Every public name is re-exported
here, so callers keep writing ``services.attempt_submit(...)``. A test that patches a name must
patch it in the module that looks it up (``assessments.services.attempts``, …), not here.
"""

from django.core.exceptions import ValidationError

from lms.dates import add_months

from ..answers import needs_manual_grading
from ..draw_generation import DRAW_GENERATION_KEY, draw_plan_forget
from .attempts import (
    SaveOutcome,
    attempt_refresh,
    attempt_save_answers,
    attempt_save_own_answers,
    attempt_start,
    attempt_state,
    attempt_submit,
    attempts_submit_overdue,
)
from .bank import (
    QUESTION_CONTENT_FIELDS,
    category_create,
    category_for_path,
    category_update,
    question_create,
    question_update,
    questions_bulk_create,
    text_to_rich_text,
)
from .certificates import (
    certificate_bundle_build,
    certificate_bundle_request,
    certificate_change,
    certificate_issue_for,
    certificate_revoke,
    certificate_state,
    certificate_sync,
    certificates_remind_expiring,
    qualifications_announce,
)
from .draw import (
    DRAW_PLAN_KEY,
    confidential_question_ids,
    draw_plan,
    exam_draw,
    exam_pool,
    practice_overlap,
    snapshot_question,
    withheld_keys,
)
from .exams import exam_create, exam_override_for, exam_override_set, exam_save
from .grading import exam_regrade, item_grade
from .papers import (
    exams_due_for_papers,
    paper_take,
    papers_fill,
    papers_fill_due,
    papers_refill_soon,
    papers_wanted,
    pool_size,
)

# The practice services (assessments/practice.py; docs/practice.md), called from here too.
from ..practice import (  # isort: skip  (practice reads the services above)
    daily_answer,
    daily_practice_for,
    mock_attempt_start,
    mock_exam_for,
    practice_answer_record,
    practice_sync,
    wrong_book_answer,
)

__all__ = [
    "DRAW_GENERATION_KEY",
    "DRAW_PLAN_KEY",
    "QUESTION_CONTENT_FIELDS",
    "SaveOutcome",
    "ValidationError",
    "add_months",
    "attempt_refresh",
    "attempt_save_answers",
    "attempt_save_own_answers",
    "attempt_start",
    "attempt_state",
    "attempt_submit",
    "attempts_submit_overdue",
    "category_create",
    "category_for_path",
    "category_update",
    "certificate_bundle_build",
    "certificate_bundle_request",
    "certificate_change",
    "certificate_issue_for",
    "certificate_revoke",
    "certificate_state",
    "certificate_sync",
    "certificates_remind_expiring",
    "confidential_question_ids",
    "daily_answer",
    "daily_practice_for",
    "draw_plan",
    "draw_plan_forget",
    "exams_due_for_papers",
    "paper_take",
    "papers_fill",
    "papers_fill_due",
    "papers_refill_soon",
    "papers_wanted",
    "pool_size",
    "exam_create",
    "exam_draw",
    "exam_override_for",
    "exam_override_set",
    "exam_save",
    "exam_pool",
    "exam_regrade",
    "item_grade",
    "mock_attempt_start",
    "mock_exam_for",
    "needs_manual_grading",
    "practice_answer_record",
    "practice_overlap",
    "practice_sync",
    "qualifications_announce",
    "question_create",
    "question_update",
    "questions_bulk_create",
    "snapshot_question",
    "text_to_rich_text",
    "withheld_keys",
    "wrong_book_answer",
]
