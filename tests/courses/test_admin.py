import datetime
from http import HTTPStatus
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Assignment, Completion, Enrollment, TrainingRule, TrainingSession
from tests import factories as f
from tests.conftest import login
from tests.factories import courses as cf


@pytest.fixture
def course(people):
    return cf.course(title="客户沟通技巧", code="KC01", lessons=1)


def _fill(people, course, n):
    """n sessions with one enrolment each; n completions, assignments and rules."""
    department = people["employee"].department
    for _i in range(n):
        employee = f.employee(department=department, position=people["employee"].position)
        session = cf.session(course=course, trainer=people["trainer"])
        services.enrollment_create(session=session, employee=employee)
        services.completion_record(
            employee=employee,
            course=course,
            completed_on=timezone.localdate(),
            source=Completion.Source.EXTERNAL,
        )
        other = cf.course(lessons=1)
        services.assignment_create(employee=employee, course=other, due_on=timezone.localdate())
        services.rule_create(course=other, department=department, due_on=timezone.localdate())


LISTS = [
    ("training_sessions:index", "trainer", TrainingSession),
    ("training_enrollments:index", "hr", Enrollment),
    ("training_enrollments:index", "manager", Enrollment),
    ("training_completions:index", "hr", Completion),
    ("training_assignments:index", "hr", Assignment),
    ("training_rules:index", "hr", TrainingRule),
]


@pytest.mark.parametrize(("url_name", "who", "model"), LISTS)
def test_admin_list_query_count_is_constant(
    client, people, course, url_name, who, model, django_assert_num_queries, capture_queries
):
    _fill(people, course, 3)
    login(client, people[who])
    url = reverse(url_name)
    assert client.get(url).status_code == HTTPStatus.OK
    with capture_queries() as first:
        client.get(url)
    _fill(people, course, 27)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert model.objects.count() >= 30


