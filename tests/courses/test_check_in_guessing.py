"""Issue #14, finding 8: six-digit check-in codes could be guessed (300 in 20 s) and the
refusal confirmed that a code existed. Tries are throttled per person and every wrong code gets
the same answer."""

import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from courses.models import Attendance
from tests.conftest import login
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db


def test_guessing_is_throttled_and_the_refusal_is_neutral(client, people, settings):
    settings.COURSES_CHECK_IN_TRIES_PER_MINUTE = 10
    course = cf.course()
    mine = cf.past_session(course=course, trainer=people["trainer"], check_in_code="135790")
    cf.past_session(course=course, trainer=people["trainer"], check_in_code="246810")
    from courses import services

    services.enrollment_create(session=mine, employee=people["employee"])
    login(client, people["employee"])
    url = reverse("courses:check_in")
    if time.time() % 60 > 50:  # keep the ten tries inside one minute's window
        time.sleep(61 - time.time() % 60)
    unknown = client.post(url, {"code": "000000"}).content.decode()
    other = client.post(url, {"code": "246810"}).content.decode()  # another session's code
    assert "wrong" in unknown and "wrong" in other and "not enrolled" not in other
    for guess in range(8):
        client.post(url, {"code": f"{guess:06d}"})
    refused = client.post(url, {"code": "135790"})  # the right code, after ten tries
    assert refused.status_code == HTTPStatus.OK and "Too many" in refused.content.decode()
    assert not Attendance.objects.exists()
