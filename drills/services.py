"""Writes of the drill cycle: plan → drill → evaluation → report → corrective actions → revision.

Every function takes keyword-only arguments, runs in a transaction, validates before saving and
writes an audit entry. Illegal moves raise ``DrillError`` (from the model methods).
"""

import datetime
import functools

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.log_actions import log
from wagtail.models import (
    GroupApprovalTask,
    ModelLogEntry,
    Workflow,
    WorkflowTask,
)

from lms import audit
from lms.hooks import TRAINING_ACTION_HOOK
from lms.roles import Role
from lms.uploads import UploadRefused, check_image, stored_name

from .models import (
    ActionLogEntry,
    CorrectiveAction,
    CriterionResult,
    Drill,
    DrillError,
    DrillParticipant,
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    EvaluationSheet,
    EvaluationTemplate,
    ExerciseRole,
    Finding,
    Phase,
    PlanRevisionNote,
    ScoreSnapshot,
    TemplateCriterion,
)
from .models.evaluation import EDITABLE_DRILL_STATUSES
from .portal import portal_summaries_changed
from .scoring import drill_scores

# Workflow and task names are data the admin shows as they are (lms migration 0007 renames
# any stored under their English names).
PLAN_WORKFLOW_NAME = "应急预案审批"
PLAN_REVIEW_TASK_NAME = "应急预案审核"


def _refreshes_portal(service):
    """After the transaction commits, the portal's "My drills" summaries are recomputed."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        # Now, and again once committed: a visit in between must not keep the old summary.
        portal_summaries_changed()
        transaction.on_commit(portal_summaries_changed)
        return result

    return wrapper


def _validate(instance, **kwargs):
    """full_clean, reporting any problem as a DrillError (a ValidationError) for the caller."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise DrillError(getattr(error, "error_dict", None) or error.messages) from None


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


# --- drills -----------------------------------------------------------------------------------


def _sync_sheets(drill: Drill):
    """One sheet per evaluator; a sheet of someone no longer evaluating goes if still blank."""
    evaluator_ids = set(
        drill.participants.filter(role=ExerciseRole.EVALUATOR).values_list("employee_id", flat=True)
    )
    existing = {sheet.evaluator_id: sheet for sheet in drill.sheets.all()}
    for employee_id, sheet in existing.items():
        if employee_id not in evaluator_ids and not sheet.is_submitted:
            if (
                not sheet.results.filter(level__isnull=False).exists()
                and not sheet.results.filter(points__isnull=False).exists()
            ):
                sheet.delete()
    criteria = list(drill.template.criteria.all())
    for employee_id in evaluator_ids - set(existing):
        sheet = EvaluationSheet.objects.create(
            drill=drill,
            evaluator_id=employee_id,
            template=drill.template,
            department=drill.organising_department,
        )
        CriterionResult.objects.bulk_create(
            [CriterionResult(sheet=sheet, criterion=criterion) for criterion in criteria]
        )


@_refreshes_portal
@transaction.atomic
def drill_schedule(*, drill: Drill, acting_user=None) -> Drill:
    """Save a new drill (with its participants), pinned to the plan's current revision."""
    if drill.pk is not None:
        raise DrillError(_("This drill is already scheduled."))
    drill.plan_revision = plan_current_revision(drill.plan)
    drill.status = Drill.Status.PLANNED
    _validate(drill, exclude=["plan_revision"])
    drill.save()
    _sync_sheets(drill)
    log(drill, "wagtail.create", user=acting_user)
    return drill


@_refreshes_portal
@transaction.atomic
def drill_update(*, drill: Drill, acting_user=None) -> Drill:
    """Save edits to a drill; the pinned revision moves only if the plan itself changed."""
    previous_plan_id = Drill.objects.filter(pk=drill.pk).values_list("plan_id", flat=True).first()
    if drill.status not in (Drill.Status.PLANNED, Drill.Status.CONDUCTED):
        raise DrillError(_("An evaluated drill can no longer be changed."))
    if previous_plan_id != drill.plan_id:
        if drill.status != Drill.Status.PLANNED:
            raise DrillError(_("The plan of a conducted drill cannot change."))
        drill.plan_revision = plan_current_revision(drill.plan)
    _validate(drill, exclude=["plan_revision"])
    drill.save()
    _sync_sheets(drill)
    log(drill, "wagtail.edit", user=acting_user)
    return drill


def drill_create(*, participants=(), acting_user=None, **fields) -> Drill:
    """Schedule a drill from plain values; ``participants`` are (employee, role) pairs."""
    drill = Drill(**fields)
    drill.participants = [
        DrillParticipant(employee=employee, role=role) for employee, role in participants
    ]
    return drill_schedule(drill=drill, acting_user=acting_user)


