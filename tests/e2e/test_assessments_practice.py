"""A day of 安规 practice in Chromium, on a 390 px phone and a 1366 px desktop: answer today's
每日一练 with some wrong, see the 错题本 fill, re-practise each question right twice in a row, see
it empty, and the mastery chart. Screenshots go to tests/e2e/screenshots/ (not committed)."""

from pathlib import Path

import pytest

from assessments.models import Exam, PracticeAnswer, PracticeCard, Question, QuestionType
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in, sized_context
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1366}


@pytest.fixture
def practice_day(settings):
    settings.PRACTICE_DAILY_QUESTIONS = 4
    settings.PRACTICE_RETIRE_STREAK = 2
    employee = f.employee(number="QC1001", name="王小明")
    category = af.category("安规/变电安全")
    points = ["安全距离", "接地与短路", "倒闸操作"]
    questions = [
        af.question(
            category=category,
            type=QuestionType.SINGLE,
            answer=["B"],
            stem=f"<p>第{i + 1}题：10kV设备不停电时的安全距离为（　）。</p>",
            options=["0.35m", "0.70m", "1.00m", "1.50m"],
            knowledge_points=[points[i % 3]],
            explanation="《安规》表1：10kV及以下为0.70m。",
        )
        for i in range(6)
    ]
    af.exam(title="安规每日一练", questions=questions, audience=[employee], kind=Exam.Kind.PRACTICE)
    return employee


_context = sized_context


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_a_day_of_practice_fills_and_empties_the_wrong_book(
    browser, live_server, practice_day, size
):
    width = WIDTHS[size]
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, live_server, width)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def shot(step):
        page.screenshot(path=str(SHOTS / f"practice-{size}-{step}.png"), full_page=True)

    try:
        sign_in(page, "QC1001", f.PASSWORD)
        page.goto("/")
        page.locator("nav.sections a[href='/exams/practice/']").click()
        page.wait_for_url("**/exams/practice/")
        _fits(page, width)
        page.locator("#start-daily").click()
        page.wait_for_url("**/exams/practice/daily/")
        shot("1-question")
        for index, right in enumerate((False, True, False, True)):
            page.locator("#daily-progress").wait_for()
            page.locator(f"input[name=answer][value={'B' if right else 'A'}]").check()
            page.locator("#submit-answer").click()
            verdict = page.locator("#verdict")
            verdict.wait_for()
            assert ("right" in verdict.get_attribute("class").split()) is right
            assert "0.70m" in page.locator(".explanation").inner_text()
            assert page.locator("#correct-answer").inner_text() == "B"
            if index == 0:
                _fits(page, width)
                shot("2-feedback-wrong")
            page.locator("#next-question").click()
        page.locator("#daily-done").wait_for()
        shot("3-daily-done")

        page.goto("/exams/practice/wrong/")
        assert page.locator("#in-book-count").inner_text() == "2"
        assert page.locator(".wrong-list li").count() == 2
        _fits(page, width)
        shot("4-wrong-book-full")

        page.locator("#practise-all").click()
        for _ in range(4):  # two cards, each right twice in a row
            page.locator("input[name=answer][value=B]").check()
            page.locator("#submit-answer").click()
            page.locator("#verdict.right").wait_for()
            page.locator("#next-question").click()
        page.wait_for_url("**/exams/practice/wrong/")
        page.locator("#wrong-book-empty").wait_for()
        assert page.locator("#retired-count").inner_text() == "2"
        assert not PracticeCard.objects.filter(employee=practice_day, retired_at=None).exists()
        shot("5-wrong-book-empty")

        page.goto("/exams/practice/")
        # One row per knowledge point practised: today's four questions are drawn from six
        # covering three points, so they may cover two of them.
        practised = {
            point
            for question in Question.objects.filter(
                pk__in=PracticeAnswer.objects.filter(employee=practice_day).values("question")
            )
            for point in question.knowledge_points
        }
        assert len(practised) in (2, 3)
        assert page.locator(".mastery-chart .bar-chart__row").count() == len(practised)
        assert page.locator("#wrong-book-count strong").inner_text() == "0"
        _fits(page, width)
        shot("6-practice-home")
    finally:
        context.close()

    # The trainer sees the department's mastery by knowledge point.
    f.employee(number="QC9001", name="培训师", roles=[Role.TRAINER])
    context = _context(browser, live_server, width)
    page = context.new_page()
    try:
        sign_in(page, "QC9001", f.PASSWORD)
        page.goto("/exams/practice/mastery/")
        section = page.locator(".department-mastery")
        assert section.count() == 1
        assert section.locator(".mastery-chart .bar-chart__row").count() == len(practised)
        _fits(page, width)
        shot("7-department-mastery")
    finally:
        context.close()


def test_a_mock_exam_on_a_phone_is_never_counted(phone, settings):
    """A mock of the formal exam: drawn by its rules, on its clock, marked at once, and the
    formal exam keeps its one attempt and issues no certificate."""
    import re

    from assessments.models import Attempt, Certificate

    employee = f.employee(number="QC1001", name="王小明")
    category = af.category("安规/线路安全")
    for i in range(5):
        af.question(category=category, answer=["B"], stem=f"<p>线路第{i + 1}题</p>",
                    options=["甲", "乙", "丙"], knowledge_points=["线路"])  # fmt: skip
    formal = af.exam(
        title="2026年度安规考试",
        audience=[employee],
        rules=[{"count": 3, "type": QuestionType.SINGLE, "category": category}],
        time_limit_minutes=30,
        max_attempts=1,
        certificate_title="安规合格证",
        certificate_valid_months=12,
        pass_mark=0,
    )
    page = phone
    sign_in(page, "QC1001", f.PASSWORD)
    page.goto("/exams/practice/")
    page.locator(f"form[action='/exams/practice/mock/{formal.pk}/'] button").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    assert page.locator("fieldset.question").count() == 3
    assert page.locator("#timer").is_visible()  # the formal exam's clock
    page.locator("fieldset.question").first.locator("input[value=B]").check()
    page.locator("#save-state[data-state=saved]").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#submit-button").click()
    page.wait_for_url(re.compile(r"/result/$"))
    page.locator("#mock-note").wait_for()
    _fits(page, 390)
    page.screenshot(path=str(SHOTS / "practice-phone-8-mock-result.png"), full_page=True)
    mock_attempt = Attempt.objects.get(employee=employee)
    assert mock_attempt.exam.mock_of_id == formal.pk and mock_attempt.passed
    assert not Certificate.objects.exists()
    page.locator("main a[href='/exams/practice/wrong/']").click()  # the mock's wrong answers
    assert page.locator("#in-book-count").inner_text() == "2"
    assert page.locator(".wrong-list .tag").first.inner_text() in ("Mock exam", "模拟考试")
    page.goto("/exams/results/")
    assert "模拟" not in page.locator("main").inner_text()  # not among my results
    page.goto(f"/exams/{formal.pk}/")  # the formal exam's one attempt is still there
    page.get_by_role("button", name=re.compile("开始考试|Start")).click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    assert Attempt.objects.get(employee=employee, exam=formal).number == 1
