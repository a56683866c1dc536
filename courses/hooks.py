"""Extension points that training offers to other apps.

``register_course_exam_results``
    A function ``fn(course, session_ids) -> {session_id: ExamSummary}`` giving, per training
    session, how its participants did in the course exam. ``assessments`` registers one so that
    the course effectiveness report shows exam, practical check and questionnaire side by side.
    It must run a fixed number of queries.

``register_course_completions_recorded``
    A function ``fn(completions)`` called inside the transaction that saves new completions
    (one, or a whole import), e.g. so that ``assessments`` issues the certificates configured
    for completing a course. It must run a fixed number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from wagtail import hooks

from lms.hooks import COMPLETIONS_RECORDED_HOOK, COURSE_EXAM_RESULTS_HOOK

__all__ = ["COMPLETIONS_RECORDED_HOOK", "COURSE_EXAM_RESULTS_HOOK", "ExamSummary"]


@dataclass(frozen=True)
class ExamSummary:
    taken: int
    passed: int
    average: Decimal | None = None

    def __str__(self):
        text = f"{self.passed} / {self.taken}"
        if self.average is not None:
            text += f" · {self.average:.1f}"
        return text


def course_exam_results(course, session_ids) -> dict[int, ExamSummary]:
    results = {}
    session_ids = list(session_ids)
    for fn in hooks.get_hooks(COURSE_EXAM_RESULTS_HOOK):
        results.update(fn(course, session_ids) or {})
    return results


def completions_recorded(completions) -> None:
    completions = list(completions)
    if not completions:
        return
    for fn in hooks.get_hooks(COMPLETIONS_RECORDED_HOOK):
        fn(completions)
