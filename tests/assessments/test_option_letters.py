"""The exam page letters options by their position in the shown (shuffled) order, exactly as the
review does: an examinee who picked "B" reads "您的答案: B"."""

import re
from decimal import Decimal
from http import HTTPStatus

from django.urls import reverse

from assessments import services
from assessments.models import QuestionType
from tests.conftest import login
from tests.factories import assessments as af

OPTION = re.compile(
    r'<input type="radio" name="q(?P<item>\d+)" value="(?P<key>[A-H])"[^>]*>\s*'
    r'<span class="letter">(?P<letter>[^<]*)</span>\s*(?P<text>[^<]*)</label>'
)


def test_exam_page_and_review_letter_options_alike(client, people):
    employee = people["employee"]
    question = af.question(
        type=QuestionType.SINGLE,
        options=["甲选项", "乙选项", "丙选项", "丁选项", "戊选项", "己选项", "庚选项", "辛选项"],
        answer=["C"],
        points=Decimal(2),
    )
    exam = af.exam(
        questions=[question],
        audience=[employee],
        shuffle_options=True,
        review_policy="after_submit",
    )
    # Eight options stay in bank order once in 40,320 draws.
    attempt = services.attempt_start(exam=exam, employee=employee)
    item = attempt.items.get()
    keys = [option["key"] for option in item.snapshot["options"]]
    assert keys != sorted(keys), "the options were not shuffled; draw again"

    login(client, employee)
    page = client.get(reverse("assessments:attempt_page", args=[attempt.pk]))
    assert page.status_code == HTTPStatus.OK
    shown = [m.groupdict() for m in OPTION.finditer(page.content.decode())]
    assert [o["letter"] for o in shown] == list("ABCDEFGH")
    assert [o["key"] for o in shown] == keys  # the shown order is the snapshot's

    picked = shown[1]  # the examinee picks what they see as "B"
    right = next(o for o in shown if o["key"] == "C")
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": [picked["key"]], "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    result = client.get(reverse("assessments:attempt_result", args=[attempt.pk])).content.decode()
    assert re.search(r"您的答案\s*[:：]\s*B\b", result), result
    assert re.search(rf'正确答案\s*[:：]\s*<span class="right">{right["letter"]}</span>', result)
