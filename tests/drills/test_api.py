"""Drills and corrective actions in the REST API (drills/api.py)."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from drills import services
from tests import factories as f
from tests.conftest import api_client
from tests.factories import drills as df

pytestmark = pytest.mark.django_db


def test_drills_and_actions_with_incremental_sync(people, company, clock):
    plan = df.plan(department=company["branch"])
    drill = df.drill(plan=plan, coordinator=people["coordinator"], department=company["branch"])
    finding = df.improvement(df.conduct(drill), by=people["coordinator"])
    action = df.action(finding, owner=people["employee"])
    api = api_client(people["coordinator"])
    (row,) = api.get("/api/v1/drills/").json()["results"]
    assert (row["id"], row["status"], row["coordinator"]) == (drill.pk, "conducted", "C1")
    (row,) = api.get("/api/v1/corrective-actions/").json()["results"]
    assert (row["id"], row["drill_id"], row["owner"]) == (action.pk, drill.pk, "E1")
    clock.shift(datetime.timedelta(minutes=5))
    since = timezone.now()
    assert api.get("/api/v1/corrective-actions/", {"updated_since": since}).json()["results"] == []
    services.action_start(action=action, by=people["employee"])
    (row,) = api.get("/api/v1/corrective-actions/", {"updated_since": since}).json()["results"]
    assert row["status"] == "in_progress"


# The token with its owner (1), the owner's roles (1), the page (1).
QUERIES = {"drills": 3, "corrective-actions": 3}


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("what", sorted(QUERIES))
def test_list_query_counts(people, company, django_assert_num_queries, count, what):
    plan = df.plan(department=company["branch"])
    template = df.template()
    for _n in range(count):
        drill = df.conduct(
            df.drill(plan=plan, coordinator=people["coordinator"], template=template)
        )
        finding = df.improvement(drill, by=people["coordinator"])
        df.action(finding, owner=f.employee(department=company["team_a"]))
    api = api_client(people["coordinator"])
    api.get(f"/api/v1/{what}/")  # the token's first use records when it was used
    with django_assert_num_queries(QUERIES[what]):
        response = api.get(f"/api/v1/{what}/", {"page_size": 1000})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) == count
