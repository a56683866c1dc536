"""A drill's life: schedule, update, record as conducted, evaluated, closed; self-assessment."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import (
    CriterionResult,
    Drill,
    DrillError,
    DrillParticipant,
    EvaluationSheet,
    ExerciseRole,
)
from ._common import _refreshes_portal, _validate
from .plans import plan_current_revision

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
