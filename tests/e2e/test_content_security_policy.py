"""The admin and the portal work under the production Content-Security-Policy.

Chromium loads the demo company's key screens and uses their interactive parts; any console
message "Refused to …", any ``securitypolicyviolation`` event and any script error fails the
test. The policy is the one production sends (settings: no 'unsafe-inline' for scripts). The
test itself waits on locators, never on a JavaScript string: the policy refuses eval, and
Playwright evaluates such strings in the page.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from playwright.sync_api import expect
from wagtail.documents import get_document_model

from tests.e2e.conftest import admin_widgets_started, sign_in
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "demo-2026"
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " "
    + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=io.StringIO())
    get_document_model().objects.create(
        title="应急预案附件", file=ContentFile(b"%PDF-1.4 demo", name="annex.pdf")
    )


class Watch:
    """Everything the browser says against the policy, or any script error, on a page."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        page.context.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message):
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def check(self):
        events = self.page.evaluate("window.__csp || []")
        problems = self.problems + [f"{self.page.url}: violation {e}" for e in events]
        assert not problems, "\n".join(problems)


def _policy(response):
    policy = response.header_value("content-security-policy") or ""
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert re.search(r"script-src 'self' 'nonce-[^']+'", policy), policy
    return policy


def _inline_panel_adds_a_row(page, prefix):
    total = page.locator(f"#id_{prefix}-TOTAL_FORMS")
    before = int(total.input_value())
    admin_widgets_started(page)
    page.locator(f"#id_{prefix}-ADD").click()
    expect(total).to_have_value(str(before + 1))
    page.locator(f"#inline_child_{prefix}-{before}").wait_for()
    return before


def test_admin_screens_and_portal_pages_work_under_the_policy(page, demo):
    """Both walks on one seeded demo (seeding the demo is most of this test's time)."""
    _admin_screens_work_under_the_policy(page)
    page.context.clear_cookies()
    _portal_pages_work_under_the_policy(page)


def _admin_screens_work_under_the_policy(page):
    from assessments.models import Exam
    from drills.models import EmergencyPlanPage
    from lms.models import Employee

    watch = Watch(page)
    sign_in(page, "admin", PASSWORD)

    # The page editor: an InlinePanel row added, its document chooser opened in a modal.
    plan = EmergencyPlanPage.objects.first()
    _policy(page.goto(f"/admin/pages/{plan.pk}/edit/"))
    index = _inline_panel_adds_a_row(page, "attachments")
    page.locator(f"#id_attachments-{index}-document-chooser .chooser__choose-button").click()
    modal = page.locator(".modal.fade.in, .modal[aria-hidden=false], .modal.show").first
    modal.wait_for()
    modal.get_by_text("应急预案附件").first.wait_for()
    modal.get_by_text("应急预案附件").first.click()
    expect(page.locator(f"#id_attachments-{index}-document")).not_to_have_value("")
    watch.check()

    # A model edit screen with InlinePanels and date-time pickers.
    exam = Exam.objects.order_by("pk").first()
    _policy(page.goto(f"/admin/assessments/exams/edit/{exam.pk}/"))
    _inline_panel_adds_a_row(page, "rules")
    page.locator("#id_opens_at").click()
    page.locator(".xdsoft_datetimepicker:visible").first.wait_for()
    page.keyboard.press("Escape")
    watch.check()

    # The employee directory's edit screen, and a create screen.
    employee = Employee.objects.order_by("pk").first()
    _policy(page.goto(f"/admin/employees/edit/{employee.pk}/"))
    page.locator("form [type=submit]").first.wait_for()
    _policy(page.goto("/admin/positions/new/"))
    watch.check()

    # Dashboards, reports, the users screen.
    for url in ("/admin/", "/admin/reports/site-history/", "/admin/users/", "/admin/documents/"):
        _policy(page.goto(url))
        watch.check()


def _portal_pages_work_under_the_policy(page):
    from courses.models import TrainingSession
    from drills.models import EvaluationSheet
    from lms.models import Employee

    watch = Watch(page)

    # The exam page: an answer is autosaved.
    employee = Employee.objects.get(number="QC1001")
    attempt = af.attempt_in_progress(employee)
    sign_in(page, "QC1001", PASSWORD)
    _policy(page.goto(f"/exams/attempts/{attempt.pk}/"))
    page.locator(".question input, .question textarea").first.click()
    first = page.locator(".question textarea, .question input[type=text]")
    if first.count():
        first.first.fill("验电")
        first.first.blur()
    page.locator("#save-state[data-state=saved]").wait_for()
    assert attempt.items.exclude(response=None).exists()
    watch.check()

    # The evaluation sheet: one criterion saved as the evaluator goes.
    page.context.clear_cookies()
    evaluator = get_user_model().objects.get(username="QC9005")
    sheet = EvaluationSheet.objects.filter(
        evaluator__user=evaluator, status=EvaluationSheet.Status.DRAFT
    ).first()
    sign_in(page, "QC9005", PASSWORD)
    _policy(page.goto(f"/drills/sheets/{sheet.pk}/"))
    form = page.locator("form[data-autosave]").first
    level = form.locator("input[name=level][data-requires-reason='0']")
    if level.count():
        level.first.check()
    else:
        form.locator("input[name=points]").fill("80")
        form.locator("input[name=points]").blur()
    form.locator(".save-state.saved").wait_for()
    watch.check()

    # The attendance roster: "Select all" ticks everyone and the count follows.
    page.context.clear_cookies()
    session = (
        TrainingSession.objects.filter(trainer__number="QC9001", enrollments__isnull=False)
        .distinct()
        .first()
    )
    sign_in(page, "QC9001", PASSWORD)
    _policy(page.goto(f"/learning/sessions/{session.pk}/roster/"))
    boxes = page.locator("#roster input[name=present]")
    page.locator("#select-all").check()
    assert page.locator("#present-count").inner_text() == str(boxes.count())
    page.locator("#select-all").uncheck()
    assert page.locator("#present-count").inner_text() == "0"
    watch.check()
