"""Extension points that training offers to other apps.

``register_course_exam_results``
    A function ``fn(course, session_ids) -> {session_id: ExamSummary}`` giving, per training
    session, how its participants did in the course exam. ``assessments`` registers one so that
    the course effectiveness report shows exam, practical check and questionnaire side by side.
    It must run a fixed number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from wagtail import hooks

COURSE_EXAM_RESULTS_HOOK = "register_course_exam_results"


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
