"""The required-training matrix (positions × courses: assigned, done, overdue) for HR and
department managers, read from the rules; and an employee's own list showing every rule that
applies to them, done ones included."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services
from lms.models import Employee
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import courses as cf

URL = "/admin/training/required-matrix/"


@pytest.fixture
def rules(people, company, clock):
    """Two courses: one the position must take (E1 completed it), one the branch must take by
    a date that has passed since (nobody has)."""
    today = timezone.localdate()
    safety = cf.course(title="安规培训")
    service = cf.course(title="服务礼仪")
    services.completion_record(
        employee=people["employee"], course=safety, completed_on=today, source="external"
    )
    services.rule_create(
        course=safety, position=people["employee"].position, due_on=today + datetime.timedelta(30)
    )
    services.rule_create(
        course=service, department=company["branch"], due_on=today + datetime.timedelta(2)
    )
    clock.shift(datetime.timedelta(days=5))
    return {"safety": safety, "service": service}


def _cells(html):
    """{(position, course): 'done / assigned [overdue]'} from the matrix table."""
    table = html.split('data-testid="required-matrix"', 1)[1].split("</table>", 1)[0]
    courses = re.findall(r'<th scope="col">([^<]+)</th>', table)
    cells = {}
    for position, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S):
        tds = re.findall(r"<td>(.*?)</td>", row, re.S)
        texts = [re.sub(r"<[^>]+>", "", cell).split() for cell in tds]
        for course, text in zip(courses, texts, strict=True):
            cells[position, course] = " ".join(text)
    return cells


def test_hr_sees_the_company_and_a_manager_their_subtree(client, people, rules):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    login(client, people["hr"])
    response = client.get(URL)
    assert response.status_code == HTTPStatus.OK
    cells = _cells(response.content.decode())
    # Everyone of the shared people holds position POS-1. The safety rule asks all nine (E1
    # done); the service rule the branch (E1, E2 and M1), all overdue.
    assert cells["配电线路工", "安规培训"] == "1 / 9"
    assert cells["配电线路工", "服务礼仪"] == "0 / 3 3 人逾期"
    # The header names the page, not only 首页 ("Home").
    assert response.context["breadcrumbs_items"][-1]["label"] == "必修培训矩阵"

    login(client, people["manager"])
    cells = _cells(client.get(URL).content.decode())
    assert cells["配电线路工", "安规培训"] == "1 / 3"  # only E1, E2 and M1 are in the branch
    assert cells["配电线路工", "服务礼仪"] == "0 / 3 3 人逾期"


@pytest.mark.parametrize("who", ["employee", "trainer", "coordinator", "evaluator"])
def test_others_have_no_matrix(client, people, rules, who):
    login(client, people[who])
    response = client.get(URL)
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
    assert "required-matrix" not in response.content.decode()


def test_matrix_queries_do_not_grow_with_people_or_rules(client, people, company, rules):
    login(client, people["hr"])
    counts = []
    made = 0
    for n in (5, 50):
        for i in range(made, n):
            position = f.position()
            f.employee(department=company["team_a"], position=position)
            if i % 5 == 0:
                services.rule_create(
                    course=cf.course(), position=position, due_on=timezone.localdate()
                )
        made = n
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == HTTPStatus.OK
        counts.append(len(queries))
    # The admin frame, then: people in scope, the rules, completions, open assignments.
    assert counts == [counts[0]] * 2
    assert counts[0] == with_session(QUERIES)


# The admin frame (user, roles, menu) and then four: the people in scope, the rules,
# completions and open assignments.
QUERIES = 9


def test_demo_learner_sees_every_rule_that_applies_to_him(db, client):
    """QC1001 (配电线路工 at 城关供电所) falls under three rules: 安规 for his position, the
    service pledges for the company and first aid for his station. Two he has completed
    recently, so no assignment is open for them; he sees all three all the same."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    learner = Employee.objects.get(number="QC1001")
    login(client, learner)
    client.cookies["ga_language"] = "zh-hans"
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    listed = body.split('data-testid="assignments"', 1)[1].split("</ul>", 1)[0]
    assert listed.count('data-testid="requirement"') == 3
    for title in ("电力安全工作规程", "十项承诺", "触电急救"):
        assert title in listed, title
