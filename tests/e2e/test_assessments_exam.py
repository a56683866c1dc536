"""Exam day on a phone (390 px): answers survive 30 s offline, time runs out, the attempt is
submitted and graded, the certificate downloads and the public check page confirms it.

No real waiting: the page's clock (Playwright's) and the server's (time-machine; the live server
runs in this process) are moved instead.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Attempt, AttemptItem, Certificate, QuestionType
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def exam_day():
    employee = f.employee(number="QC1001", name="王小明")
    category = af.category("安规/电气安全")
    questions = [
        af.question(category=category, type=QuestionType.SINGLE, answer=["B"],
                    stem="<p>10kV设备不停电时的安全距离为（　）。</p>",
                    options=["0.35m", "0.70m", "1.00m"], points=Decimal(4)),
        af.question(category=category, type=QuestionType.TRUE_FALSE, answer=False,
                    stem="<p>可以约时停送电。</p>", points=Decimal(3)),
        af.question(category=category, type=QuestionType.FILL, answer=[["验电"]],
                    stem="<p>停电后、装设接地线前必须先____。</p>", points=Decimal(3)),
    ]  # fmt: skip
    exam = af.exam(
        title="2026年度安规考试",
        questions=questions,
        audience=[employee],
        kind="formal",
        time_limit_minutes=30,
        closes_at=timezone.now() + timedelta(seconds=75),
        review_policy="after_submit",
        pass_mark=60,
        certificate_title="电力安全工作规程考试合格证",
        certificate_valid_months=12,
    )
    return employee, exam


def test_exam_on_a_phone_survives_offline_and_time_running_out(phone, exam_day, clock):
    employee, exam = exam_day
    page = phone
    page.clock.install()
    sign_in(page, "QC1001", f.PASSWORD)
    page.goto(f"/exams/{exam.pk}/")
    page.get_by_role("button", name=re.compile("开始考试|Start")).click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    badge = page.locator("#save-state")

    page.get_by_label(re.compile("0.70m")).check()
    # Locator waits: the page's CSP refuses the eval that a JavaScript-string wait would need.
    page.locator("#save-state[data-state=saved]").wait_for()

    page.context.set_offline(True)
    page.locator("fieldset[data-type=truefalse] input[value=false]").check()
    page.locator("fieldset[data-type=fill] input").fill("验电")
    page.clock.run_for(30_000)  # 30 s offline: ten autosave rounds, none reaching the server
    assert badge.get_attribute("data-state") == "offline"
    attempt = Attempt.objects.get(exam=exam, employee=employee)
    stored = {i.snapshot["type"]: i.response for i in AttemptItem.objects.filter(attempt=attempt)}
    assert stored["truefalse"] is None  # still only on the phone

    page.context.set_offline(False)
    page.locator("#save-state[data-state=saved]").wait_for(timeout=20_000)
    stored = {i.snapshot["type"]: i.response for i in AttemptItem.objects.filter(attempt=attempt)}
    assert stored == {"single": ["B"], "truefalse": False, "fill": ["验电"]}

    # The exam closes: the page submits by itself and shows the graded result.
    clock.move_to(exam.closes_at + timedelta(seconds=2))
    page.clock.fast_forward(90_000)
    page.clock.run_for(3_000)
    page.wait_for_url(re.compile(r"/result/$"), timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.score == Decimal(10)
    assert attempt.auto_submitted and attempt.finished_at == attempt.deadline
    assert page.locator("#score").inner_text() == "10"

    with page.expect_download() as download:
        page.locator("#certificate-link").click()
    assert download.value.suggested_filename.endswith(".pdf")
    certificate = Certificate.objects.get(attempt=attempt)
    page.goto(f"/exams/check/{certificate.code}/")
    check = page.locator("#certificate-check").inner_text()
    assert "王小明" in check and "电力安全工作规程考试合格证" in check
    assert re.search("有效|Valid", check)
    services.attempts_submit_overdue()  # nothing left to submit


def test_numerical_matching_and_description_on_a_phone(phone):
    employee = f.employee(number="QC1002", name="李小红")
    category = af.category("安规/导入")
    questions = [
        af.question(category=category, type=QuestionType.DESCRIPTION,
                    stem="<p>以下两题基于同一次停电检修。</p>"),
        af.question(category=category, type=QuestionType.NUMERICAL, points=Decimal(4),
                    stem="<p>10kV 安全距离是多少米？</p>"),
        af.question(category=category, type=QuestionType.MATCHING, points=Decimal(6),
                    stem="<p>把措施与目的配对。</p>"),
    ]  # fmt: skip
    exam = af.exam(
        title="导入题型练习", questions=questions, audience=[employee], review_policy="after_submit"
    )
    page = phone
    sign_in(page, "QC1002", f.PASSWORD)
    page.goto(f"/exams/{exam.pk}/")
    page.get_by_role("button", name=re.compile("开始考试|Start")).click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_text("以下两题基于同一次停电检修。").is_visible()
    page.locator("fieldset[data-type=numerical] input").fill("72 cm")
    selects = page.locator("fieldset[data-type=matching] select")
    selects.nth(0).select_option("断开电源")
    selects.nth(1).select_option("悬挂标示牌")  # the distractor: half the pairs right
    page.locator("#save-state[data-state=saved]").wait_for()
    attempt = Attempt.objects.get(exam=exam, employee=employee)
    stored = {i.snapshot["type"]: i.response for i in AttemptItem.objects.filter(attempt=attempt)}
    assert stored == {"description": None, "numerical": "72 cm",
                      "matching": ["断开电源", "悬挂标示牌"]}  # fmt: skip
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#submit-button").click()
    page.wait_for_url(re.compile(r"/result/$"))
    attempt.refresh_from_db()
    assert attempt.score == Decimal(7) and attempt.max_score == Decimal(10)
