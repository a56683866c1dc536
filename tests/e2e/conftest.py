"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Never a downloaded browser. Each test gets a fresh context; ``phone`` gives a 390 px wide one.
"""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sized_context(browser, live_server, width):
    """A browser context ``width`` px wide: below 500 px a touch phone at twice the pixels."""
    phone = width < 500
    return browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 844 if phone else 900},
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )


def sign_in(page, number, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", number)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def admin_widgets_started(page):
    """Wait until the admin page's widgets are started (lms/static/lms/admin/csp-init.js removes
    each starter element once it has run): on a busy machine a click on an inline panel's "add"
    can come before its panel is started, and then adds nothing."""
    from playwright.sync_api import expect

    expect(page.locator("[data-controller='grid-init']")).to_have_count(0)


def add_inline_row(page, prefix):
    """Add a row to an admin inline panel and wait for it; on a busy machine the first click
    can land before the panel listens, so it is given again once if no row came."""
    from playwright.sync_api import expect

    admin_widgets_started(page)
    total = page.locator(f"#id_{prefix}-TOTAL_FORMS")
    before = int(total.input_value())
    page.click(f"#id_{prefix}-ADD")
    try:
        expect(total).to_have_value(str(before + 1), timeout=5_000)
    except AssertionError:
        if int(total.input_value()) == before:
            page.click(f"#id_{prefix}-ADD")
        expect(total).to_have_value(str(before + 1))
    page.locator(f"#id_{prefix}-{before}-DELETE").wait_for(state="attached")
    return before
