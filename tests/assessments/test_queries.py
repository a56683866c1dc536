"""Exact query counts at N and 10×N rows for the exam-day pages and the trainer's report."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import QuestionType
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import employee as make_employee

pytestmark = pytest.mark.django_db


def with_session(queries: int) -> int:
    """Add the session read that database-backed sessions cost (cache sessions cost none)."""
    from django.conf import settings

    return queries + (0 if settings.SESSION_ENGINE.endswith(".cache") else 1)


def signed_in(client, employee):
    """Signed in earlier, the account already cached with its roles and employee profile
    (lms.auth), as an examinee's is when they reach the exam from the portal."""
    from lms.auth import EmployeeNumberBackend

    login(client, employee)
    EmployeeNumberBackend().get_user(employee.user.pk)
    return client


def exam_with(count, audience, **fields):
    category = af.category()
    kinds = [QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE,
             QuestionType.FILL, QuestionType.SHORT]  # fmt: skip
    questions = [
        af.question(type=kinds[i % len(kinds)], category=category, points=Decimal(2))
        for i in range(count)
    ]
    return af.exam(questions=questions, audience=audience, **fields)


# The attempt's own read brings its employee (one query fewer than reading the employee first);
# attempts stay out of Wagtail's reference index (its update ran here, with tasks in-process).
# The signed-in user with their roles and employee profile comes from the cache (lms.auth).
# Autosave locks the attempt and reads the answered items in one query; start checks the exam's
# audience once; the audit entries of start and submit are one INSERT each (Wagtail's own save
# reads the content type and user back).
EXAM_PAGE_QUERIES = with_session(2)
AUTOSAVE_QUERIES = with_session(4)
SUBMIT_QUERIES = with_session(8)
START_QUERIES = with_session(13)
RESULT_LIST_QUERIES = with_session(5)
# + 3: the exam's pool (fixed questions, rules) and the practice quizzes it may share it with.
REPORT_QUERIES = with_session(10)


