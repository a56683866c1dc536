import datetime
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses import services, tasks
from courses.hooks import COURSE_EXAM_RESULTS_HOOK, ExamSummary
from courses.models import (
    Completion,
    QuestionnaireField,
    QuestionnairePage,
    QuestionnaireSubmission,
)
from lms.hooks import appraisal_indicator_sources, archive_entries
from tests.conftest import login
from tests.factories import courses as cf


@pytest.fixture
def course(people):
    return cf.course(title="应急处置", lessons=1)


@pytest.fixture
def attended(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    for key in ("employee", "colleague"):
        services.enrollment_create(session=session, employee=people[key])
    services.attendance_record(session=session, present_ids=[people["employee"].pk])
    return session


@pytest.fixture
def questionnaire(course):
    page = QuestionnairePage(
        title="培训效果调查",
        course=course,
        form_fields=[
            QuestionnaireField(label="总体满意度", field_type="number", required=True),
            QuestionnaireField(label="建议", field_type="multiline", required=False),
        ],
    )
    cf.course_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def test_questionnaire_once_per_employee_per_session(client, people, attended, questionnaire):
    login(client, people["employee"])
    url = questionnaire.url + f"?session={attended.pk}"
    assert client.get(url).status_code == HTTPStatus.OK
    rating = questionnaire.form_fields.get(field_type="number").clean_name
    response = client.post(url, {"session": attended.pk, rating: "abc"})
    assert not QuestionnaireSubmission.objects.exists()  # not a number: the form says so
    response = client.post(url, {"session": attended.pk, rating: "5"})
    assert response.status_code == HTTPStatus.OK
    assert QuestionnaireSubmission.objects.count() == 1
    response = client.post(url, {"session": attended.pk})
    assert "already answered" in response.content.decode()
    assert QuestionnaireSubmission.objects.count() == 1


def test_my_learning_links_the_questionnaire_until_answered(
    client, people, attended, questionnaire
):
    login(client, people["employee"])
    url = reverse("portal:section", args=["learning"])
    link = f"{questionnaire.url}?session={attended.pk}"
    assert link in client.get(url).content.decode()
    rating = questionnaire.form_fields.get(field_type="number").clean_name
    services.questionnaire_submit(
        page=questionnaire, session=attended, employee=people["employee"], data={rating: 5}
    )
    assert link not in client.get(url).content.decode()
    login(client, people["colleague"])  # absent: nothing to answer
    assert link not in client.get(url).content.decode()


def test_questionnaire_refuses_absentee(client, people, attended, questionnaire):
    login(client, people["colleague"])
    response = client.get(questionnaire.url + f"?session={attended.pk}")
    assert "from a session you attended" in response.content.decode()


def test_course_report_shows_three_measures(client, people, course, attended, questionnaire):
    from wagtail import hooks

    services.practical_check_record(
        session=attended, employee=people["employee"], passed=True, score=Decimal("88")
    )
    field = questionnaire.form_fields.get(field_type="number")
    services.questionnaire_submit(
        page=questionnaire,
        session=attended,
        employee=people["employee"],
        data={field.clean_name: 4},
    )

    def exam_results(course, session_ids):
        return {session_ids[0]: ExamSummary(taken=1, passed=1, average=Decimal("91"))}

    login(client, people["trainer"])
    with hooks.register_temporarily(COURSE_EXAM_RESULTS_HOOK, exam_results):
        body = client.get(reverse("courses:course_report", args=[course.pk])).content.decode()
    assert "1 / 1" in body  # practical check passed
    assert "88.0" in body
    assert "1 / 1 · 91.0" in body  # exam via the hook
    assert "4.0" in body  # questionnaire average
    assert "总体满意度" in body  # the per-question summary


def test_archive_entries_and_indicators(people, course, attended):
    entries = archive_entries(people["employee"])
    categories = {entry.category for entry in entries}
    assert {"training", "attendance"} <= categories
    training = [e for e in entries if e.category == "training"][0]
    assert training.hours == course.hours
    colleague_entries = archive_entries(people["colleague"])
    assert [e.category for e in colleague_entries] == ["attendance"]

    sources = appraisal_indicator_sources()
    hours = sources["courses.training_hours"]
    today = timezone.localdate()
    ids = [people["employee"].pk, people["colleague"].pk]
    readings = hours.compute(today - datetime.timedelta(days=1), today, ids)
    assert readings[people["employee"].pk].value == course.hours
    assert people["colleague"].pk not in readings
    rate = sources["courses.attendance_rate"].compute(
        today - datetime.timedelta(days=1), today, ids
    )
    assert rate[people["employee"].pk].value == Decimal("100.0")
    assert rate[people["colleague"].pk].value == Decimal("0.0")


def test_indicator_query_count_is_fixed(people, course, django_assert_num_queries):
    from tests import factories as f

    today = timezone.localdate()
    staff = [f.employee() for _i in range(3)]
    for employee in staff:
        services.completion_record(
            employee=employee, course=course, completed_on=today, source=Completion.Source.EXTERNAL
        )
    source = appraisal_indicator_sources()["courses.training_hours"]
    with django_assert_num_queries(1):
        assert len(source.compute(today, today, [e.pk for e in staff])) == 3
    more = [f.employee() for _i in range(27)]
    for employee in more:
        services.completion_record(
            employee=employee, course=course, completed_on=today, source=Completion.Source.EXTERNAL
        )
    with django_assert_num_queries(1):
        assert len(source.compute(today, today, [e.pk for e in staff + more])) == 30


def test_reminders_task(people, course, settings, django_capture_on_commit_callbacks):
    settings.COURSES_SESSION_REMINDER_DAYS = 1
    settings.COURSES_ASSIGNMENT_REMINDER_DAYS = 7
    from lms import services as lms_services

    lms_services.employee_update(employee=people["employee"], email="e1@example.com")
    session = cf.session(
        course=course, trainer=people["trainer"], starts_in=datetime.timedelta(days=1)
    )
    services.enrollment_create(session=session, employee=people["employee"])
    other = cf.course(title="服务礼仪")
    services.assignment_create(
        employee=people["employee"],
        course=other,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):  # sent once the run commits
        result = tasks.send_training_reminders.enqueue()
    assert result.return_value == {"sessions": 1, "assignments": 1}
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2 and any("服务礼仪" in s for s in subjects)


def test_refresh_task_reassigns(people, course, company):
    services.rule_create(course=course, department=company["branch"], due_on=timezone.localdate())
    from tests import factories as f

    newcomer = f.employee(department=company["team_a"])
    result = tasks.refresh_required_training.enqueue()
    assert result.return_value == 1
    assert newcomer.training_assignments.count() == 1


def test_daily_jobs_are_on_the_scheduler(db):
    scheduling = pytest.importorskip("lms.scheduling")
    jobs = scheduling.scheduled_jobs()
    assert {"courses.refresh_required_training", "courses.send_training_reminders"} <= set(jobs)


def test_session_rating_averages_answers_given_through_the_form(
    client, people, course, attended, questionnaire
):
    """The form stores a number answer as text ("4"); the session row's average must read it."""
    login(client, people["employee"])
    rating = questionnaire.form_fields.get(field_type="number").clean_name
    client.post(
        questionnaire.url + f"?session={attended.pk}", {"session": attended.pk, rating: "4"}
    )
    assert QuestionnaireSubmission.objects.count() == 1
    login(client, people["trainer"])
    body = client.get(reverse("courses:course_report", args=[course.pk])).content.decode()
    row = body.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td>1</td>\s*<td>4\.0</td>\s*$", row), row
