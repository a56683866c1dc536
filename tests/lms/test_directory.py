"""Directory sign-in and the directory sync, against a real slapd on loopback (tests/slapd.py).

Nothing here is mocked: the application binds to slapd as its service account and as the
person, reads their groups, and the sync pages through the whole directory.
"""

from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.core import checks

from lms.models import BackgroundJob, DirectoryAccount, Employee
from lms.roles import Role, user_roles
from lms.scheduling import enqueue_now, scheduled_jobs
from lms.services import roles_set
from tests import factories as f

User = get_user_model()
UNREACHABLE = "cannot be reached"


def sign_in(client, number, password):
    return client.post("/accounts/login/", {"username": number, "password": password})


def roles_of(number):
    return set(user_roles(User.objects.get(username=number)))


def test_the_right_directory_password_signs_in_and_makes_the_employee(client, directory, english):
    response = sign_in(client, " d1001 ", "zhang-pass-1")
    assert response.status_code == HTTPStatus.FOUND
    employee = Employee.objects.select_related("department", "user").get(number="D1001")
    assert (employee.name, employee.email, employee.phone, employee.department.code) == (
        "张伟",
        "zhangwei@grid.test",
        "13800000001",
        "C-A-1",
    )
    assert employee.position.code == "DIR-P"
    assert roles_of("D1001") == {Role.EMPLOYEE, Role.TRAINER}
    account = DirectoryAccount.objects.get(user=employee.user)
    assert account.source == "ldap"
    assert account.subject.lower() == "uid=d1001,ou=people,dc=grid,dc=test"
    assert not employee.user.has_usable_password()
    assert client.get("/my/archive/").status_code == HTTPStatus.OK


def test_a_department_is_found_by_name_and_an_unknown_one_falls_back(client, directory):
    assert sign_in(client, "D1002", "li-pass-2").status_code == HTTPStatus.FOUND
    assert Employee.objects.get(number="D1002").department.code == "C-B"
    client.post("/accounts/logout/")
    assert sign_in(client, "D1004", "zhao-pass-4").status_code == HTTPStatus.FOUND
    assert Employee.objects.get(number="D1004").department.code == "C"


def test_a_wrong_password_is_refused_and_makes_no_account(client, directory, english):
    response = sign_in(client, "D1001", "zhang-pass-WRONG")
    assert response.status_code == HTTPStatus.OK
    assert "The employee number or the password is wrong." in response.content.decode()
    assert not User.objects.filter(username="D1001").exists()
    assert sign_in(client, "NOBODY", "whatever").status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "number", ["*", "D1001)(|(uid=*", "D100*", "\\2a", "D1001\x00", "员工" * 70]
)
def test_hostile_employee_numbers_find_nobody(client, directory, english, number):
    response = sign_in(client, number, "zhang-pass-1")
    assert response.status_code == HTTPStatus.OK
    assert not User.objects.filter(username="D1001").exists()


def test_a_locked_directory_account_cannot_sign_in(client, directory, english):
    response = sign_in(client, "D1003", "wang-pass-3")
    assert response.status_code == HTTPStatus.OK
    assert "The employee number or the password is wrong." in response.content.decode()
    assert not User.objects.filter(username="D1003").exists()


def test_an_account_locked_after_sign_in_is_refused_next_time(client, directory):
    assert sign_in(client, "D1001", "zhang-pass-1").status_code == HTTPStatus.FOUND
    client.post("/accounts/logout/")
    directory.lock("D1001")
    assert sign_in(client, "D1001", "zhang-pass-1").status_code == HTTPStatus.OK


def test_directory_down_says_so_and_the_break_glass_superuser_still_signs_in(
    client, directory, english
):
    f.employee(number="LOCAL1")  # has a local password, which SSO no longer accepts
    User.objects.create_superuser("BREAKGLASS", "root@example.com", f.PASSWORD)
    directory.stop()
    response = sign_in(client, "D1001", "zhang-pass-1")
    assert response.status_code == HTTPStatus.OK
    assert UNREACHABLE in response.content.decode()
    assert sign_in(client, "BREAKGLASS", f.PASSWORD).status_code == HTTPStatus.FOUND
    client.post("/accounts/logout/")
    response = sign_in(client, "LOCAL1", f.PASSWORD)
    assert response.status_code == HTTPStatus.OK
    assert UNREACHABLE in response.content.decode()


def test_directory_down_message_is_translated(client, directory):
    directory.stop()
    response = sign_in(client, "D1001", "zhang-pass-1")
    assert "无法连接公司目录" in response.content.decode()


