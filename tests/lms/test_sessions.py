"""Session time limits, and a deactivated employee's sessions ending at once."""

import os
import socket
import time
from http import HTTPStatus

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from lms import services
from lms.models import Employee, UserSession
from lms.security import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from tests import factories as f

PORTAL = "/my/archive/"


def _sign_in(number):
    """A browser of its own, signed in through the real sign-in page."""
    client = Client()
    response = client.post("/accounts/login/", {"username": number, "password": f.PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return client


def _signed_in(client):
    response = client.get(PORTAL)
    if response.status_code == HTTPStatus.OK:
        return True
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")
    return False


def _age_session(client, *, idle=0, age=0):
    session = client.session
    session[LAST_SEEN_KEY] -= idle
    session[SIGNED_IN_AT_KEY] -= age
    session.save()


def test_an_idle_session_ends_after_the_idle_timeout(company, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    f.employee(number="S1")
    client = _sign_in("S1")
    _age_session(client, idle=1800 - 60)  # a margin for a slow machine
    assert _signed_in(client)  # and that request counts as activity
    _age_session(client, idle=1800 + 60)
    assert not _signed_in(client)


def test_activity_keeps_the_session_going(company, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_ACTIVITY_WRITE_SECONDS = 60
    f.employee(number="S2")
    client = _sign_in("S2")
    for _ in range(3):  # three requests, each 20 minutes after the last
        _age_session(client, idle=1200)
        assert _signed_in(client)
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 60


def test_the_absolute_limit_ends_even_an_active_session(company, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    f.employee(number="S3")
    client = _sign_in("S3")
    _age_session(client, age=8 * 3600 - 60)
    assert _signed_in(client)
    _age_session(client, age=120)
    assert not _signed_in(client)


def test_an_exam_in_progress_is_never_cut_off(company, settings):
    from assessments import services as exam_services
    from tests.factories import assessments as af

    settings.SESSION_IDLE_TIMEOUT = 600
    employee = f.employee(number="S4")
    exam = af.exam(questions=[af.question()], audience=[employee], time_limit_minutes=120)
    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    client = _sign_in("S4")
    _age_session(client, idle=3600)  # an hour reading one essay question
    response = client.get(f"/exams/attempts/{attempt.pk}/state/")
    assert response.status_code == HTTPStatus.OK
    assert _signed_in(client)
    exam_services.attempt_submit(attempt=attempt)
    _age_session(client, idle=3600)
    assert not _signed_in(client)


def _redis_url():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return None
    return url


@pytest.fixture(params=["database", "redis cache"])
def session_engine(request, settings):
    if request.param == "redis cache":
        url = _redis_url()
        if url is None:
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "grid-sessions-test",
            }
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    else:
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    return request.param


def _session_exists(key):
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_an_employee_who_leaves_is_signed_out_everywhere_at_once(company, session_engine):
    employee = f.employee(number="S5")
    colleague = f.employee(number="S6")
    phone, desk, other = _sign_in("S5"), _sign_in("S5"), _sign_in("S6")
    keys = [phone.session.session_key, desk.session.session_key]
    assert all(_session_exists(key) for key in keys)
    assert UserSession.objects.filter(user=employee.user).count() == 2

    services.employee_update(employee=employee, status=Employee.Status.LEFT)

    assert not any(_session_exists(key) for key in keys)
    assert not UserSession.objects.filter(user=employee.user).exists()
    if session_engine == "database":
        assert not Session.objects.filter(session_key__in=keys).exists()
    # Taken back on: the old sessions stay ended; they must sign in again.
    services.employee_update(employee=employee, status=Employee.Status.ACTIVE)
    assert not _signed_in(phone) and not _signed_in(desk)
    assert _signed_in(other)  # nobody else is touched
    assert colleague.user.is_active


def test_leavers_in_an_import_are_signed_out(company, session_engine):
    employee = f.employee(number="S7")
    client = _sign_in("S7")
    employee.status = Employee.Status.LEFT
    services.employees_bulk_update(employees=[employee], fields=["status"])
    assert not _signed_in(client)
    assert not _session_exists(client.session.session_key or "gone")


def test_an_account_switched_off_in_the_admin_is_signed_out(company, superuser):
    employee = f.employee(number="S8")
    client = _sign_in("S8")
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        "/admin/bulk/auth/user/set_active_state/?next=/admin/users/&id=" + str(employee.user.pk),
        {"mark_as_active": "False"},
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    employee.user.refresh_from_db()
    assert not employee.user.is_active
    assert not UserSession.objects.filter(user=employee.user).exists()
    assert not _signed_in(client)


def test_a_password_change_keeps_the_session_on_record(company):
    employee = f.employee(number="S9")
    client = _sign_in("S9")
    old_key = client.session.session_key
    response = client.post(
        "/accounts/password/",
        {
            "old_password": f.PASSWORD,
            "new_password1": "a-new-long-password-2026",
            "new_password2": "a-new-long-password-2026",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert _signed_in(client)  # the request after the change records the new key
    new_key = client.session.session_key
    assert new_key != old_key
    assert UserSession.objects.filter(user=employee.user, session_key=new_key).exists()
    services.employee_update(employee=employee, status=Employee.Status.LEFT)
    assert not _session_exists(new_key)
