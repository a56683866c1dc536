"""Grading by hand and regrading after a key correction; results and certificates follow."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit

from ..models import (
    Attempt,
    AttemptError,
    AttemptItem,
    Exam,
    Question,
)
from .attempts import _announce_result, attempt_state
from .certificates import certificate_sync


@transaction.atomic
def item_grade(
    *, item: AttemptItem, score, comment: str = "", reason: str = "", grader=None, now=None
):
    """A person grades a short answer or essay; the attempt is totalled when none is left.

    Changing a score already given needs a reason (the comment serves when there is one).
    """
    now = now or timezone.now()
    item = (
        AttemptItem.objects.select_for_update()
        .select_related("attempt__exam", "attempt__employee__department")
        .get(pk=item.pk)
    )
    attempt = item.attempt
    if attempt.is_open:
        raise AttemptError(_("An attempt is graded only after it is submitted."))
    score = Decimal(str(score))
    if score < 0 or score > item.points:
        raise ValidationError(
            {"score": _("The score must be between 0 and %(max)s.") % {"max": item.points}}
        )
    old = item.score
    reason = (reason or comment or "").strip()
    if old is not None and old != score and not reason:
        raise ValidationError(
            {"comment": _("Say why the score of an answer already graded changes.")}
        )
    before = {"item_score": old, **attempt_state(attempt)}
    item.score = score
    item.comment = comment
    item.grader = grader
    item.graded_at = now
    item.save(update_fields=["score", "comment", "grader", "graded_at"])
    was_graded = attempt.status == Attempt.Status.GRADED
    was_passed = attempt.passed if was_graded else None
    attempt.total(list(attempt.items.all()), now=now)
    audit.record(
        attempt,
        "assessments.item_graded",
        user=grader,
        before=before,
        after={"item_score": score, **attempt_state(attempt)},
        reason=reason or _("Graded by hand"),
        employee=attempt.employee,
        extra={"item": item.pk},
    )
    if attempt.status == Attempt.Status.GRADED:
        certificate_sync(attempt=attempt, was_graded=was_graded, acting_user=grader)
        _announce_result(attempt, was_passed=was_passed)
    return item


@transaction.atomic
def exam_regrade(*, exam: Exam, question: Question | None = None, acting_user=None) -> int:
    """Regrade every submitted attempt of the exam after a key correction.

    The corrected key (the current answer of ``question``, or of every question when none is
    given) replaces the one in the attempts' snapshots; results and certificates follow; each
    changed score is written to the audit log. Returns the number of attempts whose score changed.
    """
    attempts = list(
        Attempt.objects.filter(exam=exam).select_related("exam", "employee__department")
    )
    # Open attempts get the corrected key too (so they are graded right when submitted).
    items = list(AttemptItem.objects.filter(attempt__in=attempts).order_by("attempt", "position"))
    # The key is the answer and, for choices, the option weights.
    if question is not None:
        keys = {question.pk: (question.answer, question.weights)}
    else:  # every question's current key in the bank
        keys = {
            pk: (answer, weights)
            for pk, answer, weights in Question.objects.filter(
                pk__in={i.question_id for i in items}
            ).values_list("pk", "answer", "weights")
        }
    by_attempt: dict[int, list[AttemptItem]] = {}
    changed_keys = []
    for item in items:
        if item.question_id in keys:
            answer, weights = keys[item.question_id]
            key = {"answer": answer, "weights": list(weights or [])}
            if key != {
                "answer": item.snapshot["answer"],
                "weights": item.snapshot.get("weights", []),
            }:
                item.snapshot = {**item.snapshot, **key}
                changed_keys.append(item)
        by_attempt.setdefault(item.attempt_id, []).append(item)
    if changed_keys:
        AttemptItem.objects.bulk_update(changed_keys, ["snapshot"])
    reason = (
        _("Answer key of question %(question)s corrected") % {"question": question.pk}
        if question is not None
        else _("Answer keys corrected from the question bank")
    )
    entries = []
    for attempt in attempts:
        if attempt.is_open:
            continue
        before = attempt_state(attempt)
        was_graded = attempt.status == Attempt.Status.GRADED
        was_passed = attempt.passed if was_graded else None
        attempt.grade(items=by_attempt.get(attempt.pk, []))
        after = attempt_state(attempt)
        if (before["score"], before["passed"]) != (after["score"], after["passed"]):
            entries.append(
                audit.Entry(
                    attempt,
                    "assessments.regraded",
                    user=acting_user,
                    before=before,
                    after=after,
                    reason=reason,
                    employee_id=attempt.employee_id,
                    department_id=attempt.employee.department_id,
                    department_path=attempt.employee.department.path,
                    extra={"question": question.pk if question else None},
                )
            )
        if attempt.status == Attempt.Status.GRADED:
            certificate_sync(
                attempt=attempt, was_graded=was_graded, acting_user=acting_user, reason=reason
            )
            _announce_result(attempt, was_passed=was_passed)
    audit.record_many(entries)
    return len(entries)
