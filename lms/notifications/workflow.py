"""Wagtail's moderation workflow steps, announced through the notification service.

Wagtail e-mails approvers when something is submitted to their task and the requester when it is
approved or changes are requested (``wagtail.admin.signal_handlers``). Those e-mails are taken
over here: the same people are told, through their chosen channels (inbox and e-mail by default).
Wagtail's separate "submitted to the workflow" e-mail to superusers is not kept, since they
receive the task's message already.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .kinds import Channel, EventKind

WORKFLOW_SUBMITTED = "workflow.submitted"
WORKFLOW_APPROVED = "workflow.approved"
WORKFLOW_REJECTED = "workflow.rejected"


@dataclass(frozen=True)
class WorkflowStep:
    title: str  # the page or snippet
    workflow: str
    task: str
    by: str  # who submitted, approved or asked for changes
    url: str  # where it is edited in the admin
    comment: str = ""


def kinds():
    common = {
        "payload": WorkflowStep,
        "url": lambda p: p.url,
        "order": 90,
        "channels": (Channel.INBOX, Channel.EMAIL),
    }
    return [
        EventKind(
            WORKFLOW_SUBMITTED,
            label=gettext_lazy("Approval requests (moderation workflow)"),
            title=lambda p: _("“%(title)s” awaits your approval") % {"title": p.title},
            body=lambda p: (
                _(
                    "%(by)s submitted “%(title)s” to the workflow “%(workflow)s”; the step "
                    "“%(task)s” is yours."
                )
                % {"by": p.by, "title": p.title, "workflow": p.workflow, "task": p.task}
            ),
            **common,
        ),
        EventKind(
            WORKFLOW_APPROVED,
            label=gettext_lazy("Approved (moderation workflow)"),
            title=lambda p: _("“%(title)s” was approved") % {"title": p.title},
            body=lambda p: (
                _("The workflow “%(workflow)s” approved “%(title)s”.")
                % {"title": p.title, "workflow": p.workflow}
            ),
            **common,
        ),
        EventKind(
            WORKFLOW_REJECTED,
            label=gettext_lazy("Changes requested (moderation workflow)"),
            title=lambda p: _("Changes requested on “%(title)s”") % {"title": p.title},
            body=lambda p: (
                _("%(by)s asked for changes to “%(title)s” at the step “%(task)s”.")
                % {"by": p.by, "title": p.title, "task": p.task}
                + (("\n" + p.comment) if p.comment else "")
            ),
            **common,
        ),
    ]


def _name(user) -> str:
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    return getattr(employee, "name", "") or user.get_full_name() or user.get_username()


def _step(workflow_state, task_state, user, comment="") -> WorkflowStep:
    from wagtail.admin.admin_url_finder import AdminURLFinder

    obj = workflow_state.content_object
    return WorkflowStep(
        title=str(obj),
        workflow=str(workflow_state.workflow),
        task=str(task_state.task) if task_state is not None else "",
        by=_name(user),
        url=AdminURLFinder().get_edit_url(obj) or "",
        comment=comment or "",
    )


def on_task_submitted(sender, instance, user=None, **kwargs):
    from wagtail.models import AbstractGroupApprovalTask

    from .services import emit

    task = instance.task.specific
    if not isinstance(task, AbstractGroupApprovalTask):
        return
    users = get_user_model().objects.filter(groups__in=task.groups.all(), is_active=True)
    if getattr(settings, "WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS", True):
        users = users | get_user_model().objects.filter(is_superuser=True, is_active=True)
    if user is not None:
        users = users.exclude(pk=user.pk)
    emit(
        WORKFLOW_SUBMITTED,
        _step(instance.workflow_state, instance, user),
        recipients=list(users.distinct()),
    )


def _to_requester(kind_name, workflow_state, user, comment=""):
    from .services import emit

    requester = workflow_state.requested_by
    if requester is None or requester == user:
        return
    emit(
        kind_name,
        _step(workflow_state, workflow_state.current_task_state, user, comment),
        recipients=[requester],
    )


def on_workflow_approved(sender, instance, user=None, **kwargs):
    _to_requester(WORKFLOW_APPROVED, instance, user)


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state is not None else ""
    _to_requester(WORKFLOW_REJECTED, instance, user, comment)


def connect():
    """Replace Wagtail's workflow e-mails with events (called from ``ready``, after
    ``wagtail.admin`` connected its own)."""
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import (
        task_submitted,
        workflow_approved,
        workflow_rejected,
        workflow_submitted,
    )

    task_submitted.disconnect(
        sender=TaskState, dispatch_uid="group_approval_task_submitted_email_notification"
    )
    workflow_submitted.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_submitted_email_notification"
    )
    workflow_rejected.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_rejected_email_notification"
    )
    workflow_approved.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_approved_email_notification"
    )
    task_submitted.connect(on_task_submitted, sender=TaskState, dispatch_uid="notify.task")
    workflow_approved.connect(
        on_workflow_approved, sender=WorkflowState, dispatch_uid="notify.approved"
    )
    workflow_rejected.connect(
        on_workflow_rejected, sender=WorkflowState, dispatch_uid="notify.rejected"
    )