@_refreshes_portal
@transaction.atomic
def drill_record_conducted(
    *, drill: Drill, actual_start, actual_end, absent=(), acting_user=None
) -> Drill:
    """Record that the drill took place; everyone not listed in ``absent`` was present."""
    drill.mark_conducted(actual_start=actual_start, actual_end=actual_end)
    drill.save(update_fields=["actual_start", "actual_end", "status"])
    absent_ids = [employee.pk for employee in absent]
    drill.participants.filter(employee_id__in=absent_ids).update(
        attendance=DrillParticipant.Attendance.ABSENT
    )
    drill.participants.exclude(employee_id__in=absent_ids).filter(
        attendance=DrillParticipant.Attendance.EXPECTED
    ).update(attendance=DrillParticipant.Attendance.PRESENT)
    log(drill, "drills.drill_conducted", user=acting_user)
    return drill


@_refreshes_portal
@transaction.atomic
def drill_mark_evaluated(*, drill: Drill, summary: str | None = None, acting_user=None) -> Drill:
    drill.mark_evaluated()
    if summary is not None:
        drill.summary = summary
    drill.save(update_fields=["status", "summary"])
    log(drill, "drills.drill_evaluated", user=acting_user)
    return drill


@transaction.atomic
def drill_summary_update(*, drill: Drill, summary: str, acting_user=None) -> Drill:
    drill.summary = summary
    drill.save(update_fields=["summary"])
    log(drill, "wagtail.edit", user=acting_user)
    return drill


@_refreshes_portal
@transaction.atomic
def report_approve(*, drill: Drill, acting_user=None) -> ScoreSnapshot:
    """Approve the after-action report and freeze the scores; re-approval adds a new snapshot."""
    # Lock the row so that two approvals cannot take the same snapshot version.
    drill.status = (
        Drill.objects.select_for_update().values_list("status", flat=True).get(pk=drill.pk)
    )
    drill.mark_report_approved()
    drill.save(update_fields=["status"])
    scores = drill_scores(drill)
    last = drill.snapshots.aggregate(last=Max("version"))["last"] or 0
    snapshot = ScoreSnapshot.objects.create(
        drill=drill,
        version=last + 1,
        overall=scores["overall"],
        data=scores_to_json(scores),
        approved_by=getattr(acting_user, "employee", None) if acting_user else None,
    )
    log(drill, "drills.report_approved", user=acting_user)
    return snapshot


def scores_to_json(scores: dict) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {
        "overall": num(scores["overall"]),
        "by_phase": {k: num(v) for k, v in scores["by_phase"].items()},
        "by_capability": {k: num(v) for k, v in scores["by_capability"].items()},
        "by_role": {k: num(v) for k, v in scores["by_role"].items()},
        "by_department": {
            str(k): {"name": v["name"], "score": num(v["score"])}
            for k, v in scores["by_department"].items()
        },
        "participants": {
            str(k): {"role": v["role"], "attendance": v["attendance"], "score": num(v["score"])}
            for k, v in scores["participants"].items()
        },
    }


@_refreshes_portal
@transaction.atomic
def drill_close(*, drill: Drill, acting_user=None) -> Drill:
    drill.mark_closed()
    drill.save(update_fields=["status"])
    log(drill, "drills.drill_closed", user=acting_user)
    return drill


@transaction.atomic
def participant_self_assess(*, participant: DrillParticipant, text: str) -> DrillParticipant:
    if participant.drill.status == Drill.Status.PLANNED:
        raise DrillError(_("You can assess yourself once the drill has been conducted."))
    if participant.drill.status == Drill.Status.CLOSED:
        raise DrillError(_("This drill is closed."))
    participant.self_assessment = text.strip()
    participant.self_assessed_at = timezone.now()
    participant.save(update_fields=["self_assessment", "self_assessed_at"])
    return participant


# --- evaluation -------------------------------------------------------------------------------


def validate_evidence(upload):
    """Photo evidence: a JPEG/PNG/WebP within DRILLS_EVIDENCE_MAX_BYTES and _MAX_PIXELS.

    The stored name takes the extension of the detected format, never the uploader's, so a
    photo can't be served back as anything else (an "image" named evil.html, say).
    """
    try:
        image_format = check_image(
            upload,
            name=upload.name,
            formats=settings.DRILLS_EVIDENCE_TYPES,
            max_bytes=settings.DRILLS_EVIDENCE_MAX_BYTES,
            max_pixels=settings.DRILLS_EVIDENCE_MAX_PIXELS,
        )
    except UploadRefused as refused:
        raise DrillError(refused.messages) from None
    upload.name = stored_name(upload.name, image_format, default="photo")


