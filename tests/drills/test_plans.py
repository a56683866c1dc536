from http import HTTPStatus

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from drills import services
from drills.models import CorrectiveAction, DrillError, PlanRevisionNote
from tests.conftest import login
from tests.factories import drills as df


def edit_data(plan, **overrides):
    data = {
        "title": plan.title,
        "slug": plan.slug,
        "code": plan.code,
        "level": plan.level,
        "hazard": plan.hazard,
        "owning_department": plan.owning_department_id,
        "summary": plan.summary,
        "organisation": rich_text("<p>应急领导小组</p>"),
        "response": rich_text("<p>接警、研判、启动响应</p>"),
        "disposal": rich_text("<p>隔离故障、恢复供电</p>"),
        "resources": rich_text("<p>抢修队伍、应急物资</p>"),
        "attachments": inline_formset([]),
        "revision_reason": "",
        "revision_explanation": "",
        "comments": inline_formset([]),
    }
    actions = overrides.pop("closes_actions", [])
    data.update(overrides)
    data = nested_form_data(data)
    data["closes_actions"] = [str(pk) for pk in actions]
    return data


def test_plan_is_published_under_the_approval_workflow(plan):
    assert plan.live
    workflow = plan.get_workflow()
    assert workflow is not None and workflow.name == services.PLAN_WORKFLOW_NAME
    assert plan.revision_notes.count() == 0


def test_revision_needs_a_reason(plan, people):
    with pytest.raises(DrillError, match="why the plan"):
        services.plan_revise(plan=plan, reason="", changes={"summary": "x"})


def test_revision_records_reason_against_the_wagtail_revision(plan, people):
    note = services.plan_revise(
        plan=plan,
        reason=PlanRevisionNote.Reason.REGULATION_CHANGE,
        explanation="新版安规",
        changes={"summary": "依据新版安规修订"},
        acting_user=people["coordinator"].user,
    )
    plan.refresh_from_db()
    assert note.revision == plan.latest_revision
    assert plan.get_latest_revision_as_object().summary == "依据新版安规修订"
    # The live plan is unchanged until the revision is approved and published.
    assert plan.summary == ""


def test_submitted_revision_is_published_when_a_manager_approves(plan, people):
    services.plan_revise(
        plan=plan,
        reason=PlanRevisionNote.Reason.PERIODIC_REVIEW,
        changes={"summary": "年度复审"},
        acting_user=people["coordinator"].user,
        submit_for_approval=True,
    )
    plan.refresh_from_db()
    state = WorkflowState.objects.get(object_id=str(plan.pk), status="in_progress")
    state.current_task_state.task.specific.on_action(
        state.current_task_state, people["manager"].user, "approve"
    )
    plan.refresh_from_db()
    assert plan.summary == "年度复审"
    assert plan.live_revision.plan_note.reason == "periodic_review"


def test_coordinator_edits_plan_in_admin_and_must_give_a_reason(client, plan, people):
    login(client, people["coordinator"])
    url = reverse("wagtailadmin_pages:edit", args=[plan.pk])
    assert client.get(url).status_code == HTTPStatus.OK

    response = client.post(url, edit_data(plan, summary="改了"))
    assert response.status_code == HTTPStatus.OK
    assert "Say why the plan is being revised." in response.content.decode()
    assert PlanRevisionNote.objects.count() == 0

    response = client.post(
        url,
        edit_data(plan, summary="改了", revision_reason="incident", revision_explanation="事故"),
    )
    assert response.status_code == HTTPStatus.FOUND
    plan.refresh_from_db()
    note = PlanRevisionNote.objects.get()
    assert note.revision_id == plan.latest_revision_id
    assert note.reason == "incident"
    assert note.created_by == people["coordinator"].user


def test_admin_revision_closes_plan_actions(client, plan, people, company):
    drill = df.drill(plan=plan, coordinator=people["coordinator"])
    df.conduct(drill)
    finding = df.improvement(drill)
    action = df.action(finding, owner=people["employee"], element="plan")
    other = df.action(finding, owner=people["employee"], element="training")
    login(client, people["coordinator"])
    url = reverse("wagtailadmin_pages:edit", args=[plan.pk])
    response = client.post(
        url,
        edit_data(plan, revision_reason="drill_finding", closes_actions=[action.pk]),
    )
    assert response.status_code == HTTPStatus.FOUND
    action.refresh_from_db()
    assert action.plan_revision.reason == "drill_finding"
    # A non-plan action is not offered and cannot be linked.
    response = client.post(
        url, edit_data(plan, revision_reason="drill_finding", closes_actions=[other.pk])
    )
    assert response.status_code == HTTPStatus.OK
    assert CorrectiveAction.objects.get(pk=other.pk).plan_revision is None


@pytest.mark.parametrize("who", ["employee", "evaluator", "trainer"])
def test_other_roles_cannot_edit_plans(client, plan, people, who):
    login(client, people[who])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[plan.pk]))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    if response.status_code == HTTPStatus.FOUND:
        assert response["Location"].startswith(("/accounts/login/", "/admin/"))
        assert not response["Location"].startswith("/admin/pages/")


def test_coordinator_cannot_publish_directly(plan, people):
    perms = plan.permissions_for_user(people["coordinator"].user)
    assert perms.can_edit()
    assert not perms.can_publish()


def test_plan_page_renders_for_signed_in_staff(client, plan, people):
    services.plan_revise(
        plan=plan,
        reason=PlanRevisionNote.Reason.REGULATION_CHANGE,
        explanation="依据新版安规",
        changes={"summary": "新"},
    )
    login(client, people["employee"])
    response = client.get(plan.url)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "台风电网故障专项预案" in body
    assert "依据新版安规" in body and "Regulation change" in body


def test_plans_are_not_public(client, plan):
    response = client.get(plan.url)
    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response["Location"]
