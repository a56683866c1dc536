"""Issue #14, finding 6: documents and media only through views that check sign-in and scope."""

from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import clear_url_caches
from wagtail.documents import get_document_model

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_documents_need_sign_in(client, people):
    document = get_document_model().objects.create(
        title="安规", file=ContentFile(b"%PDF-1.4 x", name="rules.pdf")
    )
    response = client.get(document.url)
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]
    login(client, people["employee"])
    assert client.get(document.url).status_code == HTTPStatus.OK


def test_plan_attachments_are_for_staff(client, people):
    from drills.models import PlanAttachment
    from tests.factories import drills as df

    plan = df.plan(department=people["employee"].department, code="YA-01", title="台风预案")
    document = get_document_model().objects.create(
        title="预案附件", file=ContentFile(b"%PDF-1.4 x", name="plan.pdf")
    )
    PlanAttachment.objects.create(page=plan, document=document, title="附件")
    login(client, people["employee"])
    assert client.get(document.url).status_code == HTTPStatus.NOT_FOUND
    login(client, people["coordinator"])
    assert client.get(document.url).status_code == HTTPStatus.OK


def test_with_debug_only_images_are_public_under_media(client, settings):
    settings.DEBUG = True
    import importlib

    import lms.urls

    with override_settings(DEBUG=True):
        clear_url_caches()
        importlib.reload(lms.urls)
        try:
            for path in ("/media/jobs/1/exam-1-certificates.zip", "/media/drills/evidence/1/a.png"):
                assert client.get(path).status_code == HTTPStatus.NOT_FOUND
        finally:
            settings.DEBUG = False
            importlib.reload(lms.urls)
            clear_url_caches()