def test_with_sso_on_local_passwords_are_for_the_superuser_only(client, directory, english):
    local = f.employee(number="LOCAL2")
    response = sign_in(client, "LOCAL2", f.PASSWORD)
    assert "The employee number or the password is wrong." in response.content.decode()
    client.force_login(local.user)
    response = client.get("/accounts/password/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "kept by the company directory" in response.content.decode()
    assert 'href="/accounts/password/"' not in client.get("/my/archive/").content.decode()
    superuser = User.objects.create_superuser("BREAKGLASS2", "root@example.com", f.PASSWORD)
    client.force_login(superuser)
    assert client.get("/accounts/password/").status_code == HTTPStatus.OK


def test_group_change_changes_roles_on_the_next_sign_in(client, directory):
    assert sign_in(client, "D1001", "zhang-pass-1").status_code == HTTPStatus.FOUND
    user = User.objects.get(username="D1001")
    roles_set(user=user, roles={Role.EMPLOYEE, Role.TRAINER, Role.EVALUATOR})
    client.post("/accounts/logout/")
    directory.set_groups("D1001", add=["ga-hr"], remove=["ga-trainers"])
    assert sign_in(client, "D1001", "zhang-pass-1").status_code == HTTPStatus.FOUND
    # The mapped roles follow the directory; a role given in the admin (Evaluator) stays.
    assert roles_of("D1001") == {Role.EMPLOYEE, Role.HR, Role.EVALUATOR}


@pytest.fixture
def sync(django_capture_on_commit_callbacks):
    """Run the scheduled directory sync now, as the scheduler would; return its job row."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            job = enqueue_now("lms.sync_directory")
        job.refresh_from_db()
        return job

    return run


def test_the_sync_creates_updates_and_deactivates_and_reports_it(
    client, directory, sync, people, english
):
    job = sync()
    assert job.status == BackgroundJob.Status.DONE, job.error
    assert set(
        Employee.objects.filter(user__directory_accounts__source="ldap").values_list(
            "number", flat=True
        )
    ) == {"D1001", "D1002", "D1004"}
    assert job.message.startswith("3 created, 0 updated, 0 deactivated, 0 unchanged.")
    assert "Created: D1001, D1002, D1004" in job.message

    # D1001 signs in on two devices; then the directory changes.
    other_device = client.__class__()
    for device in (client, other_device):
        assert sign_in(device, "D1001", "zhang-pass-1").status_code == HTTPStatus.FOUND
    directory.set_attribute("D1002", "telephoneNumber", "021-55556666")
    directory.set_groups("D1004", add=["ga-managers"])
    directory.remove("D1001")
    directory.lock("D1004")  # switched off: deactivated like a removed entry
    job = sync()
    assert job.status == BackgroundJob.Status.DONE, job.error
    assert "0 created, 1 updated, 2 deactivated, 0 unchanged." in job.message
    assert "Deactivated: D1001, D1004" in job.message
    assert Employee.objects.get(number="D1002").phone == "021-55556666"
    gone = Employee.objects.select_related("user").get(number="D1001")
    assert gone.status == Employee.Status.LEFT and not gone.user.is_active
    # Signed out everywhere at once.
    for device in (client, other_device):
        response = device.get("/my/archive/")
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/accounts/login/")
    # Accounts the directory never owned (made here, by spreadsheet or by hand) are left alone.
    assert Employee.objects.get(pk=people["employee"].pk).status == Employee.Status.ACTIVE


def test_group_change_changes_roles_on_sync(directory, sync, english):
    sync()
    assert roles_of("D1002") == {Role.EMPLOYEE, Role.HR}
    directory.set_groups("D1002", add=["ga-managers"], remove=["ga-hr"])
    job = sync()
    assert "Updated: D1002" in job.message
    assert roles_of("D1002") == {Role.EMPLOYEE, Role.MANAGER}


def test_sync_names_the_people_it_cannot_take(directory, sync, settings, english):
    settings.DIRECTORY_DEFAULT_DEPARTMENT = ""
    job = sync()
    assert job.status == BackgroundJob.Status.DONE
    assert "Not synchronised: No department or position for D1004" in job.message
    assert Employee.objects.filter(number="D1001").exists()


def test_sync_with_the_directory_down_fails_the_job_and_changes_nothing(
    client, directory, sync, english
):
    sync()
    directory.stop()
    job = sync()
    assert job.status == BackgroundJob.Status.FAILED
    assert job.error.startswith("The directory could not be reached")
    assert not Employee.objects.filter(status=Employee.Status.LEFT).exists()


def test_sync_is_scheduled_only_while_directory_sign_in_is_on(directory, settings):
    assert "lms.sync_directory" in scheduled_jobs()
    settings.DIRECTORY_LDAP_URI = ""
    assert "lms.sync_directory" not in scheduled_jobs()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ga-trainers:Trainer,ga-x:Trainers", "'Trainers' is not one of"),
        ("ga-trainers", "'ga-trainers' is not group:Role"),
    ],
)
def test_a_mistyped_group_role_table_fails_the_system_check(settings, value, problem):
    settings.DIRECTORY_GROUP_ROLES = value
    messages = [m.msg for m in checks.run_checks() if m.id == "lms.E020"]
    assert len(messages) == 1 and problem in messages[0]
