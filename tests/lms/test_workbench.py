"""The portal home's workbench: what waits for each role, with counts and links, in a fixed
number of queries; and the portal menu's shared places."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services as courses_services
from courses.models import QuestionnaireField, QuestionnairePage
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import careers as cf
from tests.factories import courses as coursef
from tests.factories import drills as df

EXPECTED = {
    "trainer": ["待开展的培训班", "待登记考勤：", "待阅读的问卷答复：", "待批改的答卷"],
    "training_manager": ["待审批的课程和培训计划", "待审批："],
    "hr": [
        "考核周期",
        "导入员工",
        "培训档案",
        "统计看板",
        "管辖范围内逾期未完成的必修课程",
        "必修培训矩阵",
    ],
    "manager": [
        "管辖范围内逾期未完成的必修课程",
        "必修培训矩阵",
        "待审批的职业发展规划",
        "已到期待评价的岗位轮换",
        "本部门即将到期的证书",
    ],
    "coordinator": ["待准备的演练", "未提交的评估表", "逾期的整改措施"],
    "evaluator": ["待填写的评估表"],
}


def _held(course, trainer, employee, *, days_ago):
    """A session that ended ``days_ago`` days ago, with ``employee`` enrolled."""
    session = coursef.session(course=course, trainer=trainer)
    courses_services.enrollment_create(session=session, employee=employee)
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return courses_services.session_update(
        session=session, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )


def _questionnaire(course):
    page = QuestionnairePage(
        title="培训效果调查",
        course=course,
        form_fields=[QuestionnaireField(label="总体满意度", field_type="number", required=True)],
    )
    coursef.course_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def _make_work(people, company, n):
    course = coursef.course()
    for _ in range(n):
        coursef.session(course=course, trainer=people["trainer"])
    # Held sessions: n rosters still open, and n answered questionnaires on another course.
    for _ in range(n):
        _held(course, people["trainer"], people["employee"], days_ago=3)
    answered = coursef.course()
    page = _questionnaire(answered)
    for _ in range(n):
        session = _held(answered, people["trainer"], people["employee"], days_ago=5)
        courses_services.attendance_record(session=session, present_ids=[people["employee"].pk])
        courses_services.questionnaire_submit(
            page=page, session=session, employee=people["employee"], data={"x": "5"}
        )
    # A course awaiting the training manager's approval.
    review = coursef.course()
    review.get_workflow().start(review, people["trainer"].user)
    plan = df.plan(department=company["branch"])
    for _ in range(n):
        df.drill(plan=plan, coordinator=people["coordinator"], evaluators=[people["evaluator"]])
    cf.period()


def _items(page):
    """(count, label) for each workbench line."""
    found = re.findall(
        r'<a href="([^"]+)"><span class="count"[^>]*>([^<]*)</span><span>([^<]*)</span></a>', page
    )
    return [(href, count, label) for href, count, label in found]


@pytest.fixture
def people(people, company):
    """The shared people and a training manager (who approves courses and plans)."""
    manager = f.employee(number="TM1", name="培训经理", department=company["root"])
    courses_services.training_manager_set(user=manager.user)
    return {**people, "training_manager": manager}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_work_with_counts_and_working_links(client, people, company, role):
    _make_work(people, company, 3)
    login(client, people[role])
    page = client.get("/").content.decode()
    assert "我的工作台" in page
    items = _items(page)
    labels = [label for _, _, label in items]
    for expected in EXPECTED[role]:
        assert any(expected in label for label in labels), (expected, labels)
    counts = {label: count for _, count, label in items}
    if role == "trainer":
        assert counts["待开展的培训班"] == "3"
        rosters = [(h, c) for h, c, label in items if label.startswith("待登记考勤：")]
        assert len(rosters) == 3 and all("/roster/" in h and c == "1" for h, c in rosters)
        [(href, count)] = [(h, c) for h, c, label in items if label.startswith("待阅读的问卷答复")]
        assert "/report/" in href and count == "3"
    if role == "training_manager":
        assert counts["待审批的课程和培训计划"] == "1"
        [href] = [h for h, _, label in items if label.startswith("待审批：")]
        assert "/admin/pages/" in href and href.endswith("/edit/")
    if role == "coordinator":
        assert counts["待准备的演练"] == "3" and counts["未提交的评估表"] == "3"
    if role == "evaluator":
        assert counts["待填写的评估表"] == "3"
    for href, _, label in items:
        response = client.get(href.replace("&amp;", "&"), follow=True)
        assert response.status_code == HTTPStatus.OK, (label, href)


def test_an_employee_without_a_role_has_no_workbench(client, people):
    login(client, people["employee"])
    assert "我的工作台" not in client.get("/").content.decode()


# The home page's queries per role (the portal cards' panels, then one count per workbench line
# that counts; the employee's figure is the portal without a workbench).
# The archive behind the home page's panels reads SCORM attempts too (online study), once per
# archive source pass: + 2 for every role.
# The archive (every source once: courses, SCORM, video, exams, practice, certificates,
# appraisal, development, rotations) is read once per page although the cards and the hours panel
# both show it (lms.hooks.archive_entries' memo).
HOME_QUERIES = {
    "employee": 25,
    "trainer": 28,  # sessions to run, open rosters, questionnaire answers: one query each
    "evaluator": 26,
    "hr": 27,
    "coordinator": 28,
    "manager": 31,
    "training_manager": 26,  # awaiting approval: the workflow states, then their pages
}


@pytest.mark.parametrize("role", [*sorted(EXPECTED), "employee"])
def test_home_page_queries_do_not_grow_with_the_work(client, people, company, role):
    counts = []
    made = 0
    for n in (2, 20):
        _make_work(people, company, n - made)
        made = n
        login(client, people[role])
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert counts == [with_session(HOME_QUERIES[role])] * 2


@pytest.mark.parametrize(
    ("path", "lands_on"),
    [("/learning/catalogue/", "课程"), ("/learning/plan/", "培训"), ("/drills/plans/", "预案")],
)
def test_portal_menu_offers_catalogue_plan_and_emergency_plans(client, people, path, lands_on):
    df.plan_index()
    login(client, people["employee"])
    page = client.get("/my/learning/").content.decode()
    nav = page.split('class="sections"', 1)[1].split("</nav>", 1)[0]
    for title in ("课程目录", "培训计划", "应急预案库", "我的发展", "我的演练"):
        assert title in nav
    assert f'href="{path}"' in nav
    response = client.get(path, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert lands_on in response.content.decode()
