import pytest

from tests import factories as f
from tests.e2e.conftest import sign_in


@pytest.fixture
def employee(transactional_db):
    return f.employee(number="QC1001", name="王小明")


def test_employee_signs_in_sees_chinese_portal_and_switches_to_english(page, employee):
    sign_in(page, "qc1001", f.PASSWORD)  # employee numbers are accepted in any letter case
    assert page.locator("h1").inner_text() == "你好，王小明"
    assert page.get_by_role("link", name="我的学习").first.is_visible()

    page.select_option("#language-select", "en")
    page.click(".language-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Hello, 王小明"

    # The choice is remembered on the profile, so it follows the user to a new browser.
    page.context.clear_cookies()
    sign_in(page, "QC1001", f.PASSWORD)
    assert page.locator("h1").inner_text() == "Hello, 王小明"
    assert page.get_by_role("link", name="My learning").first.is_visible()
