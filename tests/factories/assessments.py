"""Question bank and exam factories, built through assessments.services."""

import itertools
from decimal import Decimal

from assessments import services
from assessments.models import QuestionType

_counter = itertools.count(1)

DEFAULT_ANSWERS = {
    QuestionType.SINGLE: ["A"],
    QuestionType.MULTIPLE: ["A", "C"],
    QuestionType.TRUE_FALSE: True,
    QuestionType.FILL: [["欧姆", "Ω"]],
    QuestionType.SHORT: ["停电", "验电"],
    QuestionType.ESSAY: [],
    QuestionType.NUMERICAL: {
        "answers": [
            {"value": "0.7", "tolerance": "0.05", "fraction": "100"},
            {"value": "0.7", "tolerance": "0.2", "fraction": "50"},
        ],
        "units": [{"unit": "m", "multiplier": "1"}, {"unit": "cm", "multiplier": "100"}],
    },
    QuestionType.MATCHING: [["停电", "断开电源"], ["验电", "确认无电压"], ["", "悬挂标示牌"]],
    QuestionType.DESCRIPTION: [],
}


def category(path="安全规程/电气安全"):
    return services.category_for_path(path)


def question(*, type=QuestionType.SINGLE, category=None, stem=None, points=Decimal(1), **fields):
    n = next(_counter)
    options = fields.pop("options", None)
    if options is None:
        options = ["选项一", "选项二", "选项三", "选项四"] if type in ("single", "multiple") else []
    return services.question_create(
        category=category or services.category_for_path("安全规程/电气安全"),
        type=type,
        stem=stem or f"<p>第{n}题：工作票签发人的安全责任是什么？</p>",
        options=options,
        answer=fields.pop("answer", DEFAULT_ANSWERS[type]),
        points=points,
        **fields,
    )


def exam(*, questions=(), rules=(), audience=(), departments=(), **fields):
    """A published exam with fixed ``questions`` and ``rules`` (dicts of AssemblyRule fields)."""
    n = next(_counter)
    fields.setdefault("title", f"考试{n}")
    fields.setdefault("is_published", True)
    fields.setdefault("shuffle_questions", False)
    fields.setdefault("shuffle_options", False)
    return services.exam_create(
        questions=questions, rules=rules, employees=audience, departments=departments, **fields
    )


def attempt_in_progress(employee):
    """An open attempt of ``employee`` on the first exam they may sit now (for demo data)."""
    from assessments.models import AttemptError, Exam

    for exam in Exam.objects.for_employee(employee).order_by("pk"):
        try:
            return services.attempt_start(exam=exam, employee=employee)
        except AttemptError:  # closed, or no attempts left: the next exam
            continue
    raise AssertionError(f"no exam {employee} may sit now")


def sit(exam, employee, answers):
    """Take the exam answering single-choice items from ``answers`` in order; submit."""
    attempt = services.attempt_start(exam=exam, employee=employee)
    items = list(attempt.items.order_by("position"))
    services.attempt_save_answers(
        attempt=attempt,
        answers=[
            {"item": item.pk, "response": [answer], "seq": 1}
            for item, answer in zip(items, answers, strict=False)
        ],
    )
    return services.attempt_submit(attempt=attempt)
