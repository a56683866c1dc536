import random
from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from lms import services
from lms.models import Employee
from tests import factories as f

OFFICE = "10.20.30.40"


def _sign_in(client, number, password, ip=OFFICE):
    return client.post(
        "/accounts/login/", {"username": number, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def staff(company):
    """500 employees of one office, all with the same known password."""
    position = f.position()
    employees = [
        Employee(
            number=f"OF{n:04d}",
            name=f"员工{n}",
            department=company["team_a"],
            position=position,
        )
        for n in range(500)
    ]
    services.employees_bulk_create(employees=employees)
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="OF").update(
        password=make_password(f.PASSWORD)
    )
    return employees


def test_an_office_of_500_with_5_percent_typos_locks_nobody_out(client, staff):
    rng = random.Random(7)
    typists = set(rng.sample(range(500), 25))  # 5%
    signed_in = 0
    for n, employee in enumerate(staff):
        if n in typists:
            response = _sign_in(client, employee.number, "wrong-password")
            assert response.status_code == HTTPStatus.OK  # the form again, with the message
        response = _sign_in(client, employee.number, f.PASSWORD)
        assert response.status_code == HTTPStatus.FOUND, employee.number
        signed_in += 1
        client.post("/accounts/logout/")
    assert signed_in == 500
    assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()


def test_repeated_failures_pause_that_number_at_that_address_only(client, company, settings):
    victim = f.employee(number="QC7001")
    colleague = f.employee(number="QC7002")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "qc7001", "guess")  # letter case does not dodge the counter
    response = _sign_in(client, "QC7001", f.PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "登录已暂停" in response.content.decode()
    # A colleague at the same address, and the same person elsewhere, are unaffected.
    assert _sign_in(client, colleague.number, f.PASSWORD).status_code == HTTPStatus.FOUND
    client.post("/accounts/logout/")
    assert (
        _sign_in(client, victim.number, f.PASSWORD, ip="10.99.0.1").status_code == HTTPStatus.FOUND
    )


def test_the_pause_ends_after_the_cool_off(client, company, settings):
    f.employee(number="QC7003")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "QC7003", "guess")
    assert _sign_in(client, "QC7003", f.PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert _sign_in(client, "QC7003", f.PASSWORD).status_code == HTTPStatus.FOUND
