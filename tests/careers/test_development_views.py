import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from careers import services
from careers.models import DevelopmentPlan, RotationAssignment
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def plan(people):
    plan = services.development_plan_create(
        employee=people["employee"], year=2026, mentor=people["colleague"]
    )
    services.development_goal_add(plan=plan, description="取得高压电工证", measure="证书")
    return services.development_plan_submit(plan=plan)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", HTTPStatus.OK),
        ("colleague", HTTPStatus.OK),  # the mentor
        ("manager", HTTPStatus.OK),
        ("hr", HTTPStatus.OK),
        ("outsider", HTTPStatus.NOT_FOUND),
        ("other_manager", HTTPStatus.NOT_FOUND),
        ("trainer", HTTPStatus.NOT_FOUND),
    ],
)
def test_plan_page_scope(client, people, plan, who, status):
    login(client, people[who])
    assert client.get(reverse("careers:plan", args=[plan.pk])).status_code == status


def test_manager_approves_in_the_portal(client, people, plan):
    login(client, people["manager"])
    page = client.get(reverse("careers:plan", args=[plan.pk]))
    assert 'value="approve"' in page.content.decode()
    client.post(reverse("careers:plan", args=[plan.pk]), {"action": "approve"})
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.APPROVED


@pytest.mark.parametrize("who", ["hr", "colleague", "employee"])
def test_approval_by_others_is_refused_with_a_message(client, people, plan, who):
    login(client, people[who])
    response = client.post(
        reverse("careers:plan", args=[plan.pk]), {"action": "approve"}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["messages"])[0].level_tag == "error"
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.SUBMITTED


def test_mentor_adds_a_check_in_and_updates_a_goal(client, people, plan):
    login(client, people["colleague"])
    url = reverse("careers:plan", args=[plan.pk])
    client.post(url, {"action": "check_in", "note": "已报名高压电工培训"})
    goal = plan.goals.get()
    client.post(url, {"action": "goal_status", "goal": goal.pk, "status": "in_progress"})
    assert plan.check_ins.get().note == "已报名高压电工培训"
    goal.refresh_from_db()
    assert goal.status == "in_progress"


def test_employee_creates_a_plan_from_a_template(client, people):
    from careers.models import PositionTemplate

    position = f.position(name="班组长")
    PositionTemplate.objects.create(position=position, required_courses="班组长岗位培训")
    login(client, people["employee"])
    response = client.post(
        reverse("careers:plan_create"), {"year": 2027, "target_position": position.pk}
    )
    plan = DevelopmentPlan.objects.get(year=2027)
    assert response["Location"] == reverse("careers:plan", args=[plan.pk])
    assert plan.employee == people["employee"]
    assert [c.title for c in plan.planned_courses.all()] == ["班组长岗位培训"]


@pytest.fixture
def rotation(people, company):
    programme = services.rotation_programme_create(
        name="2026年营配轮岗", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    rotation = services.rotation_assign(
        programme=programme,
        employee=people["employee"],
        to_department=company["other"],
        to_position=f.position(name="客户代表"),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 5, 31),
        objectives=["掌握业扩流程", "独立受理投诉"],
    )
    return services.rotation_start(assignment=rotation)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", HTTPStatus.OK),
        ("manager", HTTPStatus.OK),
        ("other_manager", HTTPStatus.OK),  # receiving manager
        ("hr", HTTPStatus.OK),
        ("colleague", HTTPStatus.NOT_FOUND),
        ("outsider", HTTPStatus.NOT_FOUND),
        ("trainer", HTTPStatus.NOT_FOUND),
    ],
)
def test_rotation_page_scope(client, people, rotation, who, status):
    login(client, people[who])
    assert client.get(reverse("careers:rotation", args=[rotation.pk])).status_code == status


def test_receiving_manager_evaluates_in_the_portal(client, people, rotation):
    objectives = list(rotation.objectives.all())
    data = {f"score-{o.pk}": "88" for o in objectives} | {"comment": "胜任"}
    login(client, people["manager"])  # the sending manager may look but not evaluate
    client.post(reverse("careers:rotation", args=[rotation.pk]), data)
    rotation.refresh_from_db()
    assert rotation.status == RotationAssignment.Status.ACTIVE
    login(client, people["other_manager"])
    page = client.get(reverse("careers:rotation", args=[rotation.pk]))
    assert f'name="score-{objectives[0].pk}"' in page.content.decode()
    client.post(reverse("careers:rotation", args=[rotation.pk]), data)
    rotation.refresh_from_db()
    assert rotation.status == RotationAssignment.Status.COMPLETED
    assert rotation.average_score == Decimal("88.00")


def test_development_section_lists_plans_and_rotations(client, people, plan, rotation):
    login(client, people["employee"])
    html = client.get(reverse("portal:section", args=["development"])).content.decode()
    assert reverse("careers:plan", args=[plan.pk]) in html
    assert reverse("careers:rotation", args=[rotation.pk]) in html


def test_hr_assigns_rotation_in_admin_and_overlap_is_refused(client, people, company, rotation):
    login(client, people["hr"])
    position = f.position(name="抄表员")
    data = {
        "programme": rotation.programme.pk,
        "employee": people["employee"].pk,
        "to_department": company["other"].pk,
        "to_position": position.pk,
        "start": "2026-05-01",
        "end": "2026-06-30",
        "objectives": "熟悉抄表流程",
    }
    response = client.post(reverse("careers_rotations:add"), data)
    assert response.status_code == HTTPStatus.OK
    assert "2026-03-01" in response.content.decode()
    assert RotationAssignment.objects.count() == 1
    data.update(start="2026-06-01", end="2026-07-31")
    response = client.post(reverse("careers_rotations:add"), data)
    assert response.status_code == HTTPStatus.FOUND
    created = RotationAssignment.objects.latest("pk")
    assert [o.description for o in created.objectives.all()] == ["熟悉抄表流程"]


def test_manager_plan_list_is_scoped(client, people, plan):
    other = services.development_plan_create(employee=people["outsider"], year=2026)
    login(client, people["manager"])
    response = client.get(reverse("careers_plans:index"))
    listed = {p.pk for p in response.context["object_list"]}
    assert plan.pk in listed and other.pk not in listed


def test_owner_adds_a_goal_and_others_cannot(client, people, plan):
    url = reverse("careers:plan", args=[plan.pk])
    login(client, people["employee"])
    client.post(
        url,
        {
            "action": "goal_add",
            "description": "完成配网带电作业培训",
            "measure": "取得合格证",
            "due_date": "2026-12-31",
        },
    )
    goal = plan.goals.get(description="完成配网带电作业培训")
    assert goal.due_date == datetime.date(2026, 12, 31)
    response = client.post(url, {"action": "goal_add", "description": "x", "due_date": "明天"})
    assert not plan.goals.filter(description="x").exists()
    login(client, people["colleague"])
    response = client.post(url, {"action": "goal_add", "description": "导师加的目标"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not plan.goals.filter(description="导师加的目标").exists()


def test_manager_sees_plans_awaiting_approval(client, people, plan):
    login(client, people["manager"])
    html = client.get(reverse("portal:section", args=["development"])).content.decode()
    assert reverse("careers:plan", args=[plan.pk]) in html
    cards = client.get("/").context["cards"]
    summaries = [s for card in cards for s in card["summaries"]]
    assert any(s.count == 1 and s.attention for s in summaries)
    login(client, people["other_manager"])
    html = client.get(reverse("portal:section", args=["development"])).content.decode()
    assert reverse("careers:plan", args=[plan.pk]) not in html
