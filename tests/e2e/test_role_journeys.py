"""Each role's day in Chinese at 1366 px and at 390 px: the portal home's workbench, the menu
with every section in view, one piece of work opened from the workbench, the admin (or the
refusal a portal-only user gets) and an error page with a way back.

Screenshots of every step go to tests/e2e/screenshots/ (not committed) for a person to look at.
"""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses import services as courses_services
from courses.notifications import ASSIGNMENT_DUE, AssignmentDue
from lms.notifications.services import emit
from tests import factories as f
from tests.conftest import make_company, make_people
from tests.e2e.conftest import sign_in
from tests.factories import careers as cf
from tests.factories import courses as coursef
from tests.factories import drills as df

SHOTS = Path(__file__).parent / "screenshots"
# Who reads the required-training matrix (positions × courses) in the admin.
MATRIX = {"hr", "manager"}


WORK = {
    "employee": None,
    "trainer": "待开展的培训班",
    "hr": "导入员工",
    "manager": "管辖范围内逾期未完成的必修课程",
    "coordinator": "待准备的演练",
    "evaluator": "待填写的评估表",
    "training_manager": "待审批：",
}
NUMBERS = {
    "employee": "E1",
    "trainer": "T1",
    "hr": "H1",
    "manager": "M1",
    "coordinator": "C1",
    "evaluator": "V1",
    "training_manager": "TM1",
}
MENU = [
    "我的学习",
    "我的考试",
    "我的档案",
    "我的发展",
    "我的演练",
    "课程目录",
    "培训计划",
    "应急预案库",
]
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def world(transactional_db):
    company = make_company()
    people = make_people(company)
    course = coursef.course()
    coursef.session(course=course, trainer=people["trainer"])
    plan = df.plan(department=company["branch"])
    df.drill(plan=plan, coordinator=people["coordinator"], evaluators=[people["evaluator"]])
    cf.period()
    # The training manager approves courses: one waits in its workflow.
    manager = f.employee(number="TM1", name="培训经理", department=company["root"])
    courses_services.training_manager_set(user=manager.user)
    review = coursef.course(title="新员工安全培训")
    review.get_workflow().start(review, people["trainer"].user)
    # Everyone has one reminder waiting in the inbox, addressed to them.
    for person in [*(people[role] for role in NUMBERS if role in people), manager]:
        emit(
            ASSIGNMENT_DUE,
            AssignmentDue(
                assignment_id=1,
                course=course.title,
                course_url=course.url,
                employee_number=person.number,
                name=person.name,
                due_on=datetime.date.today(),
            ),
            recipients=[person],
        )
    return people


@pytest.fixture(params=sorted(WIDTHS))
def screen(request, browser, live_server):
    mobile = request.param == "phone"
    context = browser.new_context(
        base_url=live_server.url,
        viewport=WIDTHS[request.param],
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile,
        has_touch=mobile,
        locale="zh-CN",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def _shot(page, role, step):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{role}-{page.width_name}-{step}.png"), full_page=True)


def _not_an_error_page(page):
    """Our error pages (lms/error.html) carry .error-page; a title may hold "404" by chance
    (the 404th course a test run made is 课程404)."""
    expect(page.locator(".error-page")).to_have_count(0)
    assert "错误" not in page.title()


def _fits(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} is {overflow}px wider than the screen"


@pytest.mark.parametrize("role", sorted(WORK))
def test_role_journey(screen, world, role):
    page = screen
    sign_in(page, NUMBERS[role], f.PASSWORD)

    # 1. Home: the workbench says what is waiting, and every section is in the menu, in view.
    page.goto("/")
    _fits(page, "home")
    if WORK[role]:
        expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()
        expect(page.locator(".workbench").get_by_text(WORK[role]).first).to_be_visible()
        expect(page.locator(".workbench h3").first).not_to_contain_text("Training manager")
    else:
        expect(page.get_by_role("heading", name="我的工作台")).to_have_count(0)
    nav = page.locator("nav.sections")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), "the menu scrolls sideways"
    viewport = page.viewport_size["width"]
    for title in MENU:
        link = nav.get_by_role("link", name=title)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, f"{title} is off screen"
    _shot(page, role, "1-home")

    # 2. One piece of work from the workbench (the employee opens the course catalogue).
    if WORK[role]:
        page.locator(".workbench").get_by_text(WORK[role]).first.click()
    else:
        nav.get_by_role("link", name="课程目录").click()
    page.wait_for_load_state()
    _not_an_error_page(page)
    _shot(page, role, "2-work")

    # 3. The admin: in Chinese for those who work there, a reason and the way home for others.
    page.goto("/admin/")
    if role in ("employee", "evaluator"):
        expect(page.get_by_role("heading", name="没有管理后台的权限")).to_be_visible()
        expect(page.get_by_role("link", name="返回我的门户")).to_be_visible()
    else:
        expect(page.locator("body")).to_contain_text("电网学院")
    _shot(page, role, "3-admin")

    # 4. The inbox: the header counts what is unread, the reminder links to the thing itself.
    page.goto("/")
    inbox = page.locator("a.inbox-link")
    expect(inbox).to_contain_text("消息")
    badge = inbox.locator("[data-unread-count]")
    expect(badge).to_have_text(re.compile(r"^[1-9]\d*$"))  # the reminder (and any workflow step)
    unread = int(badge.inner_text())
    inbox.click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("必修培训即将到期")
    _fits(page, "inbox")
    _shot(page, role, "4-inbox")
    page.get_by_role("link", name="必修培训即将到期", exact=False).first.click()
    page.wait_for_load_state()
    _not_an_error_page(page)
    page.goto("/")
    badge = page.locator("a.inbox-link [data-unread-count]")
    if unread == 1:
        expect(badge).to_be_hidden()
    else:
        expect(badge).to_have_text(str(unread - 1))

    # 5. HR and managers: the required-training matrix (positions × courses).
    if role in MATRIX:
        page.goto("/admin/training/required-matrix/")
        expect(page.locator("body")).to_contain_text("必修培训矩阵")
        _shot(page, role, "5-matrix")

    # 6. A page that does not exist: Chinese, in the portal's frame, with the way back.
    page.goto("/no/such/page/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    _fits(page, "404")
    _shot(page, role, "6-not-found")
    page.get_by_role("link", name="返回我的门户").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith(page.url.split("/")[2])  # back at the home page