@transaction.atomic
def result_save(
    *,
    result: CriterionResult,
    level=None,
    points=None,
    reason: str = "",
    observation: str = "",
    observed_at: datetime.time | None = None,
    photo=None,
) -> CriterionResult:
    """Save one criterion's rating as the evaluator goes."""
    result.sheet.require_editable()
    result.rate(level=level, points=points, reason=reason)
    result.observation = observation.strip()
    result.observed_at = observed_at
    if photo is not None:
        validate_evidence(photo)
        result.photo = photo
    _validate(result)
    result.save()
    return result


@_refreshes_portal
@transaction.atomic
def sheet_assign(
    *, sheet: EvaluationSheet, department, phases=(), acting_user=None
) -> EvaluationSheet:
    """Set the unit an evaluator observes and the phases they judge (empty: every phase)."""
    sheet.require_editable()
    phases = [phase for phase in Phase.values if phase in set(phases)]
    criteria = [c for c in sheet.template.criteria.all() if not phases or c.phase in phases]
    if not criteria:
        raise DrillError(_("No criterion of the evaluation template falls in those phases."))
    keep = {criterion.pk for criterion in criteria}
    dropped = sheet.results.exclude(criterion_id__in=keep)
    if dropped.filter(Q(level__isnull=False) | Q(points__isnull=False)).exists():
        raise DrillError(
            _("The evaluator has already rated criteria outside those phases; keep them.")
        )
    dropped.delete()
    existing = set(sheet.results.values_list("criterion_id", flat=True))
    CriterionResult.objects.bulk_create(
        [CriterionResult(sheet=sheet, criterion=c) for c in criteria if c.pk not in existing]
    )
    sheet.department = department
    sheet.phases = phases
    _validate(sheet)
    sheet.save(update_fields=["department", "phases"])
    log(sheet, "wagtail.edit", user=acting_user)
    return sheet


def sheet_ratings(results) -> dict:
    """A sheet's ratings as the audit trail keeps them: criterion → level code or points."""
    ratings = {}
    for result in results:
        criterion = result.criterion
        key = f"{criterion.sort_order}. {criterion.text[:60]}"
        if result.points is not None:
            ratings[key] = audit.plain(result.points)
        elif result.level_id is not None:
            ratings[key] = result.level.code
        else:
            ratings[key] = None
    return ratings


def _sheet_results(sheet):
    return list(
        sheet.results.select_related("level", "criterion").order_by("criterion__sort_order")
    )


@_refreshes_portal
@transaction.atomic
def sheet_submit(*, sheet: EvaluationSheet) -> EvaluationSheet:
    """Submit a sheet. A sheet reopened after submission is audited again on resubmission,
    with the ratings it had when reopened as ``before`` and the reopening's reason."""
    results = _sheet_results(sheet)
    resubmission = sheet.submitted_at is not None
    sheet.submit(results)
    sheet.save(update_fields=["status", "submitted_at"])
    before, reason = None, _("Submitted by the evaluator")
    if resubmission:
        reopened = (
            ModelLogEntry.objects.for_instance(sheet)
            .filter(action="drills.sheet_reopened")
            .order_by("-timestamp", "-pk")
            .first()
        )
        if reopened is not None:
            before = {"ratings": (reopened.data.get("before") or {}).get("ratings")}
            reason = reopened.data.get("reason") or reason
    audit.record(
        sheet,
        "drills.sheet_submitted",
        user=sheet.evaluator.user,
        before=before,
        after={"ratings": sheet_ratings(results)},
        reason=reason,
        department=sheet.department,
    )
    return sheet


