import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from lms import services
from lms.models import Department, Employee
from lms.roles import Role, user_roles
from tests import factories as f


def test_employee_create_makes_an_account_named_by_the_employee_number(company):
    employee = f.employee(number=" qc0007 ", name="刘洋", department=company["team_a"])
    user = employee.user
    assert employee.number == "QC0007"
    assert user.username == "QC0007"
    assert user.check_password(f.PASSWORD)
    assert user_roles(user) == {Role.EMPLOYEE}
    assert ModelLogEntry.objects.filter(
        object_id=str(employee.pk), action="wagtail.create"
    ).exists()


def test_employee_create_without_password_cannot_sign_in(company):
    employee = services.employee_create(
        number="N1", name="无密码", department=company["root"], position=f.position()
    )
    assert not employee.user.has_usable_password()


def test_duplicate_employee_number_is_refused_and_nothing_is_saved(company):
    f.employee(number="DUP1")
    before = get_user_model().objects.count()
    with pytest.raises(ValidationError) as error:
        f.employee(number="dup1")
    assert "number" in error.value.message_dict
    assert get_user_model().objects.count() == before


def test_invalid_email_is_refused(company):
    with pytest.raises(ValidationError) as error:
        f.employee(email="not-an-address")
    assert "email" in error.value.message_dict
    assert not Employee.objects.exists()


def test_leaving_deactivates_the_account_and_is_audited(company):
    employee = f.employee()
    services.employee_update(employee=employee, status=Employee.Status.LEFT)
    employee.user.refresh_from_db()
    assert not employee.user.is_active
    entry = ModelLogEntry.objects.filter(object_id=str(employee.pk), action="wagtail.edit").get()
    assert entry.data == {"changed": ["status"]}


def test_update_refuses_fields_it_does_not_own(company):
    with pytest.raises(TypeError):
        services.employee_update(employee=f.employee(), number="X")


def test_department_tree_and_moves(company):
    assert set(Department.objects.subtree_of(company["branch"])) == {
        company["branch"],
        company["team_a"],
        company["team_b"],
    }
    services.department_update(department=company["team_b"], parent=company["other"])
    company["team_b"].refresh_from_db()
    assert company["team_b"].get_parent() == company["other"]
    with pytest.raises(ValidationError):
        services.department_update(department=company["branch"], parent=company["team_a"])


def test_roles_set_replaces_roles_and_keeps_other_groups(company):
    from django.contrib.auth.models import Group

    employee = f.employee(roles=[Role.TRAINER])
    other = Group.objects.create(name="Wagtail editors")
    employee.user.groups.add(other)
    services.roles_set(user=employee.user, roles=[Role.HR])
    names = set(employee.user.groups.values_list("name", flat=True))
    assert names == {"HR", "Wagtail editors"}
    with pytest.raises(ValidationError):
        services.roles_set(user=employee.user, roles=["Nobody"])
