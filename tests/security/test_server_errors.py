"""Issue #14, finding 7: each server error a user could trigger, reproduced; each is now a
page, a refusal or a readable message (the hostile crawl covers the rest of the site)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from lms import audit
from lms.models import Employee
from tests.conftest import login
from tests.lms.test_uploads import _add_image, png

pytestmark = pytest.mark.django_db


def test_a_manager_searches_employees(client, people):
    login(client, people["manager"])
    for q in ("员工", "E1", '"', "x" * 500):
        response = client.get(reverse("employees:index"), {"q": q})
        assert response.status_code == HTTPStatus.OK, q


def test_site_history_after_a_personal_data_list_export(client, people, superuser):
    audit.record_export(
        Employee, user=people["hr"].user, what="employees", rows=2, fields=["phone"]
    )
    for who in (people["hr"], superuser):
        login(client, who)
        assert client.get("/admin/reports/site-history/").status_code == HTTPStatus.OK


def test_archive_zip_with_a_department_that_is_not_a_number(client, people):
    login(client, people["hr"])
    response = client.post(reverse("careers:archive_zip"), {"department": "abc"})
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "url", ["/careers/archive/?q=a%00b", "/admin/employees/?q=a%00b", "/exams/?q=1%00"]
)
def test_a_nul_byte_anywhere_is_refused_before_the_database(client, people, url):
    login(client, people["hr"])
    response = client.get(url)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "NUL" in response.content.decode()


def test_a_nul_byte_or_100000_characters_in_plan_fields_are_refused_by_the_form(client, world):
    """On PostgreSQL a NUL in a check-in note or a goal was a server error; a 100,000-character
    note was stored (finding 8). Now both are refused with the field's message."""
    from careers.models import CheckIn, DevelopmentGoal

    plan = world["plan"]  # the module's world already holds the employee's 2026 plan
    login(client, world["employee"])
    url = reverse("careers:plan", args=[plan.pk])
    for data in (
        {"action": "check_in", "note": "好\x00"},
        {"action": "check_in", "note": "长" * 100_000},
        {"action": "goal_add", "description": "目标\x00"},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert [m for m in response.context["messages"] if m.level_tag == "error"]
    assert not CheckIn.objects.exists() and not DevelopmentGoal.objects.exists()


@pytest.mark.parametrize("q", ['"', 'a" OR', '"*) NEAR(a b', "*", "'"])
def test_full_text_syntax_in_an_admin_search(client, superuser, q):
    login(client, superuser)
    for url in ("/admin/forms/", "/admin/pages/search/", "/admin/documents/", "/admin/images/"):
        assert client.get(url, {"q": q}).status_code == HTTPStatus.OK, (url, q)


def test_a_huge_number_in_a_filter_is_refused(client, superuser):
    login(client, superuser)
    response = client.get("/admin/pages/3/", {"ordering": "-99999999999999999999"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_malformed_gif_is_refused_as_an_image(client, superuser):
    login(client, superuser)
    gif = png(fmt="GIF")[:40]  # a GIF header and a truncated body
    response = _add_image(client, "broken.gif", gif)
    # Refused with the file named (or, where Pillow is set to load truncated images, stored):
    # never UnidentifiedImageError's server error.
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    if response.status_code == HTTPStatus.OK:
        assert "broken.gif" in response.content.decode()


# --- inside Wagtail's and modelcluster's own form handling (lms/compat, lms.wagtail_hooks) -----


@pytest.mark.parametrize("parent", ["abc", "a\x00b", "9999999999", ""])
def test_a_page_copy_under_a_parent_that_is_not_a_page(client, superuser, parent):
    from django.contrib.messages import get_messages

    from tests.factories import courses as cf

    page = cf.course()
    login(client, superuser)
    url = reverse("wagtailadmin_pages:copy", args=[page.pk])
    data = {"new_title": "副本", "new_slug": "copy", "new_parent_page": parent}
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == url
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert type(page).objects.count() == 1
    # A real parent goes on to Wagtail's copy as before.
    response = client.post(url, {"new_title": "副本", "new_slug": "copy",
                                 "new_parent_page": page.get_parent().pk})  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND
    assert len({course.code for course in type(page).objects.all()}) == 2  # a code of its own


@pytest.mark.parametrize("count", [None, "abc", "9999999999"])
def test_a_page_edit_post_without_its_streamfield_data(client, superuser, count):
    from tests.factories import courses as cf

    page = cf.course()
    login(client, superuser)
    data = {"title": "改了", "slug": page.slug, "code": page.code, "category": page.category,
            "hours": "4", "credits": "1", "summary": "x", "lessons-TOTAL_FORMS": "0",
            "lessons-INITIAL_FORMS": "0"}  # fmt: skip
    if count is not None:
        data["materials-count"] = count
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == HTTPStatus.OK
    message = str(response.context["form"].errors["materials"])
    assert "reload the page" in message or "重新加载" in message
    page.refresh_from_db()
    assert page.title != "改了" and len(page.materials) == 2


def test_an_inline_formset_that_claims_rows_it_does_not_carry(client, superuser):
    login(client, superuser)
    for claimed in ("2", "9999999999"):
        response = client.post(
            reverse("drill_admin:add"),
            {"participants-TOTAL_FORMS": "2", "participants-INITIAL_FORMS": claimed,
             "participants-0-id": "abc"},
        )  # fmt: skip
        assert response.status_code == HTTPStatus.OK  # the form again, with its messages
        assert response.context["form"].errors


@pytest.mark.parametrize("kind", ["images", "documents"])
def test_a_media_search_with_a_usage_count_bound(client, superuser, kind):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    if kind == "images":
        get_image_model().objects.create(
            title="安全帽", file=ContentFile(png(), name="helmet.png"), width=1, height=1
        )
    else:
        get_document_model().objects.create(
            title="安全帽", file=ContentFile(b"%PDF-1.4 x", name="helmet.pdf")
        )
    login(client, superuser)
    url = reverse({"images": "wagtailimages", "documents": "wagtaildocs"}[kind] + ":index_results")
    found = client.get(url, {"q": "安全帽", "usage_count_min": "0", "usage_count_max": "5"})
    assert found.status_code == HTTPStatus.OK and len(found.context["object_list"]) == 1
    none = client.get(url, {"q": "安全帽", "usage_count_min": "9999999999"})
    assert none.status_code == HTTPStatus.OK and len(none.context["object_list"]) == 0


@pytest.mark.parametrize("next_url", ["abc", "1' OR 1", "-99999999999999999999", "//evil.example"])
def test_a_saved_form_with_a_next_address_that_is_no_path(client, superuser, next_url):
    """Wagtail redirects to a posted ``next`` its host check lets through; a bare word went to
    ``redirect()``, which looked it up as a URL name: a server error after the save. Such an
    address is forgotten (lms.security.drop_unusable_next) and the view goes where it would."""
    from wagtail.images import get_image_model

    login(client, superuser)
    _add_image(client, "logo.png", png())
    image = get_image_model().objects.get()
    edit = reverse("wagtailimages:edit", args=[image.pk])
    # In the address, a huge number is refused before any view (HostileValueMiddleware).
    assert client.get(edit, {"next": next_url}).status_code in (
        HTTPStatus.OK,
        HTTPStatus.BAD_REQUEST,
    )
    response = client.post(
        edit, {"title": "新标题", "collection": image.collection_id, "next": next_url}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("wagtailimages:index")
    image.refresh_from_db()
    assert image.title == "新标题"

    kept = client.post(
        edit, {"title": "再改", "collection": image.collection_id, "next": "/admin/"}
    )
    assert kept["Location"] == "/admin/"
