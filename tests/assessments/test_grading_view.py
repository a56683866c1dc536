"""Graders mark against the key (when there is one) and the marking guidance; the employee
reads the grader's comment with the score, even while the answers stay hidden."""

from decimal import Decimal
from http import HTTPStatus

from django.urls import reverse

from assessments import services
from assessments.models import QuestionType
from tests.conftest import login
from tests.factories import assessments as af


def test_grader_sees_key_and_guidance_and_the_employee_the_comment(client, people):
    employee = people["employee"]
    essay = af.question(
        type=QuestionType.ESSAY, explanation="要点：停电、验电、挂接地线", points=Decimal(10)
    )
    short = af.question(type=QuestionType.SHORT, answer=["验电", "接地"], points=Decimal(5))
    exam = af.exam(questions=[essay, short], audience=[employee], review_policy="score_only")
    attempt = services.attempt_start(exam=exam, employee=employee)
    items = {item.snapshot["type"]: item for item in attempt.items.all()}
    services.attempt_save_answers(
        attempt=attempt,
        answers=[
            {"item": items["essay"].pk, "response": "先停电再验电", "seq": 1},
            {"item": items["short"].pk, "response": "验电", "seq": 2},
        ],
    )
    services.attempt_submit(attempt=attempt)
    items = {item.snapshot["type"]: item for item in attempt.items.all()}

    login(client, people["trainer"])
    queue = client.get(reverse("assessments:grading_queue"))
    assert queue.status_code == HTTPStatus.OK
    page = queue.content.decode()
    assert "评分要点" in page and "要点：停电、验电、挂接地线" in page
    if items["short"].needs_manual:  # keywords not all found: the grader decides
        assert "参考答案" in page and "验电,接地" in page

    for item, score, comment in [
        (items["essay"], "8", "漏了挂接地线"),
        (items["short"], "5", ""),
    ]:
        if item.needs_manual:
            client.post(
                reverse("assessments:grade_item", args=[item.pk]),
                {"score": score, "comment": comment},
            )
    attempt.refresh_from_db()
    assert attempt.status == "graded"

    login(client, employee)
    result = client.get(reverse("assessments:attempt_result", args=[attempt.pk])).content.decode()
    assert "阅卷评语" in result and "漏了挂接地线" in result
    assert "验电,接地" not in result  # the answers stay hidden under this review policy