@pytest.mark.parametrize("url_name", sorted({row[0] for row in LISTS}))
def test_employee_has_no_admin_lists(client, people, url_name):
    login(client, people["employee"])
    response = client.get(reverse(url_name))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_manager_sees_only_own_subtree(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    for key in ("employee", "outsider"):
        services.enrollment_create(session=session, employee=people[key])
        services.completion_record(
            employee=people[key],
            course=course,
            completed_on=timezone.localdate(),
            source=Completion.Source.EXTERNAL,
        )
    login(client, people["manager"])
    for url_name in ("training_enrollments:index", "training_completions:index"):
        body = client.get(reverse(url_name)).content.decode()
        assert "员工甲" in body and "员工丙" not in body
    outsider_completion = Completion.objects.get(employee=people["outsider"])
    response = client.get(reverse("training_completions:inspect", args=[outsider_completion.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_trainer_creates_session_in_admin(client, people, course):
    login(client, people["trainer"])
    starts = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "course": course.pk,
        "title": "",
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
        "mode": "on_site",
        "location": "城关供电所会议室",
        "trainer": people["trainer"].pk,
        "capacity": 40,
        "check_in_code": "135790",
    }
    response = client.post(reverse("training_sessions:add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    session = TrainingSession.objects.get()
    assert session.capacity == 40 and session.location == "城关供电所会议室"
    data["ends_at"] = starts.strftime("%Y-%m-%d %H:%M")
    response = client.post(reverse("training_sessions:add"), data)
    assert "must end after it starts" in response.content.decode()


def test_hr_enrols_several_people_all_or_nothing(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"], capacity=2)
    login(client, people["hr"])
    url = reverse("training_enrollments:add")
    three = [people["employee"].pk, people["colleague"].pk, people["outsider"].pk]
    response = client.post(url, {"session": session.pk, "employees": three})
    assert "The session is full" in response.content.decode()
    assert not Enrollment.objects.exists()
    response = client.post(url, {"session": session.pk, "employees": three[:2]})
    assert response.status_code == HTTPStatus.FOUND
    assert Enrollment.objects.filter(source=Enrollment.Source.ASSIGNED).count() == 2


def test_manager_cannot_enrol_outside_scope(client, people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    login(client, people["manager"])
    response = client.post(
        reverse("training_enrollments:add"),
        {"session": session.pk, "employees": [people["outsider"].pk]},
    )
    assert response.status_code == HTTPStatus.OK  # the outsider is not even a choice
    assert not Enrollment.objects.exists()
    response = client.post(
        reverse("training_enrollments:add"),
        {"session": session.pk, "employees": [people["employee"].pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Enrollment.objects.get().employee == people["employee"]


def test_hr_adds_rule_in_admin_and_assignments_follow(client, people, course):
    login(client, people["hr"])
    response = client.post(
        reverse("training_rules:add"),
        {
            "course": course.pk,
            "position": people["employee"].position.pk,
            "department": "",
            "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "interval_months": "12",
            "active": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Assignment.objects.filter(employee=people["employee"], course=course).exists()
    body = client.get(reverse("training_assignments:index") + "?status=due").content.decode()
    assert "员工甲" in body


def test_trainer_cannot_add_rules(client, people):
    login(client, people["trainer"])
    assert client.get(reverse("training_rules:add")).status_code in (
        HTTPStatus.FOUND,
        HTTPStatus.FORBIDDEN,
    )


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("records.xlsx", buffer.getvalue())


def test_external_records_import_names_bad_rows_and_saves_nothing(client, people, course):
    login(client, people["hr"])
    url = reverse("training_completions:import")
    bad = _xlsx(
        [
            ["工号", "课程编码", "完成日期", "学时", "培训机构"],
            ["E1", "KC01", "2026-03-01", 8, "国网技术学院"],
            ["X999", "KC01", "2026-03-01", 8, ""],
            ["E2", "NOPE", "2026-03-01", "", ""],
        ]
    )
    response = client.post(url, {"import_file": bad})
    body = response.content.decode()
    assert "X999" in body and "NOPE" in body
    assert not Completion.objects.exists()
    good = _xlsx(
        [
            ["工号", "课程编码", "完成日期", "学时", "培训机构"],
            ["e1", "KC01", "2026-03-01", 8, "国网技术学院"],
            ["E2", "KC01", "2026/3/2", "", ""],
        ]
    )
    response = client.post(url, {"import_file": good})
    token = response.context["token"]
    assert not Completion.objects.exists()  # the preview saves nothing
    response = client.post(url, {"confirm": "1", "token": token, "file_format": "xlsx"})
    assert response.status_code == HTTPStatus.FOUND
    rows = {c.employee.number: c for c in Completion.objects.all()}
    assert rows["E1"].hours == 8 and rows["E1"].provider == "国网技术学院"
    assert rows["E2"].hours == course.hours  # blank hours take the course's
    assert {c.source for c in rows.values()} == {Completion.Source.EXTERNAL}


def _read_xlsx(response):
    book = openpyxl.load_workbook(BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_exports(client, people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    services.enrollment_create(session=session, employee=people["colleague"])
    services.attendance_record(session=session, present_ids=[people["employee"].pk])
    login(client, people["hr"])
    rows = _read_xlsx(client.get(reverse("training_sessions:export", args=["xlsx"])))
    assert rows[0][:2] == ["培训班", "课程编码"]
    attended = {row[5]: row[-1] for row in rows[1:]}
    assert attended == {"E1": "出勤", "E2": "缺勤"}
    rows = _read_xlsx(client.get(reverse("training_completions:export", args=["xlsx"])))
    assert rows[0][:3] == ["工号", "姓名", "部门"]
    assert [row[0] for row in rows[1:]] == ["E1"]


def test_plan_export(client, people, course, company):
    from courses.models import PlanItem, TrainingPlanPage

    plan = TrainingPlanPage(
        title="2026年度培训计划",
        year=2026,
        department=company["root"],
        items=[
            PlanItem(
                title="客户沟通技巧", course=course, method="internal", planned_month=3, hours=4
            )
        ],
    )
    cf.plan_index().add_child(instance=plan)
    login(client, people["trainer"])
    response = client.get(reverse("courses_plan_export", args=[plan.pk]))
    rows = _read_xlsx(response)
    assert rows[1][:5] == ["2026年度培训计划", "2026", "3", "客户沟通技巧", "KC01"]
    login(client, people["employee"])
    assert client.get(reverse("courses_plan_export", args=[plan.pk])).status_code != 200


def test_trainer_records_practical_check_in_admin(client, people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    for key in ("employee", "colleague"):
        services.enrollment_create(session=session, employee=people[key])
    services.attendance_record(session=session, present_ids=[people["employee"].pk])
    login(client, people["trainer"])
    url = reverse("training_practical_checks:add")
    data = {"session": session.pk, "passed": "on", "score": "86", "comment": "操作规范"}
    response = client.post(url, {**data, "employee": people["colleague"].pk})
    assert "did not attend" in response.content.decode()
    response = client.post(url, {**data, "employee": people["employee"].pk})
    assert response.status_code == HTTPStatus.FOUND
    from courses.models import PracticalCheck

    check = PracticalCheck.objects.get()
    assert check.passed and check.score == 86 and check.recorded_by == people["trainer"].user
    body = client.get(reverse("training_practical_checks:index")).content.decode()
    assert "操作规范" in body
    login(client, people["employee"])
    assert client.get(url).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_practical_check_list_query_count(
    client, people, course, django_assert_num_queries, capture_queries
):
    session = cf.past_session(course=course, trainer=people["trainer"], capacity=100)
    department = people["employee"].department

    def add(n):
        staff = [f.employee(department=department) for _i in range(n)]
        for employee in staff:
            services.enrollment_create(session=session, employee=employee)
        present = list(
            Enrollment.objects.filter(session=session).values_list("employee_id", flat=True)
        )
        services.attendance_record(session=session, present_ids=present)
        for employee in staff:
            services.practical_check_record(session=session, employee=employee, passed=True)

    add(3)
    login(client, people["trainer"])
    url = reverse("training_practical_checks:index")
    client.get(url)
    with capture_queries() as first:
        client.get(url)
    add(27)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("<tr") >= 31


def test_manager_sees_team_assignments_only(client, people, course):
    for key in ("employee", "outsider"):
        services.assignment_create(employee=people[key], course=course, due_on=timezone.localdate())
    login(client, people["manager"])
    body = client.get(reverse("training_assignments:index")).content.decode()
    assert "员工甲" in body and "员工丙" not in body


def test_hr_records_completion_and_assignment_in_admin(client, people, course):
    login(client, people["hr"])
    response = client.post(
        reverse("training_completions:add"),
        {
            "employee": people["employee"].pk,
            "course": course.pk,
            "completed_on": timezone.localdate().isoformat(),
            "hours": "",
            "credits": "",
            "provider": "省公司培训中心",
            "note": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    completion = Completion.objects.get()
    assert completion.hours == course.hours and completion.source == Completion.Source.EXTERNAL
    data = {"employee": people["colleague"].pk, "course": course.pk, "due_on": "2099-01-01"}
    assert client.post(reverse("training_assignments:add"), data).status_code == HTTPStatus.FOUND
    response = client.post(reverse("training_assignments:add"), data)
    assert "already has an open assignment" in response.content.decode()
    assert Assignment.objects.count() == 1
