"""The trainer's Wagtail pages with ten times the data (issue 20 §5): the course edit page, the
page explorer and the plan edit page read as many queries with 10×N courses, employees,
positions and departments as with N, and a plan item's trainer is a chooser, not a drop-down of
every employee (bench/admin_pages.py measures their time)."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from courses.models import PlanItem, TrainingPlanPage
from lms.models import Position
from tests import factories as f
from tests.conftest import login
from tests.factories import courses as cf


def _more(company, n):
    """n more courses, employees, positions and departments."""
    courses = [cf.course(lessons=1) for _i in range(n)]
    for _i in range(n):
        department = f.department(parent=company["branch"])
        f.employee(department=department, position=f.position())
    return courses


@pytest.fixture
def plan(company, people):
    courses = _more(company, 3)
    items = [
        PlanItem(
            title=f"培训项目{i}",
            course=courses[i],
            method="internal",
            planned_month=i + 1,
            hours=Decimal(4),
            trainer=people["trainer"],
        )
        for i in range(3)
    ]
    for item in items:
        item.target_positions = [people["employee"].position]
        item.target_departments = [company["team_a"]]
    page = TrainingPlanPage(
        title="2026年度培训计划", year=2026, department=company["root"], items=items
    )
    cf.plan_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def _pages(plan):
    course = plan.items.first().course
    return {
        "course edit": reverse("wagtailadmin_pages:edit", args=[course.pk]),
        "page explorer": reverse("wagtailadmin_explore", args=[cf.course_index().pk]),
        "plan edit": reverse("wagtailadmin_pages:edit", args=[plan.pk]),
    }


@pytest.mark.parametrize("page", ["course edit", "page explorer", "plan edit"])
def test_page_reads_as_many_queries_with_ten_times_the_data(
    client, people, company, plan, page, capture_queries, django_assert_num_queries
):
    login(client, people["trainer"])
    url = _pages(plan)[page]
    assert client.get(url).status_code == HTTPStatus.OK
    with capture_queries() as first:
        assert client.get(url).status_code == HTTPStatus.OK
    _more(company, 27)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK


def test_plan_items_choose_their_trainer_and_share_the_choices(
    client, people, plan, capture_queries
):
    login(client, people["trainer"])
    with capture_queries() as queries:
        body = client.get(reverse("wagtailadmin_pages:edit", args=[plan.pk])).content.decode()
    # The trainer is a chooser holding the chosen employee, not a drop-down of everyone.
    assert '<select name="items-0-trainer"' not in body
    assert f'name="items-0-trainer" value="{people["trainer"].pk}"' in body
    assert reverse("employee_chooser:choose") in body
    # Each item's positions and departments were offered without a query per item, and the
    # three chosen courses and trainers were read at once.
    position_lists = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "lms_position"' in q["sql"] and "JOIN" not in q["sql"]
    ]
    # At most the blank new item's list with its count, and the list all three items share
    # (each item read its own list before).
    assert len(position_lists) <= 3, position_lists
    for n in range(3):
        assert body.count(f'name="items-{n}-target_positions"') == Position.objects.count()
