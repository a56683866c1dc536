"""The evaluation sheet on a 390 px phone loses nothing: every field saves on its own (a rating
still waiting for its reason does not hold back the note and time beside it), each criterion says
whether its input is saved, and leaving with unsaved input asks first."""

import pytest

from drills.models import CriterionResult, RatingScale
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import drills as df


@pytest.fixture
def sheet(transactional_db):
    assert RatingScale.objects.count() == 3
    company = f.department(code="QC", name="青川县供电公司", kind="company")
    coordinator = f.employee(
        number="QC9004", name="周应急", department=company, roles=[Role.COORDINATOR]
    )
    evaluator = f.employee(
        number="QC9005", name="孙评估", department=company, roles=[Role.EVALUATOR]
    )
    plan = df.plan(department=company, code="QC-YA-01", title="电网故障专项应急预案")
    drill = df.drill(plan=plan, coordinator=coordinator, evaluators=[evaluator], title="故障推演")
    df.conduct(drill)
    return drill.sheets.get(evaluator=evaluator)


def _yes_no_form(phone):
    return phone.locator("form[data-autosave]").filter(has=phone.get_by_text("否", exact=True))


def test_sheet_keeps_note_and_time_while_the_rating_waits_for_its_reason(phone, sheet):
    sign_in(phone, "QC9005", f.PASSWORD)
    phone.goto(f"/drills/sheets/{sheet.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    form = _yes_no_form(phone)
    form.get_by_text("否", exact=True).click()
    form.locator("textarea[name=observation]").fill("抢修车辆晚到十分钟")
    form.locator("input[name=observed_at]").fill("10:05")
    # The rating is refused until its reason comes, and the criterion says so; the rest is saved.
    form.locator(".save-state").filter(has_text="请说明评定为“否”的原因").wait_for()
    assert form.locator(".save-state").inner_text().startswith("未保存")
    result = CriterionResult.objects.get(sheet=sheet, criterion__scale__code="yes_no")
    _wait_until(lambda: _stored(result.pk) == (None, "抢修车辆晚到十分钟", "10:05"))
    phone.screenshot(path="tests/e2e/screenshots/sheet-rating-waits-for-reason.png", full_page=True)

    # Unsaved input (the rating) makes leaving ask first.
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    phone.evaluate("setTimeout(() => location.reload(), 0)")
    _wait_until(lambda: phone.wait_for_timeout(100) or dialogs == ["beforeunload"])
    # Staying on the page keeps the input typed.
    assert form.locator("textarea[name=observation]").input_value() == "抢修车辆晚到十分钟"

    # The reason comes: the rating is saved with it.
    form.locator("textarea[name=reason]").fill("未按时到场")
    form.locator(".save-state").filter(has_text="已保存").wait_for()
    _wait_until(lambda: _stored(result.pk)[0] == "no")

    # Reloaded, nothing is lost, and nothing is left to warn about.
    phone.reload()
    assert dialogs == ["beforeunload"]
    phone.screenshot(path="tests/e2e/screenshots/sheet-after-reload.png", full_page=True)
    form = _yes_no_form(phone)
    assert "否" in form.locator("input[name=level]:checked").evaluate(
        "e => e.parentElement.innerText"
    )
    assert form.locator("textarea[name=reason]").input_value() == "未按时到场"
    assert form.locator("textarea[name=observation]").input_value() == "抢修车辆晚到十分钟"
    assert form.locator("input[name=observed_at]").input_value() == "10:05"


def test_typed_note_is_saved_without_leaving_the_field(phone, sheet):
    """A note typed and never blurred is saved after a pause in typing, so a reload keeps it."""
    sign_in(phone, "QC9005", f.PASSWORD)
    phone.goto(f"/drills/sheets/{sheet.pk}/")
    first = phone.locator("form[data-autosave]").first
    first.locator("textarea[name=observation]").type("通讯中断")
    assert first.locator(".save-state").inner_text() in {"有未保存的修改", "保存中…", "已保存"}
    first.locator(".save-state").filter(has_text="已保存").wait_for()
    phone.reload()
    assert (
        phone.locator("form[data-autosave]")
        .first.locator("textarea[name=observation]")
        .input_value()
        == "通讯中断"
    )


def _stored(pk):
    result = CriterionResult.objects.select_related("level").get(pk=pk)
    time = result.observed_at.strftime("%H:%M") if result.observed_at else None
    return (result.level.code if result.level else None, result.observation, time)


def _wait_until(check, tries=50):
    import time

    for _ in range(tries):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("the stored sheet did not reach the expected state")
