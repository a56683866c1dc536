import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Attendance, Completion, Enrollment, LessonProgress
from courses.views import calendar_token
from tests import factories as f
from tests.conftest import login
from tests.factories import courses as cf


@pytest.fixture
def course(people):
    return cf.course(title="营业厅服务规范", lessons=3)


def test_catalogue_query_count_is_constant(
    client, rf, people, django_assert_num_queries, capture_queries
):
    login(client, people["employee"])
    for _i in range(2):
        cf.course(lessons=2)
    client.get("/courses/")  # warm caches (site root, content types)
    with capture_queries() as first:
        response = client.get("/courses/")
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('class="progress"') == 2
    for _i in range(18):
        cf.course(lessons=2)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/courses/")
    assert response.content.decode().count('class="progress"') == 20
    # The catalogue's own read: one query for every course with its lesson counts and progress.
    request = rf.get("/courses/")
    request.user = people["employee"].user
    context = cf.course_index().get_context(request)
    with django_assert_num_queries(1):
        courses = list(context["courses"])
    assert len(courses) == 20 and all(c.lesson_count == 2 for c in courses)


def test_course_page_shows_materials_lessons_and_progress(client, people, course):
    login(client, people["employee"])
    response = client.get(course.url)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "装设接地线" in body  # a key point from the materials
    assert "0 of 3 lessons done" in body


def test_lesson_counts_as_done_only_after_it_was_opened(client, people, course):
    login(client, people["employee"])
    first, second, third = course.lessons.order_by("sort_order")
    response = client.post(reverse("courses:lesson_done", args=[second.pk]))
    assert not LessonProgress.objects.exists()  # refused: never opened
    assert "Open the lesson" in client.get(response.url).content.decode()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    for lesson in (first, second, third):
        assert client.get(reverse("courses:lesson", args=[lesson.pk])).status_code == HTTPStatus.OK
        response = client.post(reverse("courses:lesson_done", args=[lesson.pk]))
        assert response.status_code == HTTPStatus.FOUND
    assert response.url == course.url
    completion = Completion.objects.get(employee=people["employee"])
    assert completion.source == Completion.Source.ONLINE and completion.hours == course.hours
    page = client.get(course.url).content.decode()
    assert "3 of 3 lessons done" in page


def test_lesson_of_unpublished_course_is_404(client, people):
    course = cf.course(publish=False)
    login(client, people["employee"])
    lesson = course.lessons.first()
    assert client.get(reverse("courses:lesson", args=[lesson.pk])).status_code == 404


