import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.conftest import sign_in


@pytest.fixture
def employee(transactional_db):
    return f.employee(number="QC1001", name="王小明")


def test_employee_signs_in_sees_chinese_portal_and_switches_to_english(page, employee):
    sign_in(page, "qc1001", f.PASSWORD)  # employee numbers are accepted in any letter case
    expect(page.locator("h1")).to_have_text("你好，王小明")
    assert page.get_by_role("link", name="我的学习").first.is_visible()

    page.select_option("#language-select", "en")
    page.click(".language-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Hello, 王小明")

    # The choice is remembered on the profile, so it follows the user to a new browser.
    page.context.clear_cookies()
    sign_in(page, "QC1001", f.PASSWORD)
    expect(page.locator("h1")).to_have_text("Hello, 王小明")
    assert page.get_by_role("link", name="My learning").first.is_visible()


@pytest.mark.parametrize("path", ["/", "/my/learning/", "/my/archive/", "/accounts/password/"])
def test_portal_fits_a_390px_phone(phone, employee, path):
    sign_in(phone, "QC1001", f.PASSWORD)
    phone.goto(path)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    # Section navigation stays reachable on a phone.
    assert (
        phone.get_by_role("link", name="我的档案").first.is_visible()
        or path == "/accounts/password/"
    )


def test_sign_in_page_fits_a_phone(phone, transactional_db):
    phone.goto("/accounts/login/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert phone.get_by_label("工号").is_visible()
