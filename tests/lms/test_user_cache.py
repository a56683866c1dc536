"""The signed-in user's account row is cached between requests (lms.auth) and forgotten as soon
as the account or its profile changes."""

from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.users.models import UserProfile

from lms.auth import EmployeeNumberBackend
from lms.cache import RedisCache
from tests import factories as f

PORTAL = "/my/archive/"


@pytest.fixture
def signed_in(company):
    employee = f.employee(number="UC1")
    client = Client()
    response = client.post("/accounts/login/", {"username": "UC1", "password": f.PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return employee, client


def _user_queries(queries):
    return [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_the_second_request_reads_the_account_from_the_cache(signed_in):
    _employee, client = signed_in
    with CaptureQueriesContext(connection) as first:
        assert client.get(PORTAL).status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as second:
        assert client.get(PORTAL).status_code == HTTPStatus.OK
    assert len(_user_queries(first)) >= 1
    assert _user_queries(second) == []


def test_the_cache_can_be_switched_off(signed_in, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    _employee, client = signed_in
    client.get(PORTAL)
    with CaptureQueriesContext(connection) as again:
        assert client.get(PORTAL).status_code == HTTPStatus.OK
    assert len(_user_queries(again)) == 1


def test_a_deactivated_account_is_not_served_from_the_cache(signed_in):
    employee, client = signed_in
    assert client.get(PORTAL).status_code == HTTPStatus.OK  # cached now
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert EmployeeNumberBackend().get_user(user.pk) is None
    response = client.get(PORTAL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_a_changed_profile_language_shows_on_the_next_request(signed_in):
    employee, client = signed_in
    assert client.get(PORTAL)["Content-Language"] == "zh-hans"
    profile = UserProfile.get_for_user(employee.user)
    profile.preferred_language = "en"
    profile.save()
    assert client.get(PORTAL)["Content-Language"] == "en"


def test_an_account_deleted_is_forgotten(signed_in):
    employee, client = signed_in
    client.get(PORTAL)
    pk = employee.user.pk
    employee.delete()
    get_user_model().objects.filter(pk=pk).delete()
    assert EmployeeNumberBackend().get_user(pk) is None


def test_bulk_activation_in_the_admin_forgets_the_cached_accounts(company, superuser):
    employee = f.employee(number="UC2")
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    backend = EmployeeNumberBackend()
    assert backend.get_user(user.pk) is None  # the inactive row is cached now
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        "/admin/bulk/auth/user/set_active_state/?next=/admin/users/&id=" + str(user.pk),
        {"mark_as_active": "True"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert backend.get_user(user.pk) == user


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    """No connection is made: the clients are only built."""
    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    assert cache._cache.get_client("any key") is client


# The roles and the employee profile travel with the cached account. A stale role is an
# authorisation bug, so every way they change is tried here: each test fills the cache first,
# changes the rows the way the product does, and checks what the next request is given.

DASHBOARD = "/careers/dashboard/"


@pytest.fixture
def hr_signed_in(company):
    employee = f.employee(number="UC3", department=company["team_a"], roles=["HR"])
    client = Client()
    client.force_login(employee.user)
    assert client.get(DASHBOARD).status_code == HTTPStatus.OK  # the account is cached now
    return employee, client


def _cached(user_id):
    """The account as the next request gets it, and whether it came without a query."""
    with CaptureQueriesContext(connection) as queries:
        user = EmployeeNumberBackend().get_user(user_id)
    return user, len(queries) == 0


def test_roles_and_employee_profile_come_with_the_cached_account(hr_signed_in):
    employee, client = hr_signed_in
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == HTTPStatus.OK
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "auth_group"' not in sql.replace('"auth_group_permissions"', "")
    assert 'FROM "lms_employee" WHERE "lms_employee"."user_id"' not in sql
    user, from_cache = _cached(employee.user.pk)
    assert from_cache
    assert user._lms_roles == frozenset({"HR", "Employee"})
    assert user._lms_employee.department.name == "变电班"
    assert user._lms_employee.user is user


def test_a_role_taken_away_is_refused_on_the_next_request(hr_signed_in):
    from lms import services

    employee, client = hr_signed_in
    services.roles_set(user=employee.user, roles=["Employee"])
    assert client.get(DASHBOARD).status_code == HTTPStatus.FORBIDDEN


def test_a_role_taken_away_through_the_group_is_refused(hr_signed_in):
    from django.contrib.auth.models import Group

    employee, client = hr_signed_in
    Group.objects.get(name="HR").user_set.remove(employee.user)
    assert client.get(DASHBOARD).status_code == HTTPStatus.FORBIDDEN


def test_a_group_emptied_or_deleted_is_refused(hr_signed_in, people):
    from django.contrib.auth.models import Group

    employee, client = hr_signed_in
    Group.objects.get(name="HR").user_set.clear()
    assert client.get(DASHBOARD).status_code == HTTPStatus.FORBIDDEN
    Group.objects.get(name="HR").user_set.add(employee.user)
    assert client.get(DASHBOARD).status_code == HTTPStatus.OK
    Group.objects.get(name="HR").delete()
    assert client.get(DASHBOARD).status_code == HTTPStatus.FORBIDDEN


def test_a_role_given_counts_on_the_next_request(company):
    from lms import services

    employee = f.employee(number="UC4", department=company["team_a"])
    client = Client()
    client.force_login(employee.user)
    assert client.get(DASHBOARD).status_code == HTTPStatus.FORBIDDEN
    services.roles_set(user=employee.user, roles=["Employee", "Department manager"])
    assert client.get(DASHBOARD).status_code == HTTPStatus.OK


def test_an_employee_moved_or_renamed_is_read_again(hr_signed_in, company):
    from lms import services

    employee, _client = hr_signed_in
    services.employee_update(employee=employee, department=company["other"], name="改名")
    user, from_cache = _cached(employee.user.pk)
    assert not from_cache
    assert (user._lms_employee.department.name, user._lms_employee.name) == ("营销部", "改名")
    assert _cached(employee.user.pk)[1]


def test_a_department_renamed_or_moved_is_read_again(hr_signed_in, company):
    from lms import services
    from lms.models import Department

    employee, _client = hr_signed_in
    team = Department.objects.get(pk=company["team_a"].pk)
    services.department_update(department=team, name="变电运维班")
    user, from_cache = _cached(employee.user.pk)
    assert (from_cache, user._lms_employee.department.name) == (False, "变电运维班")
    services.department_update(department=team, parent=company["other"])
    user, _ = _cached(employee.user.pk)
    assert user._lms_employee.department.path.startswith(company["other"].path)


def test_a_position_renamed_is_read_again(hr_signed_in):
    employee, _client = hr_signed_in
    position = employee.position
    position.name = "变电运维工"
    position.save()
    user, from_cache = _cached(employee.user.pk)
    assert (from_cache, user._lms_employee.position.name) == (False, "变电运维工")


def test_bulk_updates_from_imports_and_syncs_are_read_again(hr_signed_in):
    from lms import services

    employee, _client = hr_signed_in
    employee.name = "批量改名"
    services.employees_bulk_update(employees=[employee], fields=["name"])
    user, from_cache = _cached(employee.user.pk)
    assert (from_cache, user._lms_employee.name) == (False, "批量改名")


def test_an_evicted_mark_makes_every_entry_stale(hr_signed_in):
    from django.core.cache import cache

    from lms.auth import DIRECTORY_MARK_KEY

    employee, _client = hr_signed_in
    cache.delete(DIRECTORY_MARK_KEY)
    assert not _cached(employee.user.pk)[1]
    assert _cached(employee.user.pk)[1]


def test_a_change_forgets_again_when_its_transaction_commits(
    hr_signed_in, django_capture_on_commit_callbacks
):
    """A request that read the old rows while the change was not yet committed stores them;
    the forgetting at the commit removes them (for each account, and for the whole mark)."""
    from lms import services
    from lms.auth import USER_CACHE_KEY

    employee, _client = hr_signed_in
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.roles_set(user=employee.user, roles=["Employee"])
        services.department_update(department=employee.department, name="新名")
    assert len(callbacks) >= 2
    from django.core.cache import cache

    from lms.auth import DIRECTORY_MARK_KEY

    EmployeeNumberBackend().get_user(employee.user.pk)  # as if read before the commit
    key = USER_CACHE_KEY.format(employee.user.pk)
    mark = cache.get(DIRECTORY_MARK_KEY)
    assert cache.get(key) is not None
    for callback in callbacks:
        callback()
    assert cache.get(key) is None
    assert cache.get(DIRECTORY_MARK_KEY) != mark