@_refreshes_portal
@transaction.atomic
def sheet_reopen(*, sheet: EvaluationSheet, reason: str, acting_user=None) -> EvaluationSheet:
    """Return a submitted sheet to its evaluator for changes (a coordinator, with a reason).

    The ratings it had are kept in the audit entry; its resubmission is audited against them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DrillError(_("Say why the sheet is reopened."))
    sheet = (
        EvaluationSheet.objects.select_for_update()
        .select_related("drill", "department")
        .get(pk=sheet.pk)
    )
    if not sheet.is_submitted:
        raise DrillError(_("Only a submitted sheet can be reopened."))
    if sheet.drill.status not in EDITABLE_DRILL_STATUSES:
        raise DrillError(_("This drill's evaluation is finished."))
    results = _sheet_results(sheet)
    sheet.status = EvaluationSheet.Status.DRAFT
    sheet.save(update_fields=["status"])
    audit.record(
        sheet,
        "drills.sheet_reopened",
        user=acting_user,
        before={"status": EvaluationSheet.Status.SUBMITTED, "ratings": sheet_ratings(results)},
        after={"status": sheet.status},
        reason=reason,
        department=sheet.department,
    )
    return sheet


@transaction.atomic
def template_new_version(*, template: EvaluationTemplate, acting_user=None) -> EvaluationTemplate:
    """Copy a template into its next version (sheets keep the version they were filled on)."""
    latest = (
        EvaluationTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))["v"] or 0
    )
    criteria = list(template.criteria.all())
    copy = EvaluationTemplate.objects.create(
        code=template.code,
        version=latest + 1,
        name=template.name,
        organised_by=template.organised_by,
        description=template.description,
    )
    TemplateCriterion.objects.bulk_create(
        [
            TemplateCriterion(
                template=copy,
                sort_order=c.sort_order,
                text=c.text,
                guidance=c.guidance,
                phase=c.phase,
                capability=c.capability,
                exercise_role=c.exercise_role,
                weight=c.weight,
                scale_id=c.scale_id,
            )
            for c in criteria
        ]
    )
    log(copy, "wagtail.create", user=acting_user)
    return copy


# --- findings and corrective actions ----------------------------------------------------------


@transaction.atomic
def finding_record(
    *,
    drill: Drill,
    kind: str,
    title: str,
    grade: str = "",
    description: str = "",
    criteria=(),
    responsible_department=None,
    recurrence_of=None,
    recorded_by=None,
) -> Finding:
    if drill.status == Drill.Status.PLANNED:
        raise DrillError(_("Findings are recorded once the drill has been conducted."))
    if drill.status == Drill.Status.CLOSED:
        raise DrillError(_("This drill is closed."))
    finding = Finding(
        drill=drill,
        kind=kind,
        grade=grade,
        title=title,
        description=description,
        responsible_department=responsible_department,
        recurrence_of=recurrence_of,
        created_by=recorded_by,
    )
    _validate(finding)
    finding.save()
    criteria = list(criteria)
    if any(c.template_id != drill.template_id for c in criteria):
        raise DrillError(_("Link criteria of this drill's evaluation template."))
    finding.criteria.set(criteria)
    log(finding, "wagtail.create", user=getattr(recorded_by, "user", None))
    return finding


@_refreshes_portal
@transaction.atomic
def action_create(
    *,
    finding: Finding,
    description: str,
    element: str,
    owner,
    course_code: str = "",
    department=None,
    start_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    created_by=None,
) -> CorrectiveAction:
    """Create a corrective action; the due date defaults from the finding's grade (a setting)."""
    if finding.kind != Finding.Kind.IMPROVEMENT:
        raise DrillError(_("Corrective actions answer areas for improvement, not strengths."))
    start_date = start_date or timezone.localdate()
    action = CorrectiveAction(
        finding=finding,
        description=description,
        element=element,
        owner=owner,
        course_code=course_code.strip(),
        department=department or finding.responsible_department or owner.department,
        start_date=start_date,
        due_date=due_date or CorrectiveAction.default_due_date(finding.grade, start_date),
    )
    _validate(action)
    action.save()
    ActionLogEntry.objects.create(
        action=action,
        by=created_by,
        to_status=action.status,
        note=_("Action created."),
    )
    log(action, "wagtail.create", user=getattr(created_by, "user", None))
    if action.element == CorrectiveAction.Element.TRAINING:
        for fn in hooks.get_hooks(TRAINING_ACTION_HOOK):
            transaction.on_commit(lambda fn=fn: fn(action))
    return action


#: What an administrator may change on an action after it was created (the rest follows its
#: status moves: start, submit, verify, reject).
ACTION_EDITABLE_FIELDS = ("description", "owner", "department", "start_date", "due_date")


