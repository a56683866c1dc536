"""Evaluation sheets: evidence, results, assignment, submission, reopening, template versions."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import (
    ModelLogEntry,
)

from lms import audit
from lms.uploads import UploadRefused, check_image, stored_name

from ..models import (
    CriterionResult,
    DrillError,
    EvaluationSheet,
    EvaluationTemplate,
    Phase,
    TemplateCriterion,
)
from ..models.evaluation import EDITABLE_DRILL_STATUSES
from ._common import _refreshes_portal, _validate

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


RATING_FIELDS = ("level", "points", "reason")
RESULT_FIELDS = (*RATING_FIELDS, "observation", "observed_at", "photo")


@transaction.atomic
def result_save_fields(*, result: CriterionResult, changes: dict) -> dict[str, list[str]]:
    """Save the given fields of one criterion, each on its own, as the evaluator types.

    ``changes`` maps field names (``RESULT_FIELDS``) to new values; fields left out keep their
    stored value. The rating, its points and its reason are judged together (a rating may need
    a reason); the observation, the time and the photo never wait for them. Returns the refused
    fields with their messages: those keep their stored value, the rest are saved.
    """
    result.sheet.require_editable()
    unknown = set(changes) - set(RESULT_FIELDS)
    if unknown:
        raise ValueError(f"not a result field: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    saved = []
    rating = {name: changes[name] for name in RATING_FIELDS if name in changes}
    if rating:
        stored = (result.level, result.points, result.reason)
        try:
            result.rate(
                level=rating.get("level", result.level),
                points=rating.get("points", result.points),
                reason=rating.get("reason", result.reason),
            )
            saved += ["level", "points", "reason"]
        except DrillError as error:
            result.level, result.points, result.reason = stored
            for name in rating:
                errors[name] = error.messages
    if "observation" in changes:
        result.observation = (changes["observation"] or "").strip()
        saved.append("observation")
    if "observed_at" in changes:
        result.observed_at = changes["observed_at"]
        saved.append("observed_at")
    if changes.get("photo") is not None:
        try:
            validate_evidence(changes["photo"])
            result.photo = changes["photo"]
            saved.append("photo")
        except DrillError as error:
            errors["photo"] = error.messages
    if saved:
        try:
            result.full_clean(exclude=[f for f in RESULT_FIELDS if f not in saved])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            # A field the model refuses is not stored; the others still are.
            saved = [name for name in saved if name not in error.message_dict]
            result.refresh_from_db(fields=[f for f in RESULT_FIELDS if f not in saved])
        if saved:
            result.save(update_fields=[*saved, "updated_at"])
    return errors


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
def template_save(*, template: EvaluationTemplate, acting_user=None) -> EvaluationTemplate:
    """Save a template edited as a whole in the admin (its criteria and their levels, which its
    form holds in memory until ``save()`` commits them together): validated, refused once an
    evaluation sheet uses the version (make a new one), one log entry."""
    created = template.pk is None
    if template.in_use:
        raise DrillError(
            _(
                "This version is used by evaluation sheets and cannot change; create a new "
                "version instead."
            )
        )
    _validate(template)
    template.save()
    log(template, "wagtail.create" if created else "wagtail.edit", user=acting_user)
    return template


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
