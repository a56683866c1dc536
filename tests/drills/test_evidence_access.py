"""Issue #14, finding 6: evidence photos are served by a view that checks the sheet's scope
(the link was a public /media/ path in development and a dead link in production)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from drills import services
from tests.conftest import login
from tests.drills.test_evaluation import photo
from tests.factories import drills as df

pytestmark = pytest.mark.django_db


def test_evidence_is_served_to_the_sheet_people_only(client, drill, people, settings):
    sheet = drill.sheets.select_related("evaluator__user").first()
    result = sheet.results.select_related("criterion__scale").get(criterion__scale__code="psmu")
    services.result_save(result=result, level=df.level("psmu", "P"), photo=photo("PNG"))
    url = reverse("drills:result_photo", args=[sheet.pk, result.pk])
    assert client.get(url).status_code == HTTPStatus.FOUND  # anonymous: sign in first
    login(client, sheet.evaluator)
    page = client.get(reverse("drills:sheet", args=[sheet.pk])).content.decode()
    assert url in page and "/media/" not in page
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "private" in response["Cache-Control"]
    login(client, people["outsider"])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    login(client, sheet.evaluator)
    accel = client.get(url)
    assert accel["X-Accel-Redirect"] == "/protected-media/" + result.photo.name
