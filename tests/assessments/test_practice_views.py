"""The practice pages: a day of practice through the views, exact query counts at N and 10×N,
and hostile input (bad ids, other people's records) answered with 404s and messages, never 500."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Exam, PracticeAnswer, PracticeCard, PracticeSource, QuestionType
from tests.conftest import login, with_session
from tests.factories import assessments as af
from tests.factories import employee as make_employee

pytestmark = pytest.mark.django_db


def practice_bank(employee, count, *, points=None):
    questions = [
        af.question(
            answer=["B"],
            knowledge_points=[points[i % len(points)] if points else f"知识点{i}"],
            explanation=f"解析{i}",
        )
        for i in range(count)
    ]
    af.exam(questions=questions, audience=[employee], kind=Exam.Kind.PRACTICE)
    return questions


def answer_wrong(employee, questions):
    for question in questions:
        services.practice_answer_record(
            employee=employee, question=question, source=PracticeSource.DAILY, response=["A"]
        )


def test_a_day_of_practice_through_the_pages(client, people, settings):
    settings.PRACTICE_DAILY_QUESTIONS = 3
    settings.PRACTICE_RETIRE_STREAK = 2
    employee = people["employee"]
    practice_bank(employee, 10)
    login(client, employee)
    home = client.get(reverse("assessments:practice_home"))
    assert home.status_code == HTTPStatus.OK
    for right in (False, True, False):
        page = client.get(reverse("assessments:practice_daily"))
        question = page.context["question"]
        response = client.post(
            reverse("assessments:practice_daily"),
            {"question": question["id"], "answer": "B" if right else "A"},
        )
        assert response.status_code == HTTPStatus.FOUND
        feedback = client.get(response["Location"])
        text = feedback.content.decode()
        assert ('class="verdict right"' in text) is right and "解析" in text
    done = client.get(reverse("assessments:practice_daily"))
    assert done.context["question"] is None and done.context["right"] == 1
    book = client.get(reverse("assessments:wrong_book"))
    cards = book.context["cards"]
    assert len(cards) == 2
    for card in cards:
        for _ in range(2):
            url = reverse("assessments:wrong_book_item", args=[card.pk])
            assert client.get(url).status_code == HTTPStatus.OK
            assert client.post(url, {"answer": "B"}).status_code == HTTPStatus.FOUND
    book = client.get(reverse("assessments:wrong_book"))
    assert book.context["cards"] == [] and book.context["retired"] == 2
    assert "wrong-book-empty" in book.content.decode()


# Each page after the signed-in user is cached (a first request warms it): the employee profile,
# and the user's groups for the portal menu, then what the page reads, whatever the number of rows.
# Practice home: the sync's one read of the attempts not yet read, today's set, today's answers
# (one aggregate), the confidential categories, the cards (one aggregate), the recent mock
# attempts, mastery (answers by question, then the questions' knowledge points), the formal exams
# to rehearse (the exams of assigned courses, then the exams).
HOME_QUERIES = with_session(10)
# Daily page: the set (drawn on the first visit of the day), today's answers, the next question.
DAILY_QUERIES = with_session(3)
# Wrong-answer book: the sync, the confidential categories, the cards with their questions, the
# mastered count.
BOOK_QUERIES = with_session(4)
# Feedback: the answer with its question, its card, the next card of the book.
FEEDBACK_QUERIES = with_session(3)
# Department mastery: answers by department and question, people per department, the questions'
# knowledge points, the departments.
TEAM_QUERIES = with_session(4)


@pytest.mark.parametrize("count", [5, 50])
def test_practice_home_queries(client, people, django_assert_num_queries, count):
    employee = people["employee"]
    questions = practice_bank(employee, count)
    answer_wrong(employee, questions)
    af.exam(questions=questions[:2], audience=[employee])  # a formal exam to rehearse
    services.daily_practice_for(employee=employee)
    login(client, employee)
    client.get(reverse("assessments:practice_home"))  # warm: the session user
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("assessments:practice_home"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["mastery"]) == count
    assert response.content.decode().count('class="bar-chart__row') == count


@pytest.mark.parametrize("count", [5, 50])
def test_daily_page_queries(client, people, settings, django_assert_num_queries, count):
    settings.PRACTICE_DAILY_QUESTIONS = count
    employee = people["employee"]
    practice_bank(employee, count)
    daily = services.daily_practice_for(employee=employee)
    for pk in daily.question_ids[: count - 1]:
        services.daily_answer(
            employee=employee,
            daily=daily,
            question_id=pk,
            data=_form(answer="A"),
        )
    login(client, employee)
    client.get(reverse("assessments:practice_home"))  # warm: the session user
    with django_assert_num_queries(DAILY_QUERIES):
        response = client.get(reverse("assessments:practice_daily"))
    assert response.context["question"]["id"] == daily.question_ids[-1]
    assert response.context["done"] == count - 1


@pytest.mark.parametrize("count", [5, 50])
def test_wrong_book_queries(client, people, django_assert_num_queries, count):
    employee = people["employee"]
    answer_wrong(employee, practice_bank(employee, count))
    login(client, employee)
    client.get(reverse("assessments:practice_home"))  # warm: the session user
    with django_assert_num_queries(BOOK_QUERIES):
        response = client.get(reverse("assessments:wrong_book"))
    assert len(response.context["cards"]) == count
    assert response.content.decode().count("wrong-list") == 1


@pytest.mark.parametrize("count", [5, 50])
def test_feedback_queries(client, people, django_assert_num_queries, count):
    employee = people["employee"]
    questions = practice_bank(employee, count)
    answer_wrong(employee, questions)
    card = PracticeCard.objects.filter(employee=employee).first()
    answer = services.wrong_book_answer(employee=employee, card=card, data=_form(answer="B"))
    login(client, employee)
    client.get(reverse("assessments:practice_home"))  # warm: the session user
    with django_assert_num_queries(FEEDBACK_QUERIES):
        response = client.get(reverse("assessments:practice_feedback", args=[answer.pk]))
    assert response.status_code == HTTPStatus.OK and response.context["next_card"]


@pytest.mark.parametrize("count", [3, 30])
def test_team_mastery_queries(client, company, people, django_assert_num_queries, count):
    questions = [af.question(answer=["B"], knowledge_points=[f"点{i}"]) for i in range(count)]
    for i in range(count):
        department = (company["team_a"], company["team_b"], company["other"])[i % 3]
        someone = make_employee(number=f"P{count}-{i}", department=department)
        answer_wrong(someone, questions[: i + 1])
    login(client, people["trainer"])
    client.get(reverse("assessments:team_mastery"))  # warm: the session user
    with django_assert_num_queries(TEAM_QUERIES):
        response = client.get(reverse("assessments:team_mastery"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["departments"]) == 3
    login(client, people["manager"])  # the manager's subtree: the branch's two teams only
    response = client.get(reverse("assessments:team_mastery"))
    names = {row.department.pk for row in response.context["departments"]}
    assert names == {company["team_a"].pk, company["team_b"].pk}


def _form(**values):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


# -- hostile input ------------------------------------------------------------------------------


def test_other_peoples_and_made_up_records_are_not_found(client, people):
    employee, colleague = people["employee"], people["colleague"]
    questions = practice_bank(colleague, 3)
    answer_wrong(colleague, questions)
    their_card = PracticeCard.objects.filter(employee=colleague).first()
    their_answer = PracticeAnswer.objects.filter(employee=colleague).first()
    their_exam = af.exam(questions=questions, audience=[colleague])
    login(client, employee)
    for url in (
        reverse("assessments:wrong_book_item", args=[their_card.pk]),
        reverse("assessments:wrong_book_item", args=[10**9]),
        reverse("assessments:practice_feedback", args=[their_answer.pk]),
        reverse("assessments:practice_feedback", args=[10**9]),
    ):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
        assert client.post(url, {"answer": "B"}).status_code in (
            HTTPStatus.NOT_FOUND,
            HTTPStatus.METHOD_NOT_ALLOWED,
        )
    for pk in (their_exam.pk, 10**9):
        response = client.post(reverse("assessments:mock_start", args=[pk]))
        assert response.status_code == HTTPStatus.NOT_FOUND
    card = PracticeCard.objects.get(pk=their_card.pk)
    assert card.streak == 0  # nothing changed


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"question": "x", "answer": "B"},
        {"question": "", "answer": "B"},
        {"question": "99999999999999999999", "answer": "B"},
        {"question": "-1", "answer": "B"},
        {"answer": ["A", "B"]},  # two answers to a single-choice question
        {"answer": "Z"},
        {"answer": "\x00" * 600},
    ],
)
def test_bad_daily_posts_get_a_message_not_a_500(client, people, data):
    employee = people["employee"]
    practice_bank(employee, 5)
    daily = services.daily_practice_for(employee=employee)
    data = {"question": daily.question_ids[0], **data}
    login(client, employee)
    response = client.post(reverse("assessments:practice_daily"), data, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not PracticeAnswer.objects.filter(employee=employee).exists()


def test_bad_wrong_book_posts_get_a_message(client, people):
    employee = people["employee"]
    question = af.question(type=QuestionType.TRUE_FALSE, answer=True, knowledge_points=["x"])
    services.practice_answer_record(
        employee=employee, question=question, source=PracticeSource.DAILY, response=False
    )
    card = PracticeCard.objects.get(employee=employee)
    login(client, employee)
    url = reverse("assessments:wrong_book_item", args=[card.pk])
    for data in ({}, {"answer": "maybe"}, {"answer": ["true", "false"] * 200}):
        response = client.post(url, data, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert PracticeAnswer.objects.filter(employee=employee).count() == 1


def test_signed_in_without_an_employee_profile_gets_404(client, superuser):
    login(client, superuser)
    for name in ("practice_home", "practice_daily", "wrong_book"):
        assert client.get(reverse(f"assessments:{name}")).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("assessments:team_mastery")).status_code == HTTPStatus.OK


def test_employees_cannot_see_department_mastery(client, people):
    login(client, people["employee"])
    assert client.get(reverse("assessments:team_mastery")).status_code == HTTPStatus.FORBIDDEN


def test_a_question_that_becomes_confidential_leaves_the_book_but_keeps_its_card(client, people):
    employee = people["employee"]
    category = af.category("安全规程/年度考试题库")
    question = af.question(answer=["B"], category=category, knowledge_points=["x"])
    answer_wrong(employee, [question])
    card = PracticeCard.objects.get(employee=employee)
    services.category_update(category=category, name=category.name, confidential=True)
    login(client, employee)
    assert client.get(reverse("assessments:wrong_book")).context["cards"] == []
    assert client.get(reverse("assessments:practice_home")).context["cards"]["in_book"] == 0
    response = client.post(reverse("assessments:wrong_book_item", args=[card.pk]), {"answer": "B"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("assessments:wrong_book")
    card.refresh_from_db()
    assert card.in_book and card.streak == 0  # kept, untouched, shown again once released
