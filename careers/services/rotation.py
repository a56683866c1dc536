"""Job rotation: programmes, placing an employee, starting, cancelling, the end-of-rotation
evaluation and changing it afterwards (audited)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms import audit
from lms.models import Employee
from lms.roles import Role, has_role

from ..models import (
    CareersError,
    RotationAssignment,
    RotationObjective,
    RotationProgramme,
    management_line_ids,
)
from ._common import _save


@transaction.atomic
def rotation_programme_create(*, name, start, end, description="", acting_user=None):
    programme = _save(RotationProgramme(name=name, start=start, end=end, description=description))
    log(programme, "wagtail.create", user=acting_user)
    return programme


@transaction.atomic
def rotation_assign(
    *,
    programme,
    employee,
    to_department,
    to_position,
    start,
    end,
    mentor=None,
    objectives=(),
    acting_user=None,
):
    """Place an employee on a rotation; refuses overlaps and dates outside their employment."""
    # Lock the employee's row so two concurrent assignments cannot both pass the overlap check.
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    assignment = RotationAssignment(
        programme=programme,
        employee=employee,
        from_department=employee.department,
        from_position=employee.position,
        to_department=to_department,
        to_position=to_position,
        start=start,
        end=end,
        mentor=mentor,
    )
    assignment.full_clean()
    overlapping = (
        RotationAssignment.objects.blocking()
        .filter(employee=employee, start__lte=end, end__gte=start)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start": _("%(name)s is already on a rotation from %(start)s to %(end)s.")
                % {
                    "name": employee.name,
                    "start": overlapping.start.isoformat(),
                    "end": overlapping.end.isoformat(),
                }
            }
        )
    assignment.save()
    RotationObjective.objects.bulk_create(
        [RotationObjective(assignment=assignment, description=text) for text in objectives if text]
    )
    log(assignment, "wagtail.create", user=acting_user)
    return assignment


@transaction.atomic
def rotation_start(*, assignment, acting_user=None):
    assignment.activate()
    assignment.save(update_fields=["status"])
    log(assignment, "wagtail.edit", user=acting_user)
    return assignment


@transaction.atomic
def rotation_cancel(*, assignment, acting_user=None):
    assignment.cancel()
    assignment.save(update_fields=["status"])
    log(assignment, "wagtail.edit", user=acting_user)
    return assignment


@transaction.atomic
def rotation_evaluate(*, assignment, evaluator, scores: dict, comment: str = "", acting_user=None):
    """The receiving manager scores each objective (0–100) and completes the rotation.

    ``scores`` maps objective id → (score, comment).
    """
    objectives = list(assignment.objectives.all())
    missing = [o for o in objectives if o.pk not in scores]
    if missing:
        raise ValidationError(
            _("Score every objective; missing: %(names)s")
            % {"names": "、".join(o.description for o in missing)}
        )
    before = _rotation_state(assignment, objectives)
    assignment.complete(evaluator)
    _score_objectives(objectives, scores)
    RotationObjective.objects.bulk_update(objectives, ["score", "comment"])
    assignment.evaluation_comment = comment
    assignment.save(update_fields=["status", "evaluated_by", "evaluated_at", "evaluation_comment"])
    audit.record(
        assignment,
        "careers.rotation_evaluated",
        user=acting_user,
        before=before,
        after=_rotation_state(assignment, objectives),
        reason=comment or _("End-of-rotation evaluation"),
        employee=assignment.employee,
    )
    return assignment


def _rotation_state(assignment, objectives) -> dict:
    return {
        "status": assignment.status,
        "scores": {o.description: o.score for o in objectives},
        "evaluation_comment": assignment.evaluation_comment,
    }


def _score_objectives(objectives, scores):
    for objective in objectives:
        score, note = scores[objective.pk]
        score = Decimal(score)
        if not Decimal(0) <= score <= Decimal(100):
            raise ValidationError({"score": _("Scores run from 0 to 100.")})
        objective.score, objective.comment = score, note or ""


@transaction.atomic
def rotation_evaluation_change(
    *, assignment, evaluator, scores: dict, comment: str, reason: str, acting_user=None
):
    """Change a completed rotation's evaluation: its evaluator's management line or HR, with a
    reason. ``scores`` maps objective id → (score, comment) for the objectives that change."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the evaluation changes.")})
    assignment = RotationAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != RotationAssignment.Status.COMPLETED:
        raise CareersError(_("Only a completed rotation's evaluation can be changed."))
    user = getattr(evaluator, "user", None)
    if not (
        (evaluator is not None and evaluator.pk in management_line_ids(assignment.to_department))
        or (user is not None and has_role(user, Role.HR))
    ):
        raise CareersError(
            _("Only a manager of the receiving department or HR can change this evaluation.")
        )
    objectives = list(assignment.objectives.all())
    before = _rotation_state(assignment, objectives)
    changing = [o for o in objectives if o.pk in scores]
    _score_objectives(changing, scores)
    RotationObjective.objects.bulk_update(changing, ["score", "comment"])
    assignment.evaluation_comment = comment
    assignment.save(update_fields=["evaluation_comment"])
    after = _rotation_state(assignment, objectives)
    if after != before:
        audit.record(
            assignment,
            "careers.rotation_evaluation_changed",
            user=acting_user,
            before=before,
            after=after,
            reason=reason,
            employee=assignment.employee,
        )
    return assignment
