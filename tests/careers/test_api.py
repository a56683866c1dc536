"""Appraisal results in the REST API (careers/api.py): HR's alone."""

from http import HTTPStatus

import pytest

from careers import services
from tests import factories as f
from tests.conftest import api_client
from tests.factories import careers as cf

pytestmark = pytest.mark.django_db


def calculated_period(employees):
    period = cf.period()
    for employee in employees:
        cf.value(period=period, code="KPI-TRAIN", value="90", employee=employee)
    services.appraisal_period_calculate(period=period)
    return period


def test_hr_reads_results_of_every_period_and_no_one_else_does(people):
    period = calculated_period([people["employee"]])
    rows = api_client(people["hr"]).get("/api/v1/appraisal-results/").json()["results"]
    mine = [row for row in rows if row["employee"] == "E1"]
    assert [(r["period_id"], r["period_status"]) for r in mine] == [(period.pk, "calculated")]
    for role in ("employee", "manager", "trainer", "coordinator"):
        response = api_client(people[role]).get("/api/v1/appraisal-results/")
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_results_filter_by_period(people):
    first = calculated_period([people["employee"]])
    calculated_period([people["colleague"]])
    api = api_client(people["hr"])
    rows = api.get("/api/v1/appraisal-results/", {"period": first.pk}).json()["results"]
    assert {row["period_id"] for row in rows} == {first.pk}


# The token with its owner (1), the owner's roles (1), the page (1).
QUERIES = 3


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_counts(people, company, django_assert_num_queries, count):
    calculated_period([f.employee(department=company["team_a"]) for _n in range(count)])
    api = api_client(people["hr"])
    api.get("/api/v1/appraisal-results/")  # the token's first use records when it was used
    with django_assert_num_queries(QUERIES):
        response = api.get("/api/v1/appraisal-results/", {"page_size": 1000})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) >= count
