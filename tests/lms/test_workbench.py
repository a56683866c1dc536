"""The portal home's workbench: what waits for each role, with counts and links, in a fixed
number of queries; and the portal menu's shared places."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login, with_session
from tests.factories import careers as cf
from tests.factories import courses as coursef
from tests.factories import drills as df

EXPECTED = {
    "trainer": ["待开展的培训班", "待登记考勤的培训班", "待批改的答卷"],
    "hr": ["考核周期", "导入员工", "培训档案", "统计看板", "管辖范围内逾期未完成的必修课程"],
    "manager": [
        "管辖范围内逾期未完成的必修课程",
        "待审批的职业发展规划",
        "已到期待评价的岗位轮换",
        "本部门即将到期的证书",
    ],
    "coordinator": ["待准备的演练", "未提交的评估表", "逾期的整改措施"],
    "evaluator": ["待填写的评估表"],
}


def _make_work(people, company, n):
    course = coursef.course()
    for _ in range(n):
        coursef.session(course=course, trainer=people["trainer"])
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
HOME_QUERIES = {
    "employee": 28,
    "trainer": 29,
    "evaluator": 29,
    "hr": 30,
    "coordinator": 31,
    "manager": 34,
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