@_refreshes_portal
@transaction.atomic
def action_update(*, action: CorrectiveAction, acting_user=None, reason: str = "", **fields):
    """Reword, reassign or reschedule an unfinished action: the change is validated, noted in
    the action's progress log and written to the audit trail (who moved the due date, and
    from when to when), in one entry."""
    unknown = set(fields) - set(ACTION_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    if action.is_finished:
        raise DrillError(_("This action is finished."))
    before = {name: _audit_value(getattr(action, name)) for name in fields}
    for name, value in fields.items():
        setattr(action, name, value)
    after = {name: _audit_value(getattr(action, name)) for name in fields}
    changed = [name for name in fields if before[name] != after[name]]
    if not changed:
        return action
    _validate(action)
    action.save(update_fields=changed)
    labels = ", ".join(str(CorrectiveAction._meta.get_field(name).verbose_name) for name in changed)
    ActionLogEntry.objects.create(
        action=action,
        by=getattr(acting_user, "employee", None),
        note=_("Changed: %(fields)s.") % {"fields": labels},
    )
    audit.record(
        action,
        "drills.action_changed",
        user=acting_user,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        reason=reason,
        employee=action.owner,
    )
    return action


def _audit_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@_refreshes_portal
@transaction.atomic
def action_delete(*, action: CorrectiveAction, acting_user=None) -> None:
    """Delete an action entered by mistake: only while nothing has happened to it yet (still
    open, no progress beyond its creation). Later it is sent back or closed, never deleted."""
    if action.status != CorrectiveAction.Status.OPEN or action.log.count() > 1:
        raise DrillError(
            _(
                "This action already has progress and cannot be deleted; send it back "
                "(reject) or close it instead."
            )
        )
    log(action, "wagtail.delete", user=acting_user)
    action.log.all().delete()
    action.delete()


def _log_move(action, previous, by, note=""):
    ActionLogEntry.objects.create(
        action=action, by=by, from_status=previous, to_status=action.status, note=note
    )
    log(action, "drills.action_status", user=getattr(by, "user", None))


@_refreshes_portal
@transaction.atomic
def action_start(*, action: CorrectiveAction, by, note: str = "") -> CorrectiveAction:
    previous = action.start(by=by)
    action.save(update_fields=["status"])
    _log_move(action, previous, by, note)
    return action


@_refreshes_portal
@transaction.atomic
def action_submit(*, action: CorrectiveAction, by, note: str) -> CorrectiveAction:
    if not note.strip():
        raise DrillError(_("Describe what was done."))
    previous = action.submit_for_verification(by=by)
    action.save(update_fields=["status"])
    _log_move(action, previous, by, note.strip())
    return action


def _action_state(action) -> dict:
    return {
        "status": action.status,
        "verified_by": action.verified_by,
        "method": action.verification_method,
        "result": action.verification_result,
    }


def _audit_action(action, name, before, by, reason):
    audit.record(
        action,
        name,
        user=getattr(by, "user", None),
        before=before,
        after=_action_state(action),
        reason=reason,
        employee=action.owner,
    )


@_refreshes_portal
@transaction.atomic
def action_verify(
    *, action: CorrectiveAction, by, method: str, result: str, passed: bool = True
) -> CorrectiveAction:
    before = _action_state(action)
    previous = action.verify(by=by, method=method, result=result, passed=passed)
    action.save()
    _log_move(action, previous, by, result.strip())
    _audit_action(action, "drills.action_verified", before, by, result.strip())
    return action


@_refreshes_portal
@transaction.atomic
def action_reject(*, action: CorrectiveAction, by, reason: str) -> CorrectiveAction:
    before = _action_state(action)
    previous = action.reject(reason=reason)
    action.save(update_fields=["status", "rejection_reason"])
    _log_move(action, previous, by, reason.strip())
    _audit_action(action, "drills.action_rejected", before, by, reason.strip())
    return action


@transaction.atomic
def action_note(*, action: CorrectiveAction, by, note: str) -> ActionLogEntry:
    """A progress note without a status change."""
    if action.is_finished:
        raise DrillError(_("This action is finished."))
    if not note.strip():
        raise DrillError(_("Write a note."))
    return ActionLogEntry.objects.create(action=action, by=by, note=note.strip())


def actions_remind_overdue(*, today: datetime.date | None = None) -> int:
    """E-mail the owners of overdue actions (at most once per reminder interval)."""
    today = today or timezone.localdate()
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DRILLS_REMINDER_INTERVAL_DAYS)
    actions = (
        CorrectiveAction.objects.overdue(today)
        .exclude(last_reminded_at__gt=cutoff)
        .exclude(owner__email="")
        .select_related("owner", "finding__drill")
    )
    sent = 0
    for action in actions:
        url = settings.WAGTAILADMIN_BASE_URL + reverse("drills:action", args=[action.pk])
        send_mail(
            _("Overdue corrective action: %(action)s") % {"action": action},
            _(
                "%(name)s,\n\nThe corrective action “%(action)s” from the drill “%(drill)s” was "
                "due on %(due)s and is not finished yet.\n\nUpdate it here: %(url)s\n"
            )
            % {
                "name": action.owner.name,
                "action": action.description,
                "drill": action.finding.drill.title,
                "due": action.due_date.isoformat(),
                "url": url,
            },
            None,
            [action.owner.email],
        )
        action.last_reminded_at = now
        action.save(update_fields=["last_reminded_at"])
        sent += 1
    return sent
