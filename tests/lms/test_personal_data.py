"""Personal data (issue #8 §8): phone, e-mail and hire date reach only the employee, HR and
superusers; managers see the work record of their team (more if a setting says so); trainers,
coordinators and evaluators see the directory entry. Exports of personal data are logged."""

import csv
import datetime
import io
from http import HTTPStatus

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms import audit, personal
from lms import services as lms_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE, EMAIL, HIRED = "13800138000", "jia@example.cn", datetime.date(2015, 7, 1)


@pytest.fixture
def person(people):
    employee = people["employee"]
    return lms_services.employee_update(
        employee=employee,
        phone=PHONE,
        email=EMAIL,
        hire_date=HIRED,
        **{
            name: getattr(employee, name)
            for name in lms_services.EMPLOYEE_EDITABLE_FIELDS
            if name not in ("phone", "email", "hire_date")
        },
    )


@pytest.mark.parametrize(
    ("viewer", "fields"),
    [
        ("employee", personal.ALL_FIELDS),
        ("hr", personal.ALL_FIELDS),
        ("manager", personal.MANAGER_FIELDS),
        ("other_manager", personal.DIRECTORY_FIELDS),
        ("trainer", personal.DIRECTORY_FIELDS),
        ("coordinator", personal.DIRECTORY_FIELDS),
        ("evaluator", personal.DIRECTORY_FIELDS),
        ("colleague", personal.DIRECTORY_FIELDS),
    ],
)
def test_tiers(people, person, viewer, fields):
    assert personal.employee_fields(people[viewer].user, person) == fields


def test_a_setting_opens_contact_data_to_managers(people, person, settings):
    settings.PERSONAL_DATA_MANAGER_FIELDS = ("phone", "email")
    assert personal.employee_fields(people["manager"].user, person) == (
        *personal.MANAGER_FIELDS,
        "phone",
        "email",
    )
    assert "phone" not in personal.employee_fields(people["other_manager"].user, person)


def inspect(client, viewer, person):
    client.force_login(viewer.user)
    return client.get(reverse("employees:inspect", args=[person.pk]))


@pytest.mark.parametrize(
    ("viewer", "sees_status", "sees_personal"),
    [("hr", True, True), ("manager", True, False), ("trainer", False, False)],
)
def test_admin_inspect_shows_the_viewers_fields(
    client, people, person, viewer, sees_status, sees_personal
):
    response = inspect(client, people[viewer], person)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert person.name in html and person.number in html
    assert ("Active" in html) is sees_status
    assert (PHONE in html) is sees_personal
    assert (EMAIL in html) is sees_personal
    assert ("2015" in html) is sees_personal


def test_admin_inspect_outside_the_scope_is_refused(client, people, person):
    assert inspect(client, people["other_manager"], person).status_code == HTTPStatus.NOT_FOUND


def test_setting_shows_managers_the_phone(client, people, person, settings):
    settings.PERSONAL_DATA_MANAGER_FIELDS = ("phone",)
    html = inspect(client, people["manager"], person).content.decode()
    assert PHONE in html and EMAIL not in html


@pytest.mark.parametrize(
    ("viewer", "columns"),
    [
        ("hr", {"Status", "Position"}),
        ("manager", {"Status", "Position"}),
        ("trainer", set()),
        ("coordinator", set()),
    ],
)
def test_admin_listing_columns_per_role(client, people, person, viewer, columns):
    client.force_login(people[viewer].user)
    html = client.get(reverse("employees:index")).content.decode()
    assert person.name in html
    for column in ("Status", "Position"):
        assert (f">{column}<" in html or f"{column}\n" in html) is (column in columns), column


def test_edit_form_carries_personal_fields_for_hr(client, people, person):
    client.force_login(people["hr"].user)
    html = client.get(reverse("employees:edit", args=[person.pk])).content.decode()
    assert PHONE in html and EMAIL in html


def export_rows(client, user, file_format="csv"):
    client.force_login(user)
    response = client.get(reverse("employees:export", args=[file_format]))
    assert response.status_code == HTTPStatus.OK
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("viewer", "has_status", "has_personal"),
    [("hr", True, True), ("manager", True, False), ("trainer", False, False)],
)
def test_export_columns_per_role_and_every_export_is_logged(
    client, people, person, viewer, has_status, has_personal
):
    rows = export_rows(client, people[viewer].user)
    header = rows[0]
    assert "工号" in header and "姓名" in header
    assert ("状态" in header) is has_status
    assert ("手机" in header) is has_personal and ("邮箱" in header) is has_personal
    assert ("入职日期" in header) is has_personal
    text = "\n".join(",".join(row) for row in rows)
    assert (PHONE in text) is has_personal
    logged = ModelLogEntry.objects.get(action=audit.PERSONAL_DATA_EXPORTED)
    assert logged.user == people[viewer].user
    assert logged.data["after"]["rows"] == len(rows) - 1
    assert logged.data["after"]["fields"] == header


def test_the_import_template_is_not_logged(client, people):
    client.force_login(people["hr"].user)
    client.get(reverse("employees:export", args=["xlsx"]) + "?template=1")
    assert not ModelLogEntry.objects.filter(action=audit.PERSONAL_DATA_EXPORTED).exists()


@pytest.mark.parametrize(
    ("viewer", "sees_hire_date"), [("employee", True), ("hr", True), ("manager", False)]
)
def test_archive_page_shows_the_hire_date_to_whom_may_see_it(
    client, people, person, viewer, sees_hire_date
):
    client.force_login(people[viewer].user)
    html = client.get(reverse("careers:archive", args=[person.pk])).content.decode()
    assert person.name in html
    assert ("2015-07-01" in html) is sees_hire_date


def test_someone_elses_archive_pdf_is_logged_and_ones_own_is_not(client, people, person):
    client.force_login(people["employee"].user)
    assert client.get(reverse("careers:archive_pdf", args=[person.pk])).status_code == 200
    assert not ModelLogEntry.objects.filter(action=audit.PERSONAL_DATA_EXPORTED).exists()
    client.force_login(people["manager"].user)
    response = client.get(reverse("careers:archive_pdf", args=[person.pk]) + "?year=2026")
    assert response.status_code == HTTPStatus.OK
    logged = ModelLogEntry.objects.get(action=audit.PERSONAL_DATA_EXPORTED)
    assert logged.user == people["manager"].user
    assert logged.object_id == str(person.pk)
    assert logged.data["employee"] == person.pk
    assert logged.data["filters"] == {"year": 2026}


def test_department_archive_zip_request_is_logged(
    client, people, company, person, django_capture_on_commit_callbacks
):
    """Asking for the zip is the export: it is logged once, whoever downloads it later."""
    from lms.models import BackgroundJob

    client.force_login(people["manager"].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("careers:archive_zip"), {"department": company["branch"].pk})
    job = BackgroundJob.objects.get(kind="careers.archive_zip")
    assert job.status == BackgroundJob.Status.DONE
    response = client.get(reverse("lms_jobs:download", args=[job.pk]))
    assert response.status_code == HTTPStatus.OK
    logged = ModelLogEntry.objects.get(action=audit.PERSONAL_DATA_EXPORTED)
    assert logged.user == people["manager"].user
    assert logged.data["after"]["rows"] == job.total > 0
    assert logged.data["filters"] == {"department": company["branch"].code, "year": None}
