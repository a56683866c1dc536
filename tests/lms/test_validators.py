"""Phone numbers (issue #14, 8: the phone field accepted anything): Chinese mobile and landline
numbers as people write them, refused with a message that says what is expected, on the admin
form, in the service and in a spreadsheet import."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms import services
from lms.models import Employee
from lms.validators import validate_phone
from tests import factories as f
from tests.conftest import login
from tests.factories.spreadsheets import xlsx_bytes
from tests.lms.test_import_export import HEADERS, _import, org, rows  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ACCEPTED = [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
    "010-12345678", "(0755) 1234 5678", "0571-87654321转808", "021 6234 5678", "0755-1234567",
]  # fmt: skip
REFUSED = [
    "abc", "12345", "1380013800", "23800138000", "138001380001", "a\x00b", "010-123",
    "99999999999999999999", "+1 415 555 1234", "1' OR \"*) NEAR(a b --", "x" * 1000,
]  # fmt: skip


@pytest.mark.parametrize("value", ACCEPTED)
def test_mobile_and_landline_numbers_are_accepted(value):
    validate_phone(value)


@pytest.mark.parametrize("value", REFUSED)
def test_anything_else_is_refused_with_what_is_expected(value):
    with pytest.raises(ValidationError) as refused:
        validate_phone(value)
    message = refused.value.messages[0]
    assert "138 0013 8000" in message and "010-12345678" in message


def test_the_service_refuses_a_wrong_phone_and_saves_nothing(company):
    position = f.position(code="P77", name="营业员")
    with pytest.raises(ValidationError) as refused:
        services.employee_create(number="QC7101", name="乙", department=company["team_a"],
                                 position=position, phone="call me")  # fmt: skip
    assert "phone" in refused.value.message_dict
    assert not Employee.objects.filter(number="QC7101").exists()


def test_the_admin_form_names_the_field(client, people):
    person = people["employee"]
    login(client, people["hr"])
    url = reverse("employees:edit", args=[person.pk])
    data = {
        "name": person.name, "department": person.department_id,
        "position": person.position_id, "status": person.status, "phone": "12345",
        "email": "", "hire_date": "",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert list(form.errors) == ["phone"] and "010-12345678" in form.errors["phone"][0]
    person.refresh_from_db()
    assert person.phone != "12345"
    data["phone"] = "138 0013 8000"
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    person.refresh_from_db()
    assert person.phone == "138 0013 8000"


def test_an_import_row_with_a_wrong_phone_is_named(org):  # noqa: F811
    data = rows(3)
    data[1][6] = "办公室分机"  # spreadsheet row 3
    report = _import(xlsx_bytes(HEADERS, data), dry_run=False)
    assert not report.ok and [p.row for p in report.problems] == [3]
    assert "手机" in report.problems[0].messages[0] or "phone" in report.problems[0].messages[0]
    assert not Employee.objects.exists()
