"""Practice (docs/practice.md): 每日一练 stable per day, the 错题本 filled and retired, Leitner
boxes on a controlled clock, mock exams that never count, and mastery by knowledge point."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from assessments import practice, services
from assessments.models import (
    Attempt,
    AttemptError,
    Certificate,
    DailyPractice,
    Exam,
    PracticeAnswer,
    PracticeCard,
    PracticeSource,
    QuestionType,
)
from lms.hooks import archive_entries
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def bank(n=12, *, point="工作票", category=None):
    return [
        af.question(
            type=QuestionType.SINGLE,
            answer=["B"],
            knowledge_points=[point],
            explanation=f"解析{i}",
            category=category,
        )
        for i in range(n)
    ]


def form(**values):
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


RIGHT, WRONG = form(answer="B"), form(answer="A")


def practice_exam(employee, questions):
    return af.exam(questions=questions, audience=[employee], kind=Exam.Kind.PRACTICE)


def answer_daily(employee, question_id, data, now=None):
    daily = services.daily_practice_for(employee=employee, now=now)
    return services.daily_answer(
        employee=employee, daily=daily, question_id=question_id, data=data, now=now
    )


def card_of(employee, question):
    return PracticeCard.objects.get(employee=employee, question=question)


# -- 每日一练 -------------------------------------------------------------------------------------


@pytest.mark.today("2026-12-31")
def test_daily_set_is_drawn_once_and_kept_all_day(people, settings, clock):
    settings.PRACTICE_DAILY_QUESTIONS = 5
    employee = people["employee"]
    practice_exam(employee, bank(12))
    first = services.daily_practice_for(employee=employee)
    assert len(first.question_ids) == 5 == len(set(first.question_ids))
    answer_daily(employee, first.question_ids[0], WRONG)  # mastery changes: the set does not
    clock.shift(timedelta(hours=13, minutes=59))  # 23:59 the same day
    again = services.daily_practice_for(employee=employee)
    assert again.pk == first.pk and again.question_ids == first.question_ids
    clock.shift(timedelta(minutes=2))  # 2027-01-01: a new day, a new set
    tomorrow = services.daily_practice_for(employee=employee)
    assert tomorrow.day == timezone.localdate() != first.day
    assert DailyPractice.objects.filter(employee=employee).count() == 2


def test_daily_draw_is_reproducible_for_employee_and_day(people, settings):
    settings.PRACTICE_DAILY_QUESTIONS = 4
    employee = people["employee"]
    practice_exam(employee, bank(20))
    day = timezone.localdate()
    assert practice.draw_daily(employee, day) == practice.draw_daily(employee, day)
    others = {tuple(practice.draw_daily(employee, day + timedelta(days=n))) for n in range(1, 6)}
    assert len(others) > 1  # another day, another draw


def test_daily_pool_is_my_exams_only_and_never_confidential(people, settings):
    settings.PRACTICE_DAILY_QUESTIONS = 50
    employee = people["employee"]
    mine = bank(3)
    secret = af.category("安全规程/保密题库")
    services.category_update(category=secret, name=secret.name, confidential=True)
    hidden = bank(2, category=secret)
    essay = af.question(type=QuestionType.ESSAY)
    practice_exam(employee, [*mine, *hidden, essay])
    af.exam(questions=bank(4), audience=[people["colleague"]])  # someone else's exam
    daily = services.daily_practice_for(employee=employee)
    assert sorted(daily.question_ids) == sorted(q.pk for q in mine)


def test_daily_draw_favours_weak_knowledge_points(people, settings):
    settings.PRACTICE_DAILY_QUESTIONS = 5
    settings.PRACTICE_DAILY_REVIEW_SHARE = 0
    employee = people["employee"]
    weak, strong = bank(20, point="验电"), bank(20, point="接地")
    practice_exam(employee, weak + strong)
    for question in weak[:3]:
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=["A"]
        )
    for question in strong[:3]:
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=["B"]
        )
    weak_ids = {q.pk for q in weak}
    day = timezone.localdate()
    drawn = [pk for n in range(40) for pk in practice.draw_daily(employee, day + timedelta(n))]
    share = sum(1 for pk in drawn if pk in weak_ids) / len(drawn)
    assert share > 0.65  # weight 4 against 1: about 80 % from the weak point


def test_due_cards_feed_the_daily_set(people, settings, clock):
    settings.PRACTICE_DAILY_QUESTIONS = 4
    settings.PRACTICE_DAILY_REVIEW_SHARE = 50
    employee = people["employee"]
    practice_exam(employee, bank(30))
    missed = bank(3)  # from an exam no longer meant for me: only due cards bring them back
    for question in missed:
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=["A"]
        )
    assert not services.daily_practice_for(employee=employee).question_ids.count(missed[0].pk)
    clock.shift(timedelta(days=1))  # box 1 → due after one day
    daily = services.daily_practice_for(employee=employee)
    assert len(daily.question_ids) == 4
    due_in_set = set(daily.question_ids) & {q.pk for q in missed}
    assert due_in_set == {missed[0].pk, missed[1].pk}  # half of the places, oldest first


def test_answering_outside_the_set_or_twice_is_refused(people):
    employee = people["employee"]
    questions = bank(12)
    practice_exam(employee, questions)
    daily = services.daily_practice_for(employee=employee)
    outside = next(q for q in questions if q.pk not in daily.question_ids)
    for bad in (outside.pk, "x", None, 10**12):
        with pytest.raises(services.ValidationError):
            answer_daily(employee, bad, RIGHT)
    answer_daily(employee, daily.question_ids[0], RIGHT)
    with pytest.raises(services.ValidationError):  # once a day
        answer_daily(employee, daily.question_ids[0], RIGHT)
    assert PracticeAnswer.objects.filter(employee=employee).count() == 1
    with pytest.raises(services.ValidationError):
        answer_daily(employee, daily.question_ids[1], form(answer="Z"))
    with pytest.raises(services.ValidationError):
        answer_daily(employee, daily.question_ids[1], form())


# -- 错题本 and Leitner --------------------------------------------------------------------------


def test_wrong_book_fills_and_retires_after_two_right_in_a_row(people):
    employee = people["employee"]
    questions = bank(12)
    practice_exam(employee, questions)
    daily = services.daily_practice_for(employee=employee)
    first, second = daily.question_ids[:2]
    answer_daily(employee, first, WRONG)
    answer_daily(employee, second, RIGHT)
    in_book = PracticeCard.objects.for_employee(employee).in_book()
    assert list(in_book.values_list("question_id", flat=True)) == [first]
    card = in_book.get()
    services.wrong_book_answer(employee=employee, card=card, data=RIGHT)
    services.wrong_book_answer(employee=employee, card=card_of(employee, first), data=WRONG)
    card = card_of(employee, first)
    assert (card.streak, card.wrong_count, card.in_book) == (0, 2, True)  # the run starts over
    services.wrong_book_answer(employee=employee, card=card, data=RIGHT)
    assert card_of(employee, first).in_book
    services.wrong_book_answer(employee=employee, card=card_of(employee, first), data=RIGHT)
    assert not card_of(employee, first).in_book
    assert not PracticeCard.objects.for_employee(employee).in_book().exists()
    with pytest.raises(services.ValidationError):  # retired: no longer in the book
        services.wrong_book_answer(employee=employee, card=card_of(employee, first), data=RIGHT)


def test_wrong_book_answer_refuses_someone_elses_card(people):
    mine, theirs = people["employee"], people["colleague"]
    question = bank(1)[0]
    services.practice_answer_record(
        employee=theirs, question=question, source=PracticeSource.DAILY, response=["A"]
    )
    with pytest.raises(services.ValidationError):
        services.wrong_book_answer(employee=mine, card=card_of(theirs, question), data=RIGHT)


@pytest.mark.today("2027-02-26")
def test_leitner_promotion_and_demotion_follow_the_clock(people, settings, clock):
    settings.PRACTICE_LEITNER_DAYS = [1, 2, 4]
    settings.PRACTICE_RETIRE_STREAK = 2
    employee = people["employee"]
    question = bank(1)[0]

    def record(response):
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=response
        )
        return card_of(employee, question)

    start = timezone.localdate()
    card = record(["A"])
    assert (card.box, card.due_on) == (1, start + timedelta(days=1))
    card = record(["B"])  # right, but not due yet: the streak grows, the box stays
    assert (card.box, card.due_on, card.streak) == (1, start + timedelta(days=1), 1)
    clock.shift(timedelta(days=1))
    card = record(["B"])  # due: box 2, two days on (across the end of February)
    assert (card.box, card.due_on, card.in_book) == (2, start + timedelta(days=3), False)
    clock.shift(timedelta(days=2))
    card = record(["B"])
    assert (card.box, card.due_on) == (3, start + timedelta(days=7))
    clock.shift(timedelta(days=4))
    card = record(["B"])  # right in the last box: off the schedule
    assert (card.box, card.due_on) == (3, None)
    card = record(["A"])  # wrong again: back to box 1 and into the book
    assert (card.box, card.due_on, card.in_book, card.wrong_count) == (
        1,
        timezone.localdate() + timedelta(days=1),
        True,
        2,
    )


def test_wrong_book_survives_question_edits_and_exam_deletion(people):
    employee = people["employee"]
    question = bank(1)[0]
    exam = practice_exam(employee, [question])
    attempt = services.attempt_start(exam=exam, employee=employee)
    item = attempt.items.get()
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    assert services.practice_sync(employee=employee) == 1
    assert services.practice_sync(employee=employee) == 0  # read once
    card = card_of(employee, question)
    assert card.source == PracticeSource.QUIZ
    services.question_update(question=question, explanation="新解析")
    card.refresh_from_db()
    assert card.in_book and card.changed_since_wrong
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):  # results are never cascaded away
        question.delete()
    with pytest.raises(ProtectedError):
        exam.delete()
    assert PracticeCard.objects.filter(pk=card.pk).exists()


def test_formal_exam_fills_the_book_only_once_its_review_shows_answers(people, clock):
    employee = people["employee"]
    question = bank(1)[0]
    closes = timezone.now() + timedelta(days=2)
    exam = af.exam(
        questions=[question],
        audience=[employee],
        review_policy=Exam.ReviewPolicy.AFTER_CLOSE,
        closes_at=closes,
    )
    attempt = services.attempt_start(exam=exam, employee=employee)
    item = attempt.items.get()
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    assert services.practice_sync(employee=employee) == 0
    assert not PracticeCard.objects.filter(employee=employee).exists()
    clock.move_to(closes + timedelta(minutes=1))
    assert services.practice_sync(employee=employee) == 1
    card = card_of(employee, question)
    assert card.in_book and card.source == PracticeSource.EXAM
    answer = PracticeAnswer.objects.get(employee=employee)
    assert answer.attempt_id == attempt.pk and not answer.correct


def test_formal_exam_with_answers_never_shown_never_fills_the_book(people):
    employee = people["employee"]
    exam = af.exam(questions=bank(1), audience=[employee], review_policy=Exam.ReviewPolicy.NEVER)
    attempt = services.attempt_start(exam=exam, employee=employee)
    services.attempt_submit(attempt=attempt)
    assert services.practice_sync(employee=employee) == 0
    assert not PracticeCard.objects.exists()


# -- 模拟考试 ------------------------------------------------------------------------------------


def test_mock_exam_uses_the_formal_rules_and_clock_and_never_counts(people):
    employee = people["employee"]
    category = af.category("安全规程/线路")
    bank(6, category=category)
    formal = af.exam(
        audience=[employee],
        rules=[{"count": 3, "type": QuestionType.SINGLE, "category": category}],
        time_limit_minutes=45,
        max_attempts=1,
        certificate_title="安规合格证",
        certificate_valid_months=12,
        pass_mark=0,
        review_policy=Exam.ReviewPolicy.NEVER,
    )
    mock_attempt = services.mock_attempt_start(exam=formal, employee=employee)
    mock = mock_attempt.exam
    assert mock.is_mock and mock.mock_of == formal and mock.pk != formal.pk
    assert mock_attempt.items.count() == 3
    assert all(i.question.category_id == category.pk for i in mock_attempt.items.all())
    assert mock_attempt.deadline == mock_attempt.started_at + timedelta(minutes=45)
    services.attempt_submit(attempt=mock_attempt)
    mock_attempt.refresh_from_db()
    assert mock_attempt.passed  # pass mark 0, yet …
    assert not Certificate.objects.exists()  # … no certificate
    assert mock_attempt.shows_answers()  # feedback at once, whatever the formal policy
    assert not [e for e in archive_entries(employee) if e.source == "assessments"]
    from assessments.integrations import compute_average_score

    today = timezone.localdate()
    assert compute_average_score(today, today, [employee.pk]) == {}  # no appraisal value
    from tests.conftest import api_client

    api = api_client(people["hr"])
    assert api.get("/api/v1/exam-results/").json()["results"] == []  # no result in the API
    from assessments import qualifications
    from tests.assessments.test_api import qualification_rule

    # Even a rule that names the mock by mistake is not met by passing it.
    rule = qualification_rule(exams=[formal, mock], name="年度安规", valid_months=12)
    (standing,) = qualifications.standings([employee], rules=[rule])[employee.pk]
    assert standing.status == qualifications.LAPSED
    # More mocks, and the formal exam's one attempt is still there to take.
    again = services.mock_attempt_start(exam=formal, employee=employee)
    assert again.exam_id == mock.pk and again.number == 2
    assert services.mock_exam_for(exam=formal).pk == mock.pk
    real = services.attempt_start(exam=formal, employee=employee)
    assert real.number == 1 and real.exam_id == formal.pk
    assert Exam.objects.filter(kind=Exam.Kind.MOCK).count() == 1
    assert mock not in Exam.objects.for_employee(employee)  # never listed as an exam


def test_mock_is_refused_for_exams_not_mine_or_not_formal(people):
    employee = people["employee"]
    theirs = af.exam(questions=bank(1), audience=[people["colleague"]])
    quiz = practice_exam(employee, bank(1))
    for exam in (theirs, quiz):
        with pytest.raises(AttemptError):
            services.mock_attempt_start(exam=exam, employee=employee)
    assert not Attempt.objects.filter(employee=employee).exists()


# -- mastery ------------------------------------------------------------------------------------


def test_mastery_by_knowledge_point_and_by_department(people):
    employee, colleague = people["employee"], people["colleague"]
    a = af.question(answer=["B"], knowledge_points=["验电", "接地"])
    b = af.question(answer=["B"], knowledge_points=["验电"])
    for question, response in ((a, ["B"]), (b, ["A"]), (b, ["A"]), (a, ["B"])):
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=response
        )
    services.practice_answer_record(
        employee=colleague, question=a, source=PracticeSource.DAILY, response=["A"]
    )
    mine = {m.point: (m.right, m.total) for m in practice.mastery_for(
        PracticeAnswer.objects.for_employee(employee)
    )}  # fmt: skip
    assert mine == {"验电": (2, 4), "接地": (2, 2)}
    rows = practice.mastery_by_department(people["hr"].user)
    by_department = {r.department.pk: {m.point: m.percent for m in r.points} for r in rows}
    assert by_department[employee.department_id]["验电"] == 50
    assert by_department[colleague.department_id]["验电"] == 0
    scoped = practice.mastery_by_department(people["manager"].user)
    assert {r.department.pk for r in scoped} <= {
        d.pk for d in type(employee.department).objects.filter(
            path__startswith=people["manager"].department.path
        )
    }  # fmt: skip


def test_points_and_decimal_weights_count_full_marks_only(people):
    employee = people["employee"]
    question = af.question(
        type=QuestionType.MULTIPLE, answer=["A", "C"], points=Decimal(2), knowledge_points=["x"]
    )
    answer = services.practice_answer_record(
        employee=employee, question=question, source=PracticeSource.DAILY, response=["A"]
    )
    assert not answer.correct  # part of the options is not right


# -- Hours from practice ----------------------------------------------------------------------


@pytest.mark.today("2026-12-31")
def test_a_day_of_practice_earns_online_study_hours_in_the_ledger(people, settings, clock):
    """每日一练 and 错题本 answers become one online-study entry a day: minutes a question,
    capped a day, both settings; HR's online-study rule converts them; the ledger adds up."""
    from careers.archive import credit_entries, hours_ledger

    settings.PRACTICE_DAILY_QUESTIONS = 12
    settings.PRACTICE_MINUTES_PER_QUESTION = 2
    settings.PRACTICE_MAX_MINUTES_PER_DAY = 20
    employee = people["employee"]
    practice_exam(employee, bank(12))
    daily = services.daily_practice_for(employee=employee)
    for n, question_id in enumerate(daily.question_ids[:6]):
        answer_daily(employee, question_id, WRONG if n < 2 else RIGHT)
    wrong = PracticeCard.objects.filter(employee=employee).first()
    services.wrong_book_answer(employee=employee, card=wrong, data=RIGHT)

    entries = [e for e in archive_entries(employee) if e.source == "assessments.practice"]
    assert len(entries) == 1
    (entry,) = entries
    assert entry.date.isoformat() == "2026-12-31"
    assert entry.detail == "答题 7 道，答对 5 道"
    assert entry.hours == Decimal("0.2")  # 7 × 2 = 14 min, under the 20-minute cap

    clock.shift(timedelta(days=1))  # 2027-01-01: a new year's day of practice
    daily = services.daily_practice_for(employee=employee)
    for question_id in daily.question_ids:
        answer_daily(employee, question_id, RIGHT)
    by_year = {
        year: [e for e in archive_entries(employee, year=year) if e.source.endswith("practice")]
        for year in (2026, 2027)
    }
    assert [e.hours for e in by_year[2026]] == [Decimal("0.2")]
    assert [e.hours for e in by_year[2027]] == [Decimal("0.3")]  # 12 × 2 = 24 → capped at 20

    year_2027 = archive_entries(employee, year=2027)
    rows = credit_entries(year_2027)
    practice_rows = [row for row in rows if row.source == "assessments.practice"]
    assert [row.hours for row in practice_rows] == [Decimal("0.3")]  # the default rule: ×1
    total = hours_ledger(year_2027)[0]
    assert total.hours == sum(row.hours for row in rows)


def test_mock_exams_and_attempt_answers_earn_no_practice_entry(people):
    employee = people["employee"]
    questions = bank(3)
    exam = practice_exam(employee, questions)
    attempt = services.attempt_start(exam=exam, employee=employee)
    services.attempt_submit(attempt=attempt)
    services.practice_sync(employee=employee)
    assert not [e for e in archive_entries(employee) if e.source == "assessments.practice"]
