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


# --- every bulk write path starts a new generation (#15): no plan is stale for
# EXAM_DRAW_PLAN_SECONDS after a write that sends no signal. Each test reads the plan first, so
# it is cached, then writes the way that path does, outside any on-commit capture.


def test_questions_retired_with_update_leave_the_candidates(exam):
    from assessments.models import Question

    candidates = _candidates(exam)
    retired = sorted(candidates)[:2]
    Question.objects.filter(pk__in=retired).update(is_active=False)
    assert _candidates(exam) == candidates - set(retired)


def test_questions_changed_with_bulk_update_are_drawn_as_changed(exam):
    from assessments.models import Question

    candidates = _candidates(exam)
    moved = list(Question.objects.filter(pk__in=sorted(candidates)[:1]))
    for question in moved:
        question.type = QuestionType.MULTIPLE
    Question.objects.bulk_update(moved, ["type"])
    assert _candidates(exam) == candidates - {moved[0].pk}


def test_questions_deleted_in_bulk_leave_the_candidates(exam):
    from assessments.models import Question

    candidates = _candidates(exam)
    added = af.question(type=QuestionType.SINGLE, category=exam.rules.get().category)
    assert _candidates(exam) == candidates | {added.pk}
    Question.objects.filter(pk=added.pk).delete()
    assert _candidates(exam) == candidates


def test_questions_imported_from_a_file_join_the_candidates(exam):
    from assessments import formats
    from assessments.models import Question

    candidates = _candidates(exam)
    gift = "::新题::变压器停电操作的顺序是什么？{=先断负荷侧 ~先断电源侧 ~同时断开}"
    created, problems = formats.import_parsed(
        formats.parse_gift(gift.encode()), default_category=exam.rules.get().category
    )
    assert (created, problems) == (1, [])
    (new,) = _candidates(exam) - candidates
    assert "变压器" in Question.objects.get(pk=new).stem


def test_a_category_moved_out_of_the_rule_takes_its_questions(exam):
    category = exam.rules.get().category
    below = services.category_for_path(f"{category.full_path}/下级")
    added = af.question(type=QuestionType.SINGLE, category=below)
    elsewhere = services.category_for_path("其他题库")
    below.refresh_from_db()
    candidates = _candidates(exam)
    assert added.pk in candidates
    below.move(elsewhere, "sorted-child")
    assert _candidates(exam) == candidates - {added.pk}


def test_a_category_made_confidential_with_update_leaves_practice_plans(db):
    from assessments.models import QuestionCategory

    category = af.category("练习题库/公开")
    questions = [af.question(type=QuestionType.SINGLE, category=category) for _ in range(2)]
    from assessments.models import Exam

    practice = af.exam(
        kind=Exam.Kind.PRACTICE,
        rules=[{"count": 1, "type": QuestionType.SINGLE, "category": category}],
    )
    assert _candidates(practice) == {question.pk for question in questions}
    QuestionCategory.objects.filter(pk=category.pk).update(confidential=True)
    assert _candidates(practice) == set()


def test_rules_changed_with_update_are_drawn_by(exam):
    services.draw_plan(exam)
    exam.rules.update(count=5)
    with pytest.raises(AttemptError, match="5"):
        services.exam_draw(exam)


def test_fixed_questions_added_in_bulk_are_drawn(exam):
    from assessments.models import ExamQuestion

    extra = af.question(type=QuestionType.TRUE_FALSE, category=af.category("其他题库"))
    (fixed, _rules) = services.draw_plan(exam)
    ExamQuestion.objects.bulk_create([ExamQuestion(exam=exam, question=extra, sort_order=9)])
    (fixed_after, _rules) = services.draw_plan(exam)
    assert [pk for pk, _points in fixed_after] == [*(pk for pk, _points in fixed), extra.pk]


def test_poor_questions_flagged_by_the_statistics_start_a_new_generation(exam, monkeypatch):
    """``statistics.flag_poor_questions`` writes with ``bulk_update``."""
    from django.core.cache import cache

    from assessments import statistics

    services.draw_plan(exam)
    before = cache.get(services.DRAW_GENERATION_KEY)
    question = exam.rules.get().candidates().first()
    report = {"items": [{"poor": True, "question": question}]}
    monkeypatch.setattr(statistics, "exam_report", lambda exam: report)
    assert statistics.flag_poor_questions(exam) == 1
    assert cache.get(services.DRAW_GENERATION_KEY) != before
