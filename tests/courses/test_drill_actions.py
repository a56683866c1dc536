"""drills → courses: a training corrective action assigns its course to the drill's participants."""

import datetime

import pytest
from wagtail.models import PageLogEntry

from courses.models import Assignment
from drills import services as drill_services
from drills.models import DrillError
from lms.models import Employee
from tests import factories as f
from tests.factories import courses as cf
from tests.factories import drills as df


@pytest.fixture
def drill(people, company):
    plan = df.plan(department=company["branch"], code="YA-TF-09", title="台风电网故障专项预案")
    drill = df.drill(
        plan=plan,
        coordinator=people["coordinator"],
        evaluators=[people["evaluator"]],
        participants=[(people["manager"], "commander"), (people["employee"], "player")],
        department=company["branch"],
    )
    return df.conduct(drill)


@pytest.fixture
def finding(drill, people):
    return df.improvement(drill, by=people["coordinator"])


@pytest.fixture
def course(people):
    return cf.course(title="应急信息报送", code="YJ-01")


def _action(finding, people, capture, **fields):
    with capture(execute=True):
        return df.action(
            finding,
            owner=people["employee"],
            element="training",
            due_date=datetime.date.today() + datetime.timedelta(days=20),
            **fields,
        )


def test_training_action_assigns_the_course_to_participants(
    finding, course, people, django_capture_on_commit_callbacks
):
    action = _action(finding, people, django_capture_on_commit_callbacks, course_code=" yj-01 ")
    rows = list(Assignment.objects.filter(course=course).order_by("employee__number"))
    assert {a.employee for a in rows} == {people["employee"], people["manager"]}  # no evaluator
    assert {a.due_on for a in rows} == {action.due_date}
    assert all(a.rule_id is None and a.completion_id is None for a in rows)
    assert PageLogEntry.objects.filter(page=course, action="courses.drill_action_assigned").exists()


def test_already_assigned_and_departed_participants_are_skipped(
    finding, course, people, django_capture_on_commit_callbacks
):
    from courses import services

    due = datetime.date.today() + datetime.timedelta(days=5)
    services.assignment_create(employee=people["manager"], course=course, due_on=due)
    Employee.objects.filter(pk=people["employee"].pk).update(status=Employee.Status.LEFT)
    _action(finding, people, django_capture_on_commit_callbacks, course_code="YJ-01")
    rows = list(Assignment.objects.filter(course=course))
    assert [(a.employee, a.due_on) for a in rows] == [(people["manager"], due)]


@pytest.mark.parametrize("code", ["", "NO-SUCH-COURSE", "DRAFT-01"])
def test_actions_naming_no_usable_course_are_ignored(
    finding, people, code, django_capture_on_commit_callbacks
):
    cf.course(code="DRAFT-01", publish=False)
    _action(finding, people, django_capture_on_commit_callbacks, course_code=code)
    assert not Assignment.objects.exists()


def test_only_training_actions_name_a_course(finding, course, people):
    with pytest.raises(DrillError):
        df.action(finding, owner=people["employee"], element="equipment", course_code="YJ-01")
    assert not Assignment.objects.exists()


def test_assignment_runs_a_fixed_number_of_queries(
    finding, course, people, company, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from courses.services import assignments_for_drill_action

    def make_action(extra):
        drill = finding.drill
        for _ in range(extra):
            employee = f.employee(department=company["team_a"])
            drill.participants.create(employee=employee, role="player")
        with django_capture_on_commit_callbacks(execute=False):
            return df.action(
                finding, owner=people["employee"], element="training", course_code="YJ-01"
            )

    action = make_action(1)
    with django_assert_num_queries(9):
        assert len(assignments_for_drill_action(action)) == 3
    Assignment.objects.all().delete()
    action = make_action(27)
    with django_assert_num_queries(9):
        assert len(assignments_for_drill_action(action)) == 30
    assert drill_services.TRAINING_ACTION_HOOK == "drills_training_action_created"


@pytest.mark.parametrize(("who", "assigned"), [("coordinator", 2), ("employee", 0)])
def test_action_form_names_the_course(
    client, finding, course, people, who, assigned, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.conftest import login

    login(client, people[who])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("drills:action_add", args=[finding.drill_id]),
            {
                "finding": finding.pk,
                "description": "组织应急信息报送培训",
                "element": "training",
                "course_code": "YJ-01",
                "owner": people["employee"].pk,
                "due_date": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
            },
        )
    assert Assignment.objects.filter(course=course).count() == assigned
