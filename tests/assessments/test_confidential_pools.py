"""Issue #14, finding 4: an unlimited practice quiz handed out the formal exam's key (30 rounds
in six seconds gave 38 of its questions). Questions a formal exam may still give, and any
category flagged confidential, never appear in practice; the trainer sees the overlap."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AttemptError, QuestionType
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    category = af.category("安全规程/电气安全")
    return category, [
        af.question(type=QuestionType.SINGLE, category=category, answer=["A"]) for _ in range(40)
    ]


def practice_rounds(exam, employee, rounds):
    seen = set()
    for _ in range(rounds):
        attempt = services.attempt_start(exam=exam, employee=employee)
        seen.update(attempt.items.values_list("question_id", flat=True))
        services.attempt_submit(attempt=attempt)
    return seen


def test_thirty_practice_rounds_give_nothing_of_the_formal_pool(people, bank, settings):
    settings.ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS = True
    category, questions = bank
    employee = people["employee"]
    formal = af.exam(
        kind="formal",
        questions=questions[:38],
        audience=[employee],
        review_policy="after_close",
        closes_at=timezone.now() + timedelta(days=3),
    )
    practice = af.exam(
        kind="practice",
        rules=[{"count": 2, "type": QuestionType.SINGLE, "category": category}],
        audience=[employee],
    )
    seen = practice_rounds(practice, employee, 30)
    assert seen and not seen & set(formal.fixed_questions.values_list("question_id", flat=True))
    assert seen <= {q.pk for q in questions[38:]}


def test_once_the_review_policy_shows_answers_practice_may_use_them(people, bank, settings):
    settings.ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS = True
    category, questions = bank
    employee = people["employee"]
    closed = timezone.now() - timedelta(minutes=1)
    af.exam(kind="formal", questions=questions[:39], audience=[employee],
            review_policy="after_close", closes_at=closed)  # fmt: skip
    practice = af.exam(
        kind="practice",
        rules=[{"count": 3, "type": QuestionType.SINGLE, "category": category}],
        audience=[employee],
    )
    assert len(practice_rounds(practice, employee, 3)) >= 3  # the closed exam's pool is open
    settings.ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS = False
    services.category_update(category=category, name=category.name, confidential=True)
    with pytest.raises(AttemptError):
        services.attempt_start(exam=practice, employee=people["colleague"])


def test_the_trainer_sees_which_practice_quizzes_share_questions(client, people, bank):
    category, questions = bank
    formal = af.exam(kind="formal", questions=questions[:5], audience=[people["employee"]])
    af.exam(
        kind="practice",
        title="每日一练",
        rules=[{"count": 1, "type": QuestionType.SINGLE, "category": category}],
        audience=[people["employee"]],
    )
    assert [(p.title, n) for p, n in services.practice_overlap(formal)] == [("每日一练", 5)]
    login(client, people["trainer"])
    page = client.get(reverse("assessments:exam_report", args=[formal.pk])).content.decode()
    assert "每日一练" in page and 'data-testid="shared-with-practice"' in page


# --- feedback and review (issue #14, 5): no key of a confidential question before its time ----


def practised(employee, category, questions):
    """A practice quiz of ``questions`` taken and submitted (feedback and review at once)."""
    practice = af.exam(kind="practice", questions=questions, audience=[employee])
    attempt = services.attempt_start(exam=practice, employee=employee)
    services.attempt_save_answers(
        attempt=attempt,
        answers=[{"item": i.pk, "response": ["B"], "seq": 1} for i in attempt.items.all()],
    )
    return services.attempt_submit(attempt=attempt)


def review(client, attempt):
    response = client.get(reverse("assessments:attempt_result", args=[attempt.pk]))
    return response.content.decode()


def test_practice_review_withholds_the_key_once_the_pool_is_confidential(client, people):
    category = af.category("安全规程/保密题库")
    question = af.question(category=category, answer=["A"], explanation="A：先验电后接地")
    attempt = practised(people["employee"], category, [question])
    login(client, people["employee"])
    page = review(client, attempt)
    assert "先验电后接地" in page and 'data-testid="key-withheld"' not in page
    # The pool is flagged after the practice was taken: its review no longer gives the key.
    services.category_update(category=category, name=category.name, confidential=True)
    page = review(client, attempt)
    assert 'data-testid="key-withheld"' in page
    assert "先验电后接地" not in page and 'class="right"' not in page


def test_practice_review_withholds_a_formal_exams_pool_until_its_review(client, people, settings):
    settings.ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS = True
    category = af.category("安全规程/线路")
    shared, other = (af.question(category=category, answer=["A"]) for _ in range(2))
    employee = people["employee"]
    attempt = practised(employee, category, [shared, other])
    formal = af.exam(kind="formal", questions=[shared], audience=[employee],
                     review_policy="after_close",
                     closes_at=timezone.now() + timedelta(days=3))  # fmt: skip
    login(client, employee)
    page = review(client, attempt)
    assert page.count('data-testid="key-withheld"') == 1  # the shared question only
    # A formal exam sharing the question reviews its own copy as its policy says, but not
    # while another formal exam still keeps the question confidential.
    other_formal = af.exam(kind="formal", questions=[shared, other], audience=[employee],
                           review_policy="after_submit")  # fmt: skip
    sat = services.attempt_start(exam=other_formal, employee=employee)
    sat = services.attempt_submit(attempt=sat)
    assert review(client, sat).count('data-testid="key-withheld"') == 1
    formal.closes_at = timezone.now() - timedelta(minutes=1)
    formal.save(update_fields=["closes_at"])
    assert 'data-testid="key-withheld"' not in review(client, attempt)
    assert 'data-testid="key-withheld"' not in review(client, sat)
