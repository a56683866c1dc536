"""Directory sign-in in the browser, against a real slapd on loopback (tests/slapd.py)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


@pytest.fixture
def directory_on(transactional_db, directory):
    return directory


def test_an_employee_signs_in_on_a_phone_with_the_company_password(phone, directory_on):
    phone.goto("/accounts/login/")
    expect(phone.locator(".auth .muted")).to_contain_text("公司账号密码")
    sign_in(phone, "d1001", "wrong-password")
    expect(phone.locator(".errors")).to_contain_text("工号或密码错误")

    sign_in(phone, "d1001", "zhang-pass-1")
    expect(phone.locator("h1")).to_have_text("你好，张伟")
    # The password lives in the directory: no password link in the portal.
    expect(phone.locator(".topbar-links a", has_text="密码")).to_have_count(0)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_directory_down_is_explained_on_the_sign_in_page(page, directory_on):
    directory_on.stop()
    sign_in(page, "D1001", "zhang-pass-1")
    expect(page.locator(".errors")).to_contain_text("暂时无法连接公司目录")
