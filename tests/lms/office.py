"""An office behind one address signing in (tests/lms/test_login_protection.py and
bench/office_sign_ins.py)."""

from http import HTTPStatus

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from lms import services
from lms.models import Employee
from tests import factories as f

OFFICE = "10.20.30.40"


def sign_in(client, number, password, ip=OFFICE):
    return client.post(
        "/accounts/login/", {"username": number, "password": password}, REMOTE_ADDR=ip
    )


def office_of(people, *, prefix="OF", department=None):
    """``people`` employees of one office, all with the same known password."""
    if department is None:
        department = f.department(code=f"{prefix}-D", name="城关供电所")
    position = f.position(code=f"{prefix}-P", name="配电线路工")
    employees = [
        Employee(
            number=f"{prefix}{n:04d}", name=f"员工{n}", department=department, position=position
        )
        for n in range(people)
    ]
    services.employees_bulk_create(employees=employees)
    get_user_model().objects.filter(username__startswith=prefix).update(
        password=make_password(f.PASSWORD)
    )
    return employees


def sign_in_morning(client, staff, rng, typo_share=0.05):
    """Everyone signs in and out; ``typo_share`` of them mistype once first.

    Returns (signed in, accounts paused, sign-in requests)."""
    typists = set(rng.sample(range(len(staff)), max(1, round(len(staff) * typo_share))))
    signed_in = tries = 0
    for n, employee in enumerate(staff):
        if n in typists:
            response = sign_in(client, employee.number, "wrong-password")
            tries += 1
            assert response.status_code == HTTPStatus.OK  # the form again, with the message
        response = sign_in(client, employee.number, f.PASSWORD)
        tries += 1
        assert response.status_code == HTTPStatus.FOUND, employee.number
        signed_in += 1
        client.post("/accounts/logout/")
    paused = AccessAttempt.objects.filter(failures_since_start__gte=5).count()
    return signed_in, paused, tries
