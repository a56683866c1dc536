"""一期一档: one archive per training run, from the data courses registers."""

from http import HTTPStatus
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from courses import services as course_services
from courses.models import QuestionnaireField, QuestionnairePage
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import courses as cf


def pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def run(people, *, size=2, trainer=None, questionnaire=True):
    course = cf.course(title="带电作业安全", lessons=1)
    session = cf.past_session(course=course, trainer=trainer or people["trainer"], capacity=500)
    attendees = [f.employee(name=f"李{i}明") for i in range(size)]
    for person in attendees:
        course_services.enrollment_create(session=session, employee=person)
    present = attendees[: max(1, size // 2)]
    course_services.attendance_record(session=session, present_ids=[p.pk for p in present])
    course_services.practical_check_record(
        session=session, employee=present[0], passed=True, score=92
    )
    if questionnaire:
        page = QuestionnairePage(
            title="培训效果调查",
            course=course,
            form_fields=[
                QuestionnaireField(label="总体满意度", field_type="number", required=True),
            ],
        )
        cf.course_index().add_child(instance=page)
        page.save_revision().publish()
        rating = page.form_fields.get().clean_name
        course_services.questionnaire_submit(
            page=page, session=session, employee=present[0], data={rating: 4}
        )
    return session, attendees


def url(session):
    return reverse("careers:training_run_pdf", args=[session.pk])


def test_pdf_has_roster_attendance_checks_and_questionnaire(client, people):
    session, attendees = run(people, size=4)
    login(client, people["hr"])
    response = client.get(url(session))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for person in attendees:
        assert person.name in text
        assert person.number in text
    assert "带电作业安全" in text
    assert "出勤" in text or "到课" in text
    assert "总体满意度" in text and "4.0" in text
    assert "92" in text


@pytest.mark.parametrize("who", ["hr", "trainer"])
def test_hr_and_trainers_may_download(client, people, who):
    session, _attendees = run(people, questionnaire=False)
    login(client, people[who])
    assert client.get(url(session)).status_code == HTTPStatus.OK


def test_the_sessions_own_trainer_may_download_but_not_others(client, people):
    session, _attendees = run(people, trainer=people["colleague"], questionnaire=False)
    login(client, people["colleague"])
    assert client.get(url(session)).status_code == HTTPStatus.OK
    other, _ = run(people, questionnaire=False)
    assert client.get(url(other)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("who", ["employee", "manager", "coordinator", "evaluator"])
def test_refused_to_employees_and_other_roles(client, people, who):
    session, _attendees = run(people, questionnaire=False)
    login(client, people[who])
    assert client.get(url(session)).status_code == HTTPStatus.FORBIDDEN


def test_unknown_session(client, people):
    login(client, people["hr"])
    assert client.get(reverse("careers:training_run_pdf", args=[999999])).status_code == 404
    login(client, people["employee"])
    assert client.get(reverse("careers:training_run_pdf", args=[999999])).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_query_count_is_fixed(client, people, django_assert_num_queries, size):
    session, attendees = run(people, size=size)
    login(client, people["hr"])
    client.get(url(session))
    # 11 of its own, and 2 for the exam column that assessments fills (register_course_exam_results)
    with django_assert_num_queries(with_session(9)):
        response = client.get(url(session))
    assert attendees[-1].name in pdf_text(response.content)


def test_course_report_links_each_run(client, people):
    session, _attendees = run(people, questionnaire=False)
    login(client, people["hr"])
    html = client.get(reverse("courses:course_report", args=[session.course_id])).content.decode()
    assert url(session) in html
