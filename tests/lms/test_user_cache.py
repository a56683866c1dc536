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
