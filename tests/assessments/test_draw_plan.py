"""What an exam's attempts are drawn from is read once and kept in the cache until the question
bank or the exam's rules change (assessments.services.draw_plan)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import AttemptError, QuestionType
from tests.factories import assessments as af


@pytest.fixture
def exam(people):
    category = af.category()
    for _ in range(4):
        af.question(type=QuestionType.SINGLE, category=category)
    fixed = af.question(type=QuestionType.TRUE_FALSE, category=category)
    return af.exam(
        questions=[fixed],
        audience=[people["employee"], people["colleague"], people["outsider"]],
        rules=[{"count": 2, "type": QuestionType.SINGLE, "category": category}],
    )


def _queries(fn):
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, len(queries.captured_queries)


def _candidates(exam):
    (_fixed, rule_pools) = services.draw_plan(exam)
    return set(rule_pools[0][1])


def test_the_plan_is_read_once(exam):
    first, read = _queries(lambda: services.draw_plan(exam))
    again, read_again = _queries(lambda: services.draw_plan(exam))
    assert read == 3  # fixed questions, rules with their categories, the candidates
    assert read_again == 0
    assert again == first
    assert len(first[1][0][1]) == 4


def test_the_plan_is_read_every_time_when_switched_off(exam, settings):
    settings.EXAM_DRAW_PLAN_SECONDS = 0
    services.draw_plan(exam)
    _plan, read = _queries(lambda: services.draw_plan(exam))
    assert read == 3


def test_a_retired_question_is_no_longer_drawn(exam):
    candidates = _candidates(exam)
    retired = exam.rules.get().candidates().first()
    retired.is_active = False
    retired.save()
    assert _candidates(exam) == candidates - {retired.pk}


def test_a_new_question_joins_the_candidates(exam):
    before = _candidates(exam)
    added = af.question(type=QuestionType.SINGLE, category=exam.rules.get().category)
    assert _candidates(exam) == before | {added.pk}


def test_a_changed_rule_is_drawn_by(exam):
    services.draw_plan(exam)
    rule = exam.rules.get()
    rule.count = 5  # more than the bank holds
    rule.save()
    with pytest.raises(AttemptError, match="5"):
        services.exam_draw(exam)


def test_starts_draw_from_the_cached_plan(exam, people):
    first = services.attempt_start(exam=exam, employee=people["employee"])
    second, read = _queries(lambda: services.attempt_start(exam=exam, employee=people["colleague"]))
    assert first.items.count() == second.items.count() == 3
    _third, read_fresh = _queries(
        lambda: (
            services.draw_plan_forget(),
            services.attempt_start(exam=exam, employee=people["outsider"]),
        )
    )
    assert read_fresh == read + 3


def test_questions_imported_in_bulk_join_the_candidates(exam, django_capture_on_commit_callbacks):
    """A bulk write sends no signal (#15): the import itself starts a new generation."""
    from assessments.models import Question

    candidates = _candidates(exam)
    category = exam.rules.get().category
    with django_capture_on_commit_callbacks(execute=True):
        created = services.questions_bulk_create(
            questions=[
                Question(
                    category=category,
                    type=QuestionType.SINGLE,
                    stem=f"<p>批量导入的第{n}题</p>",
                    options=["甲", "乙", "丙", "丁"],
                    answer=[0],
                )
                for n in range(3)
            ]
        )
    assert _candidates(exam) == candidates | {question.pk for question in created}
