"""Completions and training hours in the REST API (courses/api.py)."""

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest

from courses import services
from courses.models import Completion
from tests import factories as f
from tests.conftest import api_client
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db


def complete(employee, course, days_ago=1, hours=None):
    return services.completion_record(
        employee=employee,
        course=course,
        completed_on=datetime.date.today() - datetime.timedelta(days=days_ago),
        source=Completion.Source.EXTERNAL,
        hours=hours,
    )


def test_training_hours_add_up_per_employee_and_year(people):
    course = cf.course(hours=Decimal("2.5"))
    first = complete(people["employee"], course)
    complete(people["employee"], course, days_ago=2, hours=Decimal("1.5"))
    complete(people["colleague"], course)
    year = first.completed_on.year
    api = api_client(people["hr"])
    rows = api.get("/api/v1/training-hours/", {"year": year}).json()["results"]
    hours = {row["employee"]: (Decimal(row["hours"]), row["completions"]) for row in rows}
    assert hours["E1"] == (Decimal("4.0"), 2)
    assert hours["E2"] == (Decimal("2.5"), 1)
    one = api.get("/api/v1/training-hours/", {"year": year, "employee": "e1"}).json()
    assert [row["employee"] for row in one["results"]] == ["E1"]
    other_year = api.get("/api/v1/training-hours/", {"year": year - 1}).json()
    assert other_year["results"] == []
    assert api.get("/api/v1/training-hours/").status_code == 422  # the year is required


def test_completions_filter_by_year_and_employee(people):
    course = cf.course()
    done = complete(people["employee"], course)
    complete(people["colleague"], course)
    api = api_client(people["manager"])
    rows = api.get("/api/v1/completions/", {"employee": "E1"}).json()["results"]
    assert [(r["employee"], r["course"], r["hours"]) for r in rows] == [("E1", course.title, "4.0")]
    year = done.completed_on.year
    assert api.get("/api/v1/completions/", {"year": year + 1}).json()["results"] == []


# The token with its owner (1), the owner's roles (1), one query for the page.
QUERIES = {"completions": 3, "training-hours": 3}


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("what", sorted(QUERIES))
def test_list_query_counts(people, company, django_assert_num_queries, count, what):
    course = cf.course()
    for _n in range(count):
        done = complete(f.employee(department=company["team_a"]), course)
    api = api_client(people["hr"])
    params = {"year": done.completed_on.year, "page_size": 1000}
    api.get(f"/api/v1/{what}/", params)  # the token's first use records when it was used
    with django_assert_num_queries(QUERIES[what]):
        response = api.get(f"/api/v1/{what}/", params)
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) == count
