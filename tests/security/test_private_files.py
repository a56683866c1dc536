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


def course_with_document(document, *, publish=True):
    """A course whose materials hold ``document`` (saved as a trainer saves it in the admin)."""
    from tests.factories import courses as cf

    course = cf.course(publish=publish)
    course.materials = [
        {"type": "document", "value": {"document": document.pk, "description": "规程全文"}}
    ]
    revision = course.save_revision()
    if publish:
        revision.publish()
    else:
        course.save()
    return course


def pdf(title):
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 x", name="rules.pdf")
    )


def test_course_documents_follow_the_courses_audience(client, people):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from lms.roles import Role

    loose, kept, drafted = pdf("安规"), pdf("内部教材"), pdf("草稿教材")
    course_with_document(loose)
    restricted = course_with_document(kept)
    restriction = PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=Role.TRAINER)])
    course_with_document(drafted, publish=False)
    unused = pdf("公告")

    login(client, people["employee"])
    assert client.get(loose.url).status_code == HTTPStatus.OK
    assert client.get(unused.url).status_code == HTTPStatus.OK  # in no course: any colleague
    assert client.get(kept.url).status_code == HTTPStatus.NOT_FOUND  # the course is not theirs
    assert client.get(drafted.url).status_code == HTTPStatus.NOT_FOUND  # not published yet
    login(client, people["trainer"])
    for document in (loose, kept, drafted):
        assert client.get(document.url).status_code == HTTPStatus.OK, document.title
