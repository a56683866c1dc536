"""The choosers in the browser (lms.choosers), at 1366 and 390 px: a trainer edits an exam,
opens the per-employee override's employee chooser, finds a colleague by employee number, picks
him, and saves; the fixed question is chosen the same way from the question bank. Screenshots
go to tests/e2e/screenshots/ (not committed)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services
from tests import factories as f
from tests.conftest import make_company, make_people
from tests.e2e.conftest import add_inline_row, admin_widgets_started, sign_in, sized_context
from tests.factories import assessments as af

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def world(transactional_db):
    company = make_company()
    people = make_people(company)
    fixed = af.question(stem="<p>工作票签发人的安全责任是什么？</p>")
    other = af.question(stem="<p>验电器使用前应检查什么？</p>")
    exam = af.exam(questions=[fixed], audience=[people["employee"]], title="安规考试")
    services.exam_override_set(exam=exam, employee=people["employee"], extra_minutes=10)
    colleague = f.employee(number="QC7001", name="赵电工", department=company["other"])
    return {
        "people": people,
        "exam": exam,
        "fixed": fixed,
        "other": other,
        "colleague": colleague,
    }


@pytest.mark.parametrize("size,width", [("desktop", 1366), ("phone", 390)])
def test_trainer_chooses_an_employee_and_a_question(browser, live_server, world, size, width):
    context = sized_context(browser, live_server, width)
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, world["people"]["trainer"].number, f.PASSWORD)
    exam = world["exam"]
    page.goto(reverse("exams:edit", args=[exam.pk]))
    admin_widgets_started(page)

    row = add_inline_row(page, "overrides")
    override = page.locator(f"#id_overrides-{row}-employee-chooser")
    override.locator(".unchosen [data-chooser-action-choose]").click()
    modal = page.locator(".modal-dialog")
    expect(modal).to_be_visible()
    modal.locator("input[name=q]").fill("QC7001")
    result = modal.get_by_role("link", name="赵电工 (QC7001)")
    expect(result).to_be_visible()
    expect(modal.get_by_role("link", name="员工甲 (E1)")).to_have_count(0)  # the search ran
    page.screenshot(path=str(SHOTS / f"chooser-{size}-employee.png"), full_page=False)
    result.click()
    expect(modal).to_be_hidden()
    expect(override.locator("[data-chooser-title]")).to_have_text("赵电工 (QC7001)")
    page.fill(f"#id_overrides-{row}-extra_minutes", "15")
    page.fill(f"#id_overrides-{row}-extra_attempts", "0")

    row = add_inline_row(page, "fixed_questions")
    question = page.locator(f"#id_fixed_questions-{row}-question-chooser")
    question.locator(".unchosen [data-chooser-action-choose]").click()
    expect(modal).to_be_visible()
    modal.locator("input[name=q]").fill("验电器")
    modal.get_by_role("link", name="验电器使用前应检查什么？").click()
    expect(modal).to_be_hidden()
    expect(question.locator("[data-chooser-title]")).to_have_text("验电器使用前应检查什么？")
    page.fill(f"#id_fixed_questions-{row}-points", "2")

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("安规考试")
    page.screenshot(path=str(SHOTS / f"chooser-{size}-saved.png"), full_page=False)
    extra = {o.employee: o.extra_minutes for o in exam.overrides.select_related("employee")}
    assert extra == {world["people"]["employee"]: 10, world["colleague"]: 15}
    assert {q.question for q in exam.fixed_questions.all()} == {world["fixed"], world["other"]}
    context.close()
