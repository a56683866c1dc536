import random
from datetime import timedelta
from http import HTTPStatus

from axes.models import AccessAttempt
from django.utils import timezone

from tests import factories as f
from tests.lms.office import OFFICE, office_of, sign_in, sign_in_morning


def _sign_in(client, number, password, ip=OFFICE):
    return sign_in(client, number, password, ip)


def test_an_office_with_5_percent_typos_locks_nobody_out(client, company):
    """20 people behind one address (bench/office_sign_ins.py runs the same with 500)."""
    staff = office_of(20, department=company["team_a"])
    signed_in, paused, tries = sign_in_morning(client, staff, random.Random(7))
    assert (signed_in, paused, tries) == (20, 0, 21)


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
