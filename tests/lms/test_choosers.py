"""The choosers that replace drop-downs of every employee or question (lms.choosers): search by
number, name or stem; what they list; what choosing returns. Who may open them is in the
authorisation matrix (tests/security/declarations.py, tests/assessments/security_cases.py)."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def _modal(response):
    assert response.status_code == HTTPStatus.OK
    return json.loads(response.content)


def test_employee_chooser_finds_by_number_or_name_with_the_department(client, people, company):
    f.employee(number="QC7001", name="赵电工", department=company["other"])
    login(client, people["trainer"])
    results = reverse("employee_chooser:choose_results")
    body = client.get(results, {"q": "qc7001"}).content.decode()
    assert "赵电工" in body and "营销部" in body and "员工甲" not in body
    body = client.get(results, {"q": "员工"}).content.decode()
    assert "员工甲" in body and "员工乙" in body and "赵电工" not in body
    modal = _modal(client.get(reverse("employee_chooser:choose")))
    assert "员工甲" in modal["html"]


def test_choosing_an_employee_returns_its_id_and_name(client, people):
    login(client, people["hr"])
    employee = people["employee"]
    modal = _modal(client.get(reverse("employee_chooser:chosen", args=[employee.pk])))
    assert modal["step"] == "chosen"
    assert str(modal["result"]["id"]) == str(employee.pk)
    assert modal["result"]["title"] == str(employee)


def test_question_chooser_lists_active_questions_found_by_their_stem(client, people):
    kept = af.question(stem="<p>验电器使用前应检查什么？</p>")
    retired = af.question(stem="<p>验电器的报废标准是什么？</p>", is_active=False)
    login(client, people["trainer"])
    body = client.get(reverse("question_chooser:choose_results"), {"q": "验电器"}).content.decode()
    assert str(kept) in body and str(retired) not in body


def test_nothing_is_created_from_a_chooser(client, people):
    login(client, people["hr"])
    assert client.get("/admin/choose/employee/create/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("value", ["abc", "1" * 30, "-1", "１"])
def test_a_hostile_id_or_search_is_refused_never_a_server_error(client, people, value):
    login(client, people["trainer"])
    for name in ("employee_chooser:chosen", "question_chooser:chosen"):
        assert client.get(reverse(name, args=[value])).status_code == HTTPStatus.NOT_FOUND
    multiple = client.get(reverse("employee_chooser:chosen_multiple"), {"id": [value, "x"]})
    # (a 30-digit number in the query string is refused before the view: 400)
    assert multiple.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    for q in (value, "%", "_%_", "\\", "<script>", "a" * 5000):
        for name in ("employee_chooser:choose_results", "question_chooser:choose_results"):
            assert client.get(reverse(name), {"q": q}).status_code < 500
