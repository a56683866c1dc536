"""The shared bar chart and the admin screens the admin menu opens, at 1366 and 390 px: each page
fits the width, draws its bars from the shared stylesheet (no style attribute) and names its
figures. Screenshots go to tests/e2e/screenshots/ (not committed)."""

from pathlib import Path

import pytest
from django.urls import reverse

from assessments.models import QuestionType
from careers import services as careers_services
from tests import factories as f
from tests.conftest import make_company, make_people
from tests.e2e.conftest import sign_in, sized_context
from tests.factories import assessments as af
from tests.factories import careers as cf
from tests.factories import drills as df

SHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture
def world(transactional_db):
    company = make_company()
    people = make_people(company)
    # An appraisal with a spread of grades.
    period = cf.period(name="2026年第三季度")
    for i, score in enumerate(["99", "92", "85", "78", "70", "60", "95", "88"]):
        employee = people["employee"] if i == 0 else f.employee(department=company["team_a"])
        cf.value(period=period, code="KPI-TRAIN", value=score, employee=employee)
    cf.complete(period)
    careers_services.appraisal_period_calculate(period=period)
    # A graded exam for the score distribution.
    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(4)]
    takers = [f.employee(department=company["team_b"]) for _ in range(6)]
    exam = af.exam(questions=questions, audience=takers, pass_mark=60)
    answers = ["AAAA", "AAAB", "AABB", "ABBB", "AAAA", "BBBB"]
    for taker, pattern in zip(takers, answers, strict=True):
        af.sit(exam, taker, pattern)
    # A drill plan that has not been drilled, and one upcoming drill.
    plan = df.plan(department=company["branch"], code="YA-PD-01", title="配电线路故障处置预案")
    df.drill(plan=plan, coordinator=people["coordinator"], evaluators=[people["evaluator"]])
    return {"people": people, "period": period, "exam": exam}


def _check(page, width, name, size):
    # Our markup has no style attribute (Wagtail's own scripts may set some on its widgets).
    assert page.locator(".bar-chart [style], .bar [style], .ga-portal-body [style]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"charts-{size}-{name}.png"), full_page=True)


def _signed_in(browser, live_server, width, who):
    context = sized_context(browser, live_server, width)
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, who.number, f.PASSWORD)
    return context, page


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_charts_and_admin_screens(browser, live_server, world, size):
    width = WIDTHS[size]
    SHOTS.mkdir(exist_ok=True)
    people = world["people"]
    context, page = _signed_in(browser, live_server, width, people["hr"])
    try:
        page.goto(reverse("careers:dashboard"))
        chart = page.locator("table.bar-chart.grade-chart")
        assert chart.locator(".bar-chart__row").count() >= 3
        assert chart.locator("caption").inner_text() != ""
        _check(page, width, "careers-dashboard", size)

        page.goto(reverse("careers_admin_dashboard"))
        assert page.locator("table.bar-chart.grade-chart .bar-chart__row").count() >= 3
        # The bars are drawn: a filled bar is wider than nothing.
        assert page.locator(".bar__fill").first.bounding_box()["width"] > 0
        _check(page, width, "admin-careers-dashboard", size)

        page.goto(reverse("careers_admin_archives"))
        assert page.locator("table.listing tbody tr").count() >= 3
        _check(page, width, "admin-archives", size)

        page.goto(reverse("careers_periods:run", args=[world["period"].pk]))
        assert page.locator("table.listing .bar--cell").count() >= 1
        _check(page, width, "admin-period-run", size)

        page.goto(reverse("assessments:exam_report", args=[world["exam"].pk]))
        assert page.locator("table.bar-chart.score-distribution .bar-chart__row").count() == 10
        _check(page, width, "exam-report", size)
    finally:
        context.close()

    context, page = _signed_in(browser, live_server, width, people["coordinator"])
    try:
        page.goto(reverse("drills_admin_dashboard"))
        assert "YA-PD-01" in page.locator("#coverage").inner_text()
        _check(page, width, "admin-drill-dashboard", size)
    finally:
        context.close()
