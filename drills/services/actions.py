"""Findings and corrective actions: record, create, edit, delete, their status moves and notes,
and reminders of overdue ones."""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.log_actions import log

from lms import audit
from lms.hooks import TRAINING_ACTION_HOOK

from ..models import (
    ActionLogEntry,
    CorrectiveAction,
    Drill,
    DrillError,
    Finding,
)
from ._common import _refreshes_portal, _validate

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
    if not drill.records_findings:
        if not drill.is_held:
            raise DrillError(_("Findings are recorded once the drill has been conducted."))
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
    if not finding.drill.records_findings:
        raise DrillError(_("This drill is closed."))
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


def _log_move(action, previous, by, note="", *, audited: str = "", before=None):
    """A status move: a line in the action's progress log (what its owner reads) and one trail
    entry, the audit entry ``audited`` where the move is audited (a verification, a rejection:
    before and after, the reason), else Wagtail's ``drills.action_status``."""
    ActionLogEntry.objects.create(
        action=action, by=by, from_status=previous, to_status=action.status, note=note
    )
    user = getattr(by, "user", None)
    if not audited:
        log(action, "drills.action_status", user=user)
        return
    audit.record(
        action,
        audited,
        user=user,
        before=before,
        after=_action_state(action),
        reason=note,
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
    _log_move(action, previous, by, result.strip(), audited="drills.action_verified", before=before)
    return action


@_refreshes_portal
@transaction.atomic
def action_reject(*, action: CorrectiveAction, by, reason: str) -> CorrectiveAction:
    before = _action_state(action)
    previous = action.reject(reason=reason)
    action.save(update_fields=["status", "rejection_reason"])
    _log_move(action, previous, by, reason.strip(), audited="drills.action_rejected", before=before)
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
    """Remind the owners of overdue actions (at most once per reminder interval) through the
    notification service (inbox and e-mail unless they chose otherwise; webhooks follow)."""
    from lms.notifications.services import emit

    from ..notifications import ACTION_OVERDUE, ActionOverdue

    today = today or timezone.localdate()
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DRILLS_REMINDER_INTERVAL_DAYS)
    actions = (
        CorrectiveAction.objects.overdue(today)
        .exclude(last_reminded_at__gt=cutoff)
        .select_related("owner", "finding__drill")
    )
    sent = 0
    for action in actions:
        emit(
            ACTION_OVERDUE,
            ActionOverdue(
                action_id=action.pk,
                action=action.description,
                drill=action.finding.drill.title,
                owner_number=action.owner.number,
                owner=action.owner.name,
                due_date=action.due_date,
            ),
            recipients=[action.owner],
        )
        action.last_reminded_at = now
        action.save(update_fields=["last_reminded_at"])
        sent += 1
    return sent
