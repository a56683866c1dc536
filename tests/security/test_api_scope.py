"""Whose rows each role gets from every API list: the scope the screens have, role by role.

The matrix (test_authorization_matrix.py) says who may call each endpoint; here each list is
read with every role's token and the record of ``world["employee"]`` (E1) — or the matrix
world's drill — must be in it exactly for the roles declared below.
"""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.models import Completion
from tests.assessments.security_cases import assessment_world
from tests.factories import courses as cf

from .matrix import ROLES
from .object_cases import object_world

SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")
# E1's own line: themself, the manager of their branch, and the roles that see everyone's.
TRAINING = {"employee", "manager", "trainer", "hr", "superuser"}


def _has(number_key="employee"):
    def check(body, world):
        return any(row.get(number_key) == world["employee"].number for row in body["results"])

    return check


def _has_id(key, source):
    def check(body, world):
        return any(row["id"] == source(world)[key].pk for row in body["results"])

    return check


LISTS = {
    "employee_list": (
        "",
        {"employee", "manager", "trainer", "hr", "coordinator", "superuser"},
        lambda body, world: any(r["number"] == "E1" for r in body["results"]),
    ),
    "completion_list": ("", TRAINING, _has()),
    "training_hours": ("year", TRAINING, _has()),
    "exam_result_list": ("", TRAINING, _has()),
    "certificate_list": ("", TRAINING, _has()),
    # The team view's roles see their people; everyone else only themself.
    "qualification_list": ("", TRAINING, _has()),
    # The drill is organised by E1's branch, coordinated by the coordinator, and the evaluator
    # takes part; E1 has no part in it.
    "drill_list": (
        "",
        {"manager", "coordinator", "evaluator", "superuser"},
        lambda body, world: any(
            r["id"] == object_world(world)["action"].finding.drill_id for r in body["results"]
        ),
    ),
    # E1 owns the corrective action.
    "corrective_action_list": (
        "",
        {"employee", "manager", "coordinator", "superuser"},
        _has_id("action", object_world),
    ),
    "appraisal_result_list": ("", {"hr", "superuser"}, _has()),
}


@pytest.fixture
def records(world):
    course = cf.course(hours=2)
    completion = course_services.completion_record(
        employee=world["employee"],
        course=course,
        completed_on=datetime.date.today() - datetime.timedelta(days=1),
        source=Completion.Source.EXTERNAL,
    )
    assessment_world(world)
    object_world(world)
    return {"year": completion.completed_on.year}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_role_gets_the_rows_its_screens_show(name, world, records, client_for):
    query, seeing, finds = LISTS[name]
    wrong = []
    for role in SIGNED_IN:
        params = {"page_size": 1000, **({query: records[query]} if query else {})}
        response = client_for(role, token=True).get(reverse(f"api-v1:{name}"), params)
        if response.status_code == HTTPStatus.FORBIDDEN:
            sees = False
        else:
            assert response.status_code == HTTPStatus.OK, (role, response.content)
            sees = finds(response.json(), world)
        if sees != (role in seeing):
            wrong.append(f"{role}: {'sees' if sees else 'does not see'} the record")
    assert not wrong, f"{name}: " + "; ".join(wrong)