def test_lessons_need_an_employee(client, superuser, course):
    login(client, superuser)
    lesson = course.lessons.first()
    assert client.get(reverse("courses:lesson", args=[lesson.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("courses:lesson", args=[lesson.pk])).status_code == 302


def test_self_enrolment_view_and_duplicate_message(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"], capacity=1)
    login(client, people["employee"])
    url = reverse("courses:enrol", args=[session.pk])
    response = client.post(url, follow=True)
    assert "You are enrolled" in response.content.decode()
    response = client.post(url, follow=True)
    assert "already enrolled" in response.content.decode()
    login(client, people["colleague"])
    response = client.post(url, follow=True)
    assert "The session is full" in response.content.decode()
    assert Enrollment.objects.count() == 1


def test_refusal_is_translated_to_chinese(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"], capacity=1)
    services.enrollment_create(session=session, employee=people["employee"])
    client.cookies["ga_language"] = "zh-hans"
    login(client, people["colleague"])
    response = client.post(reverse("courses:enrol", args=[session.pk]), follow=True)
    assert "名额已满" in response.content.decode()


def test_check_in_view(client, people, course):
    session = cf.past_session(course=course, trainer=people["trainer"], check_in_code="246810")
    services.enrollment_create(session=session, employee=people["employee"])
    login(client, people["employee"])
    url = reverse("courses:check_in")
    response = client.post(url, {"code": "000000"})
    assert "wrong" in response.content.decode()
    response = client.post(url, {"code": "246810"})
    assert response.status_code == HTTPStatus.FOUND
    assert Attendance.objects.get().present
    login(client, people["colleague"])
    response = client.post(
        url + f"?session={session.pk}", {"code": "246810", "session": session.pk}
    )
    assert "not enrolled" in response.content.decode()


def _roster_session(course, trainer, employees):
    session = cf.past_session(course=course, trainer=trainer, capacity=500)
    for employee in employees:
        services.enrollment_create(session=session, employee=employee)
    return session


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", HTTPStatus.OK),
        ("hr", HTTPStatus.OK),
        ("employee", HTTPStatus.FORBIDDEN),
        ("manager", HTTPStatus.FORBIDDEN),
    ],
)
def test_roster_access(client, people, course, who, status):
    session = _roster_session(course, people["trainer"], [people["employee"]])
    login(client, people[who])
    assert client.get(reverse("courses:roster", args=[session.pk])).status_code == status


def test_session_trainer_without_trainer_role_may_take_attendance(client, people, course):
    session = _roster_session(course, people["colleague"], [people["employee"]])
    login(client, people["colleague"])
    assert client.get(reverse("courses:roster", args=[session.pk])).status_code == HTTPStatus.OK


def test_roster_save_and_refuse_stranger(client, people, course):
    session = _roster_session(course, people["trainer"], [people["employee"], people["colleague"]])
    login(client, people["trainer"])
    url = reverse("courses:roster", args=[session.pk])
    response = client.post(url, {"present": [people["employee"].pk, people["outsider"].pk]})
    assert "Not enrolled" in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(url, {"present": [people["employee"].pk]}, follow=True)
    assert "1 present, 1 absent" in response.content.decode()
    assert Completion.objects.filter(source=Completion.Source.SESSION).count() == 1


def test_roster_query_count_is_constant(
    client, people, course, django_assert_num_queries, capture_queries
):
    department = people["employee"].department
    staff = [f.employee(department=department) for _i in range(3)]
    session = _roster_session(course, people["trainer"], staff)
    login(client, people["trainer"])
    url = reverse("courses:roster", args=[session.pk])
    client.get(url)
    with capture_queries() as first:
        response = client.get(url)
    assert response.content.decode().count('name="present"') == 3
    more = [f.employee(department=department) for _i in range(27)]
    for employee in more:
        services.enrollment_create(session=session, employee=employee)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="present"') == 30


def test_roster_save_for_many_runs_fixed_queries(
    client, people, course, django_assert_num_queries, capture_queries
):
    department = people["employee"].department
    staff = [f.employee(department=department) for _i in range(30)]
    session = _roster_session(course, people["trainer"], staff[:3])
    login(client, people["trainer"])
    url = reverse("courses:roster", args=[session.pk])
    client.post(url, {"present": [e.pk for e in staff[:3]]})
    Attendance.objects.all().delete()
    Completion.objects.all().delete()
    with capture_queries() as first:
        client.post(url, {"present": [e.pk for e in staff[:3]]})
    for employee in staff[3:]:
        services.enrollment_create(session=session, employee=employee)
    Attendance.objects.all().delete()
    Completion.objects.all().delete()
    with django_assert_num_queries(len(first.captured_queries)):
        client.post(url, {"present": [e.pk for e in staff]})
    assert Attendance.objects.filter(present=True).count() == 30


def test_my_learning_shows_assignments_sessions_and_progress(client, people, course):
    employee = people["employee"]
    services.rule_create(
        course=course,
        position=employee.position,
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    session = cf.session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=employee)
    services.lesson_open(employee=employee, lesson=course.lessons.first())
    login(client, employee)
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert "营业厅服务规范" in body
    assert "Due" in body
    assert "0 of 3 lessons done" in body
    assert session.display_title in body
    home = client.get("/").content.decode()
    assert "required courses to complete" in home


def _panel_data(panel, employee, rf):
    """The panel's own reads (the page around it adds the portal's and other apps' queries)."""
    from django.contrib.auth import get_user_model

    request = rf.get("/my/learning/")
    request.user = get_user_model().objects.get(pk=employee.user_id)  # no cached roles
    return request, panel


def _panel_context(panel, employee, rf, django_assert_num_queries, queries):
    request, panel = _panel_data(panel, employee, rf)
    with django_assert_num_queries(queries):
        context = panel.get_context_data(request, employee)
    return panel.render(request, employee) if context is not None else ""


def test_my_learning_query_count_is_constant(client, rf, people, django_assert_num_queries):
    """The panel runs an exact, fixed number of queries; so does the whole page (whose
    count also includes the other apps' panels in the section)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.integrations import MyLearningPanel
    from courses.models import QuestionnaireField, QuestionnairePage

    employee = people["employee"]

    def add(n):
        for _i in range(n):
            course = cf.course(lessons=2)
            services.assignment_create(
                employee=employee, course=course, due_on=timezone.localdate()
            )
            session = cf.session(course=course, trainer=people["trainer"])
            services.enrollment_create(session=session, employee=employee)
            held = cf.past_session(course=course, trainer=people["trainer"])
            services.enrollment_create(session=held, employee=employee)
            services.attendance_record(session=held, present_ids=[employee.pk])
            lesson = course.lessons.first()
            services.lesson_open(employee=employee, lesson=lesson)
            services.lesson_complete(employee=employee, lesson=lesson)
            questionnaire = QuestionnairePage(
                title=f"{course.title}调查",
                course=course,
                form_fields=[QuestionnaireField(label="满意度", field_type="number")],
            )
            cf.course_index().add_child(instance=questionnaire)

    # Six reads and the active training rules (none here: with rules, the employee's
    # completions and open assignments of their courses follow, two more).
    add(2)
    html = _panel_context(MyLearningPanel(), employee, rf, django_assert_num_queries, 7)
    assert html.count("1 of 2 lessons done") == 2 and html.count("调查") == 2
    login(client, employee)
    url = reverse("portal:section", args=["learning"])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        body = client.get(url).content.decode()
    assert body.count("1 of 2 lessons done") == 2
    add(18)
    html = _panel_context(MyLearningPanel(), employee, rf, django_assert_num_queries, 7)
    assert html.count("1 of 2 lessons done") == 20 and html.count("调查") == 20
    with django_assert_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("1 of 2 lessons done") == 20


def test_calendar_feed(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    response = client.get(reverse("courses:calendar", args=[calendar_token(people["employee"])]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.content.decode()
    assert client.get(reverse("courses:calendar", args=["forged"])).status_code == 404
    other = client.get(reverse("courses:calendar", args=[calendar_token(people["colleague"])]))
    assert "BEGIN:VEVENT" not in other.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("trainer", HTTPStatus.OK), ("hr", HTTPStatus.OK), ("employee", HTTPStatus.FORBIDDEN)],
)
def test_course_report_access(client, people, course, who, status):
    login(client, people[who])
    assert client.get(reverse("courses:course_report", args=[course.pk])).status_code == status


def test_roster_shows_check_in_code_and_qr(client, people, course):
    session = _roster_session(course, people["trainer"], [people["employee"]])
    login(client, people["trainer"])
    body = client.get(reverse("courses:roster", args=[session.pk])).content.decode()
    assert session.check_in_code in body
    assert "<svg" in body and f"code={session.check_in_code}" in body


def test_anonymous_visitors_are_sent_to_sign_in(client, people, course):
    for url in (course.url, cf.course_index().url, cf.plan_index().url):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert "/accounts/login/" in response.url


def test_trainer_sees_sessions_they_teach_with_roster_link(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    login(client, people["trainer"])
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert reverse("courses:roster", args=[session.pk]) in body
    login(client, people["employee"])
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert reverse("courses:roster", args=[session.pk]) not in body


def test_manager_sees_team_compliance_in_scope(client, people, course):
    today = timezone.localdate()
    services.assignment_create(
        employee=people["employee"], course=course, due_on=today - datetime.timedelta(days=3)
    )
    services.assignment_create(employee=people["colleague"], course=course, due_on=today)
    services.assignment_create(employee=people["outsider"], course=course, due_on=today)
    login(client, people["manager"])
    url = reverse("portal:section", args=["learning"])
    body = client.get(url).content.decode()
    assert "变电班" in body and "线路班" in body and "营销部" not in body
    assert "?status=overdue" in body
    login(client, people["employee"])
    assert "?status=overdue" not in client.get(url).content.decode()


def test_manager_learning_page_query_count_is_constant(
    client, rf, people, company, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.integrations import TeamCompliancePanel

    def add(n):
        for _i in range(n):
            course = cf.course(lessons=1)
            employee = f.employee(department=company["team_a"])
            services.assignment_create(
                employee=employee, course=course, due_on=timezone.localdate()
            )

    add(3)
    # Four queries: the user's roles, employee profile, the departments they head, the counts.
    html = _panel_context(
        TeamCompliancePanel(), people["manager"], rf, django_assert_num_queries, 4
    )
    assert "<td>3</td>" in html
    login(client, people["manager"])
    url = reverse("portal:section", args=["learning"])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        body = client.get(url).content.decode()
    assert "<td>3</td>" in body
    add(27)
    html = _panel_context(
        TeamCompliancePanel(), people["manager"], rf, django_assert_num_queries, 4
    )
    assert "<td>30</td>" in html
    with django_assert_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert "<td>30</td>" in body


def test_home_card_says_nothing_when_no_required_training_is_open(client, people):
    login(client, people["employee"])
    home = client.get("/").content.decode()
    assert "required courses" not in home