@pytest.mark.parametrize("count", [5, 50])
def test_exam_page(client, people, django_assert_num_queries, count):
    exam = exam_with(count, [people["employee"]], time_limit_minutes=30)
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    signed_in(client, people["employee"])
    url = reverse("assessments:attempt_page", args=[attempt.pk])
    with django_assert_num_queries(EXAM_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="question panel"') == count


@pytest.mark.parametrize("count", [5, 50])
def test_start(client, people, company, django_assert_num_queries, count):
    """Starting draws by rules (all the rules' candidates in one query) and fixed questions."""
    category = af.category()
    for kind in (QuestionType.SINGLE, QuestionType.TRUE_FALSE, QuestionType.FILL):
        for _ in range(count):
            af.question(type=kind, category=category)
    fixed = [af.question(type=QuestionType.MULTIPLE, category=category)]
    rules = [
        {"count": count // 5, "type": kind, "category": category}
        for kind in (QuestionType.SINGLE, QuestionType.TRUE_FALSE, QuestionType.FILL)
    ]
    exam = af.exam(
        questions=fixed, rules=rules, departments=[company["root"]], time_limit_minutes=30
    )
    signed_in(client, people["employee"])
    url = reverse("assessments:attempt_start", args=[exam.pk])
    with django_assert_num_queries(START_QUERIES):
        response = client.post(url)
    assert response.status_code == 302
    attempt = exam.attempts.get(employee=people["employee"])
    assert response["Location"] == reverse("assessments:attempt_page", args=[attempt.pk])
    assert attempt.items.count() == 1 + 3 * (count // 5)


@pytest.mark.parametrize("count", [5, 50])
def test_autosave(client, people, django_assert_num_queries, count):
    exam = exam_with(count, [people["employee"]], time_limit_minutes=30)
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    item = attempt.items.filter(snapshot__type="single").first()
    signed_in(client, people["employee"])
    url = reverse("assessments:attempt_save", args=[attempt.pk])
    body = json.dumps({"answers": [{"item": item.pk, "response": ["A"], "seq": 1}]})
    with django_assert_num_queries(AUTOSAVE_QUERIES):
        response = client.post(url, body, content_type="application/json")
    assert response.json()["ok"]


@pytest.mark.parametrize("count", [5, 50])
def test_submit(client, people, django_assert_num_queries, count):
    exam = exam_with(count, [people["employee"]])
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    signed_in(client, people["employee"])
    url = reverse("assessments:attempt_submit", args=[attempt.pk])
    with django_assert_num_queries(SUBMIT_QUERIES):
        response = client.post(url)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "graded"


@pytest.mark.parametrize("count", [3, 30])
def test_result_list(client, people, django_assert_num_queries, count):
    employee = people["employee"]
    for _ in range(count):
        exam = exam_with(1, [employee], review_policy="after_submit")
        services.attempt_submit(attempt=services.attempt_start(exam=exam, employee=employee))
    login(client, employee)
    with django_assert_num_queries(RESULT_LIST_QUERIES):
        response = client.get(reverse("assessments:result_list"))
    assert response.content.decode().count("<li>") == count


@pytest.mark.parametrize("count", [3, 30])
def test_trainer_report(client, people, company, django_assert_num_queries, count):
    employees = [make_employee(department=company["team_a"]) for _ in range(count)]
    exam = exam_with(4, employees)
    for candidate in employees:
        attempt = services.attempt_start(exam=exam, employee=candidate)
        services.attempt_submit(attempt=attempt)
    login(client, people["trainer"])
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(reverse("assessments:exam_report", args=[exam.pk]))
    assert response.context["report"]["count"] == count
    assert len(response.context["report"]["items"]) == 4


# + 1: exams opened by the employee's course assignments (register_exam_audience_source)
EXAM_LIST_QUERIES = with_session(6)
GRADING_QUEUE_QUERIES = with_session(4)
TEAM_QUALIFICATION_QUERIES = with_session(9)
# The admin shell looks up the explorable page tree (training and drill index pages included).
ATTEMPT_ADMIN_QUERIES = with_session(10)


@pytest.mark.parametrize("count", [2, 20])
def test_exam_list(client, people, django_assert_num_queries, count):
    for _ in range(count):
        exam = exam_with(1, [people["employee"]])
        services.attempt_start(exam=exam, employee=people["employee"])
    login(client, people["employee"])
    with django_assert_num_queries(EXAM_LIST_QUERIES):
        response = client.get(reverse("assessments:exam_list"))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_grading_queue(client, people, company, django_assert_num_queries, count):
    essay = af.question(type=QuestionType.ESSAY, points=Decimal(5))
    candidates = [make_employee(department=company["team_a"]) for _ in range(count)]
    exam = af.exam(questions=[essay], audience=candidates)
    for candidate in candidates:
        services.attempt_submit(attempt=services.attempt_start(exam=exam, employee=candidate))
    login(client, people["trainer"])
    with django_assert_num_queries(GRADING_QUEUE_QUERIES):
        response = client.get(reverse("assessments:grading_queue"))
    assert len(response.context["items"]) == count


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("return_after_months", [None, 3])
def test_team_qualifications(
    client, people, company, django_assert_num_queries, count, return_after_months
):
    """A rule that reads absences costs one query more, whatever the number of people."""
    import datetime

    from assessments.models import QualificationRule
    from lms import services as lms_services

    candidates = [make_employee(department=company["team_a"]) for _ in range(count)]
    exam = exam_with(1, candidates)
    for candidate in candidates:
        services.attempt_submit(attempt=services.attempt_start(exam=exam, employee=candidate))
        lms_services.absence_record(
            employee=candidate,
            kind="leave",
            start_date=datetime.date.today() - datetime.timedelta(days=200),
            end_date=datetime.date.today() - datetime.timedelta(days=60),
        )
    rule = QualificationRule(name="年度安规", return_after_months=return_after_months)
    rule.save()
    rule.exams.set([exam])
    rule.save()
    login(client, people["manager"])
    expected = TEAM_QUALIFICATION_QUERIES + (1 if return_after_months else 0)
    with django_assert_num_queries(expected):
        response = client.get(reverse("assessments:team_qualifications"))
    assert len(response.context["rows"]) == count + 3  # plus employee, colleague, manager
    absences = {
        s.absence is not None
        for employee, rows in response.context["rows"]
        if employee in candidates
        for s in rows
    }
    assert absences == {bool(return_after_months)}


@pytest.mark.parametrize("count", [2, 20])
def test_attempt_admin_index(client, people, company, django_assert_num_queries, count):
    candidates = [make_employee(department=company["team_a"]) for _ in range(count)]
    exam = exam_with(1, candidates)
    for candidate in candidates:
        services.attempt_start(exam=exam, employee=candidate)
    login(client, people["trainer"])
    client.get("/admin/assessments/attempts/")
    with django_assert_num_queries(ATTEMPT_ADMIN_QUERIES):
        response = client.get("/admin/assessments/attempts/")
    assert response.status_code == 200
