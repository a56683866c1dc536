"""Wagtail's moderation steps reach people through the notification service: approvers when a
plan is submitted to them, the requester when it is approved or changes are requested."""

import pytest
from django.core import mail
from wagtail.models import WorkflowState

from drills import services
from drills.models import PlanRevisionNote
from lms.notifications.models import Notification
from lms.notifications.workflow import WORKFLOW_APPROVED, WORKFLOW_REJECTED, WORKFLOW_SUBMITTED
from tests.factories import drills as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(company):
    return df.plan(department=company["branch"], code="YA-WF-01", title="电网故障应急预案")


def submit(plan, people, capture):
    for person in ("manager", "other_manager", "coordinator"):
        people[person].user.email = f"{person}@example.com"
        people[person].user.save()
        people[person].email = ""
        people[person].save()
    mail.outbox.clear()
    with capture(execute=True):
        services.plan_revise(
            plan=plan,
            reason=PlanRevisionNote.Reason.PERIODIC_REVIEW,
            changes={"summary": "年度复审"},
            acting_user=people["coordinator"].user,
            submit_for_approval=True,
        )
    return WorkflowState.objects.get(object_id=str(plan.pk), status="in_progress")


def test_approvers_get_the_request_in_inbox_and_mailbox(
    plan, people, django_capture_on_commit_callbacks
):
    submit(plan, people, django_capture_on_commit_callbacks)
    told = Notification.objects.filter(kind=WORKFLOW_SUBMITTED)
    users = {n.recipient_id for n in told}
    assert {people["manager"].user_id, people["other_manager"].user_id} <= users
    assert people["coordinator"].user_id not in users  # who submitted is not told
    item = told.get(recipient=people["manager"].user)
    assert "电网故障应急预案" in item.title
    assert item.url == f"/admin/pages/{plan.pk}/edit/"
    assert {"manager@example.com", "other_manager@example.com"} <= {m.to[0] for m in mail.outbox}
    # Wagtail's own e-mails are taken over: nobody is told twice.
    assert len(mail.outbox) == len({m.to[0] for m in mail.outbox})


def test_the_requester_hears_of_approval(plan, people, django_capture_on_commit_callbacks):
    state = submit(plan, people, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        state.current_task_state.task.specific.on_action(
            state.current_task_state, people["manager"].user, "approve"
        )
    [item] = Notification.objects.filter(kind=WORKFLOW_APPROVED)
    assert item.recipient_id == people["coordinator"].user_id
    assert [m.to for m in mail.outbox] == [["coordinator@example.com"]]


def test_the_requester_hears_of_requested_changes_with_the_comment(
    plan, people, django_capture_on_commit_callbacks
):
    state = submit(plan, people, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        state.current_task_state.task.specific.on_action(
            state.current_task_state, people["manager"].user, "reject", comment="补充物资清单"
        )
    [item] = Notification.objects.filter(kind=WORKFLOW_REJECTED)
    assert item.recipient_id == people["coordinator"].user_id
    assert "补充物资清单" in item.body
