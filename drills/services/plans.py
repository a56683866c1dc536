"""Emergency plans: the approval workflow, new plans, revision notes and revisions."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import (
    GroupApprovalTask,
    Workflow,
    WorkflowTask,
)

from lms.roles import Role

from ..models import (
    ActionLogEntry,
    CorrectiveAction,
    DrillError,
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    PlanRevisionNote,
)
from ._common import _validate

# Workflow and task names are data the admin shows as they are (lms migration 0007 renames
# any stored under their English names).
PLAN_WORKFLOW_NAME = "应急预案审批"
PLAN_REVIEW_TASK_NAME = "应急预案审核"


# --- plans ------------------------------------------------------------------------------------


@transaction.atomic
def plan_workflow_ensure() -> Workflow:
    """The approval workflow emergency plans are published through: coordinators write,
    department heads approve (approval publishes, so approvers hold publish permission)."""
    workflow, created = Workflow.objects.get_or_create(name=PLAN_WORKFLOW_NAME)
    if created or not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.create(name=PLAN_REVIEW_TASK_NAME)
        task.groups.set(Group.objects.filter(name=Role.MANAGER))
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


@transaction.atomic
def plan_create(
    *,
    index: EmergencyPlanIndexPage,
    code: str,
    title: str,
    level: str,
    hazard: str,
    owning_department,
    summary: str = "",
    organisation: str = "",
    response: str = "",
    disposal: str = "",
    resources: str = "",
    acting_user=None,
    publish: bool = True,
) -> EmergencyPlanPage:
    """Issue a plan. ``publish`` publishes at once (set-up and demo data; in the admin a plan
    goes through the approval workflow)."""
    plan = EmergencyPlanPage(
        title=title,
        code=code,
        level=level,
        hazard=hazard,
        owning_department=owning_department,
        summary=summary,
        organisation=organisation,
        response=response,
        disposal=disposal,
        resources=resources,
        live=False,
    )
    index.add_child(instance=plan)
    revision = plan.save_revision(user=acting_user, log_action=True)
    if publish:
        revision.publish(user=acting_user)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_revision_note_record(
    *, plan, revision, reason: str, explanation: str = "", actions=(), acting_user=None
) -> PlanRevisionNote:
    """Say why ``revision`` was made and link the corrective actions it answers."""
    note = PlanRevisionNote(
        plan=plan,
        revision=revision,
        reason=reason,
        explanation=explanation,
        created_by=acting_user,
    )
    _validate(note)
    note.save()
    for action in actions:
        if action.element != CorrectiveAction.Element.PLAN:
            raise DrillError(_("Only plan-element corrective actions are answered by a revision."))
        if action.finding.drill.plan_id != plan.pk:
            raise DrillError(_("That corrective action belongs to a drill of another plan."))
        if action.is_finished:
            raise DrillError(_("That corrective action is already finished."))
        action.plan_revision = note
        action.save(update_fields=["plan_revision"])
        ActionLogEntry.objects.create(
            action=action,
            by=getattr(acting_user, "employee", None) if acting_user else None,
            note=_("Plan revised: %(note)s") % {"note": note},
        )
    log(plan, "drills.plan_revision_reason", user=acting_user, revision=revision)
    return note


@transaction.atomic
def plan_revise(
    *,
    plan: EmergencyPlanPage,
    reason: str,
    changes: dict,
    explanation: str = "",
    closes_actions=(),
    acting_user=None,
    submit_for_approval: bool = False,
) -> PlanRevisionNote:
    """Save a new draft revision of the plan with its reason; optionally start approval."""
    if not reason:
        raise DrillError(_("Say why the plan is being revised."))
    draft = plan.get_latest_revision_as_object()
    for field, value in changes.items():
        setattr(draft, field, value)
    revision = draft.save_revision(user=acting_user, log_action=True)
    note = plan_revision_note_record(
        plan=plan,
        revision=revision,
        reason=reason,
        explanation=explanation,
        actions=closes_actions,
        acting_user=acting_user,
    )
    if submit_for_approval:
        workflow = draft.get_workflow()
        if workflow is None:
            raise DrillError(_("This plan has no approval workflow."))
        workflow.start(draft, acting_user)
    return note


def plan_current_revision(plan):
    """The revision a drill scheduled now exercises: the live one, else the latest draft."""
    return plan.live_revision or plan.latest_revision
