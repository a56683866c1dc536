"""Single sign-on in the browser: a real OpenID provider process (npm oidc-provider) on
loopback, its own sign-in and consent screens, and its back-channel logout."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lms.models import DirectoryAccount, Employee
from lms.roles import Role, user_roles
from tests import factories as f
from tests import oidc
from tests.slapd import GROUP_ROLES

ACCOUNTS = {
    "zhangwei": {
        "employee_number": "s2001",
        "name": "张伟",
        "email": "zhangwei@grid.test",
        "phone_number": "13900000001",
        "department": "C-A-1",
        "groups": ["ga-trainers", "everyone"],
    },
}


@pytest.fixture
def provider(transactional_db, company, live_server, settings, tmp_path):
    if oidc.MISSING:
        pytest.skip(oidc.MISSING)
    if not oidc.installed():
        pytest.fail("oidc-provider is not installed: run `make install` (npm install)")
    f.position(code="SSO-P", name="供电服务员")
    settings.DIRECTORY_GROUP_ROLES = GROUP_ROLES
    settings.DIRECTORY_DEFAULT_POSITION = "SSO-P"
    server = oidc.OpenIdProvider(tmp_path / "op", app_url=live_server.url, accounts=ACCOUNTS)
    server.start()
    try:
        server.configure(settings)
        yield server
    finally:
        server.stop()


def sign_in_at_the_provider(page, login):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="使用公司账号登录").click()
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any-password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent screen


def test_an_employee_signs_in_through_the_provider_and_out_again_there(page, provider):
    sign_in_at_the_provider(page, "zhangwei")
    expect(page.locator("h1")).to_have_text("你好，张伟")
    employee = Employee.objects.select_related("user", "department").get(number="S2001")
    assert (employee.email, employee.phone, employee.department.code) == (
        "zhangwei@grid.test",
        "13900000001",
        "C-A-1",
    )
    assert set(user_roles(employee.user)) == {Role.EMPLOYEE, Role.TRAINER}
    assert DirectoryAccount.objects.get(user=employee.user).subject == "zhangwei"
    assert not employee.user.has_usable_password()

    # Signing out at the provider signs the person out here (back-channel logout).
    page.goto(f"{provider.issuer}/session/end")
    page.locator("button[autofocus], button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto("/my/archive/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_without_an_employee_number_the_provider_account_is_refused(page, provider, settings):
    provider.stop()
    provider.accounts = {"nonumber": {"name": "无工号"}}
    provider.start()
    provider.configure(settings)
    sign_in_at_the_provider(page, "nonumber")
    expect(page.locator(".messages")).to_contain_text("目录条目中没有工号")
    assert not get_user_model().objects.filter(first_name="无工号").exists()
