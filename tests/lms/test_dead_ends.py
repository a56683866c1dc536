"""Dead ends a user must never meet: the admin loop and the framework's bare error pages."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import path

from lms import urls as lms_urls
from tests.conftest import login


@pytest.mark.parametrize("role", ["employee", "evaluator"])
def test_portal_only_user_opening_the_admin_is_told_why_and_shown_the_way_home(
    client, people, role
):
    login(client, people[role])
    response = client.get("/admin/pages/", follow=True)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert len(response.redirect_chain) == 1
    page = response.content.decode()
    assert "没有管理后台的权限" in page
    assert 'href="/"' in page and "返回我的门户" in page


def test_admin_user_still_reaches_the_admin(client, people):
    login(client, people["hr"])
    response = client.get("/admin/", follow=True)
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain == []


def test_signed_in_user_on_sign_in_page_with_a_portal_target_is_sent_on(client, people):
    login(client, people["employee"])
    response = client.get("/accounts/login/?next=/my/exams/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/my/exams/"


def _boom(request):
    raise RuntimeError("a bug")


# This module doubles as a URLconf: the real one plus a view that fails.
urlpatterns = [path("boom/", _boom), *lms_urls.urlpatterns]
handler403 = lms_urls.handler403
handler404 = lms_urls.handler404
handler500 = lms_urls.handler500


def _assert_framed_error_page(response, status, heading):
    assert response.status_code == status
    page = response.content.decode()
    assert heading in page
    assert 'class="topbar"' in page  # the portal's frame
    assert 'href="/"' in page and "返回我的门户" in page
    assert "Forbidden" not in page and "Not Found" not in page and "Server Error" not in page


def test_refusal_is_a_chinese_page_with_a_way_back(client, people):
    login(client, people["employee"])
    response = client.get("/careers/dashboard/")
    _assert_framed_error_page(response, HTTPStatus.FORBIDDEN, "您无权打开此页面")


def test_missing_page_is_a_chinese_page_with_a_way_back(client, people):
    login(client, people["employee"])
    response = client.get("/my/salary/", HTTP_REFERER="http://testserver/my/exams/")
    _assert_framed_error_page(response, HTTPStatus.NOT_FOUND, "页面不存在")
    assert 'href="http://testserver/my/exams/"' in response.content.decode()


def test_missing_page_never_links_back_to_another_site(client, db):
    response = client.get("/no/such/page/", HTTP_REFERER="https://evil.example/")
    _assert_framed_error_page(response, HTTPStatus.NOT_FOUND, "页面不存在")
    assert "evil.example" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_server_error_is_a_chinese_page_with_a_way_back(client, people):
    client.raise_request_exception = False
    login(client, people["employee"])
    response = client.get("/boom/")
    _assert_framed_error_page(response, HTTPStatus.INTERNAL_SERVER_ERROR, "出错了")


def test_expired_form_is_explained_in_chinese(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "E1", "password": "x"})
    _assert_framed_error_page(response, HTTPStatus.FORBIDDEN, "表单已失效")


def test_the_project_urlconf_installs_the_error_pages(settings):
    assert settings.CSRF_FAILURE_VIEW == "lms.errors.csrf_failure"
    assert lms_urls.handler403 == "lms.errors.permission_denied"
    assert lms_urls.handler404 == "lms.errors.page_not_found"
    assert lms_urls.handler500 == "lms.errors.server_error"
