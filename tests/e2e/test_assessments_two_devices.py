"""Issue #14, finding 5, in the browser: the same examinee on a laptop and on a phone whose
clock is ten minutes behind. Nothing the phone saves is lost, and the laptop, once stale, is
told so and shows what is stored."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import Attempt, AttemptItem, QuestionType
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The phone's Date runs ten minutes behind (init scripts run before the page, CSP or not).
BEHIND = (
    "(() => { const D = Date, shift = 600000; const now = D.now;"
    " Date.now = () => now.call(D) - shift; })();"
)


def stored(attempt):
    return {i.snapshot["type"]: i.response for i in AttemptItem.objects.filter(attempt=attempt)}


def test_a_phone_ten_minutes_behind_loses_nothing(browser, live_server):
    employee = f.employee(number="QC2001", name="李两机")
    category = af.category("安规/两台设备")
    exam = af.exam(
        title="两台设备考试",
        questions=[
            af.question(category=category, type=QuestionType.SINGLE, answer=["B"],
                        options=["甲", "乙", "丙"], points=Decimal(4)),
            af.question(category=category, type=QuestionType.FILL, answer=[["验电"]],
                        points=Decimal(3)),
        ],
        audience=[employee],
        time_limit_minutes=30,
        closes_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    laptop_context = browser.new_context(base_url=live_server.url)
    phone_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    phone_context.add_init_script(BEHIND)
    try:
        laptop = laptop_context.new_page()
        sign_in(laptop, "QC2001", f.PASSWORD)
        laptop.goto(f"/exams/{exam.pk}/")
        laptop.get_by_role("button", name=re.compile("开始考试|Start")).click()
        laptop.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
        attempt = Attempt.objects.get(exam=exam, employee=employee)
        laptop.get_by_label("甲").check()
        laptop.locator("fieldset[data-type=fill] input").fill("接地")
        laptop.locator("#save-state[data-state=saved]").wait_for()
        assert stored(attempt) == {"single": ["A"], "fill": ["接地"]}

        phone = phone_context.new_page()
        sign_in(phone, "QC2001", f.PASSWORD)
        phone.goto(laptop.url)
        assert phone.evaluate("Date.now()") < laptop.evaluate("Date.now()") - 590_000
        phone.get_by_label("乙").check()
        phone.locator("fieldset[data-type=fill] input").fill("验电")
        phone.locator("#save-state[data-state=saved]").wait_for()
        assert stored(attempt) == {"single": ["B"], "fill": ["验电"]}

        # The laptop still shows its own answers; a change there is stale and comes back with
        # the phone's answer, which the page then shows.
        laptop.get_by_label("丙").check()
        laptop.locator("#save-state[data-state=error]").wait_for()
        assert laptop.get_by_label("乙").is_checked()
        assert stored(attempt) == {"single": ["B"], "fill": ["验电"]}
        # And a change made on top of what it now shows is saved.
        laptop.get_by_label("丙").check()
        laptop.locator("#save-state[data-state=saved]").wait_for()
        assert stored(attempt) == {"single": ["C"], "fill": ["验电"]}
    finally:
        laptop_context.close()
        phone_context.close()
