from http import HTTPStatus

import pytest

from lms.models import Department, Employee
from tests import factories as f
from tests.conftest import login, with_session


def _add_employees(company, count):
    position = f.position()
    for _ in range(count):
        f.employee(department=company["team_b"], position=position)


@pytest.mark.parametrize("extra", [5, 50])
def test_employee_list_query_count_is_constant(
    client, people, company, extra, django_assert_num_queries
):
    _add_employees(company, extra)
    login(client, people["hr"])
    client.get("/admin/employees/")
    with django_assert_num_queries(with_session(7)):
        response = client.get("/admin/employees/")
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) == min(Employee.objects.count(), 50)


def test_manager_lists_only_their_subtree(client, people):
    login(client, people["manager"])
    response = client.get("/admin/employees/")
    numbers = {e.number for e in response.context["object_list"]}
    assert numbers == {"E1", "E2", "M1"}
    response = client.get(f"/admin/employees/edit/{people['outsider'].pk}/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)


def test_scoped_edit_view_answers_404_out_of_scope(client, people, monkeypatch):
    """A user with the change permission still cannot open a record outside their scope."""
    from django.contrib.auth.models import Permission

    manager = people["manager"].user
    manager.user_permissions.add(Permission.objects.get(codename="change_employee"))
    login(client, people["manager"])
    assert (
        client.get(f"/admin/employees/edit/{people['employee'].pk}/").status_code == HTTPStatus.OK
    )
    response = client.get(f"/admin/employees/edit/{people['outsider'].pk}/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_manager_cannot_change_employees(client, people):
    login(client, people["manager"])
    response = client.post(f"/admin/employees/edit/{people['employee'].pk}/", {"name": "x"})
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    people["employee"].refresh_from_db()
    assert people["employee"].name == "员工甲"


@pytest.mark.parametrize("who", ["employee", "evaluator"])
def test_portal_only_roles_have_no_admin(client, people, who):
    login(client, people[who])
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    response = client.get("/admin/employees/")
    assert response.status_code == HTTPStatus.FOUND


def test_hr_creates_an_employee_through_the_service(client, people, company):
    login(client, people["hr"])
    position = f.position()
    response = client.post(
        "/admin/employees/new/",
        {
            "number": "qc5005",
            "name": "新员工",
            "department": company["team_a"].pk,
            "position": position.pk,
            "hire_date": "2026-09-01",
            "status": "active",
            "phone": "",
            "email": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    employee = Employee.objects.get(number="QC5005")
    assert employee.user.username == "QC5005"
    assert employee.user.groups.filter(name="Employee").exists()


def test_hr_marks_an_employee_as_left(client, people):
    login(client, people["hr"])
    employee = people["colleague"]
    response = client.post(
        f"/admin/employees/edit/{employee.pk}/",
        {
            "name": employee.name,
            "department": employee.department_id,
            "position": employee.position_id,
            "hire_date": "",
            "status": "left",
            "phone": "",
            "email": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    employee.user.refresh_from_db()
    assert not employee.user.is_active


def test_hr_adds_a_department_under_a_parent(client, people, company):
    login(client, people["hr"])
    response = client.post(
        "/admin/departments/new/",
        {
            "code": "C-A-3",
            "name": "配电班",
            "kind": "team",
            "parent": company["branch"].pk,
            "manager": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    department = Department.objects.get(code="C-A-3")
    assert department.get_parent() == company["branch"]


def test_trainer_may_view_but_not_add_employees(client, people):
    login(client, people["trainer"])
    assert client.get("/admin/employees/").status_code == HTTPStatus.OK
    response = client.get("/admin/employees/new/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_a_refusal_of_the_department_service_is_a_form_error(client, people, company, monkeypatch):
    """A service's refusal is shown on the form, nothing saved (it was a server error, #15)."""
    from django.core.exceptions import ValidationError

    from lms import services

    def refuse(**kwargs):
        raise ValidationError({"code": "这个编码已停用。"})

    monkeypatch.setattr(services, "department_update", refuse)
    login(client, people["hr"])
    branch = company["branch"]
    response = client.post(
        f"/admin/departments/edit/{branch.pk}/",
        {
            "code": "C-A-9",
            "name": branch.name,
            "kind": branch.kind,
            "parent": company["root"].pk,
            "manager": "",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors == {"code": ["这个编码已停用。"]}
    branch.refresh_from_db()
    assert branch.code == "C-A"
