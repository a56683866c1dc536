"""An attempt's life: start, autosave, submit (graded at once) and submission when time is up."""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit

from ..models import (
    Attempt,
    AttemptError,
    AttemptItem,
    Exam,
    QuestionType,
)
from ..models.questions import CHOICE_TYPES, UNSCORED_TYPES
from .certificates import certificate_issue_for
from .draw import exam_draw, snapshot_question
from .exams import exam_override_for
from .papers import paper_take


def attempt_start(*, exam: Exam, employee, now=None, rng=None) -> Attempt:
    """Start an attempt, or return the employee's open one.

    The database allows one open attempt per employee and exam; a second, simultaneous start
    hits that constraint and returns the attempt the first one made.
    """
    now = now or timezone.now()
    # A caller that brings its own random source wants the draw it makes; otherwise the
    # start takes a paper drawn ahead (services.papers) when the exam has a pool.
    ahead = rng is None
    rng = rng or random.SystemRandom()
    # One read of the employee's attempts gives the open one, the count and the next number;
    # the database constraints settle a race with a simultaneous start (see below).
    taken = list(Attempt.objects.filter(exam=exam, employee=employee).select_related("exam"))
    existing = next((attempt for attempt in taken if attempt.is_open), None)
    if existing is not None:
        return attempt_refresh(attempt=existing, now=now)
    if not exam.is_open(now):
        raise AttemptError(_("This exam is not open now."))
    if not exam.is_for(employee):
        raise AttemptError(_("This exam is not meant for you."))
    override = exam_override_for(exam, employee)
    allowed = exam.attempts_allowed(override)
    if allowed and len(taken) >= allowed:
        raise AttemptError(_("You have used all your attempts at this exam."))
    try:
        with transaction.atomic():
            paper = paper_take(exam) if ahead else None
            if paper is not None:
                items = [
                    AttemptItem(
                        question_id=item["question"],
                        question_version=item["version"],
                        snapshot=item["snapshot"],
                    )
                    for item in paper
                ]
            else:
                items = [
                    AttemptItem(
                        question=question,
                        question_version=question.version,
                        snapshot=snapshot_question(
                            question, points, shuffle_options=exam.shuffle_options, rng=rng
                        ),
                    )
                    for question, points in exam_draw(exam, rng=rng)
                ]
            if not items:
                raise AttemptError(_("This exam has no questions yet."))
            number = max((attempt.number for attempt in taken), default=0) + 1
            attempt = Attempt.objects.create(
                exam=exam,
                employee=employee,
                number=number,
                started_at=now,
                deadline=exam.deadline_for(now, override),
            )
            for index, item in enumerate(items, 1):
                item.attempt = attempt
                item.position = index
            AttemptItem.objects.bulk_create(items)
            audit.log_entry(attempt, "assessments.attempt_started", user=employee.user)
    except IntegrityError:
        existing = Attempt.objects.open().filter(exam=exam, employee=employee).first()
        if existing is None:
            raise AttemptError(_("The attempt could not be started; please try again.")) from None
        return existing
    return attempt


def _storable(value) -> bool:
    """Text a database can hold: PostgreSQL's jsonb takes no NUL and no lone surrogate."""
    if not isinstance(value, str):
        return True
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _validate_response(item: AttemptItem, response):
    kind = item.snapshot["type"]
    if response is None:
        return None
    values = response if isinstance(response, list) else [response]
    if not all(_storable(value) for value in values):
        raise AttemptError(_("The answer contains characters that cannot be stored."))
    if kind in CHOICE_TYPES:
        keys = {option["key"] for option in item.snapshot["options"]}
        values = response if isinstance(response, list) else [response]
        if not all(isinstance(v, str) and v in keys for v in values):
            raise AttemptError(_("That answer is not one of the options."))
        return sorted(set(values))
    if kind == QuestionType.TRUE_FALSE:
        if not isinstance(response, bool):
            raise AttemptError(_("Answer true or false."))
        return response
    if kind == QuestionType.MATCHING:
        choices = set(item.snapshot.get("choices", [])) | {""}
        if (
            not isinstance(response, list)
            or len(response) > len(item.snapshot.get("prompts", []))
            or not all(isinstance(v, str) and v in choices for v in response)
        ):
            raise AttemptError(_("That answer is not one of the choices."))
        return response
    if kind in UNSCORED_TYPES:
        raise AttemptError(_("This item takes no answer."))
    if kind == QuestionType.FILL:
        values = response if isinstance(response, list) else [response]
        if len(values) > item.snapshot.get("blanks", 1) or not all(
            isinstance(v, str) and len(v) <= 500 for v in values
        ):
            raise AttemptError(_("That answer does not fit the blanks."))
        return values
    if not isinstance(response, str) or len(response) > 20000:
        raise AttemptError(_("The answer is too long."))
    return response


@dataclass
class SaveOutcome:
    """What one autosave did: ``saved`` maps each stored item to its sequence number now;
    ``stale`` lists the items whose save came after another device's, with what is stored."""

    saved: dict[int, int] = field(default_factory=dict)
    stale: list[dict] = field(default_factory=list)


def attempt_save_answers(*, attempt: Attempt, answers: list[dict], now=None) -> SaveOutcome:
    """Save a batch of ``{"item": id, "response": …, "seq": n}`` (at most one per item).

    Idempotent and ordered by the server's sequence numbers: a retried or late request never
    overwrites a newer answer, and is reported stale with the stored answer. Refused
    (AttemptError) once the deadline and the grace period have passed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the attempt: a submit waits for this save to commit (and so grades it), or a
        # save that comes after a submit sees it and is refused rather than acknowledged.
        locked, items = _lock_with_items(answers, pk=attempt.pk)
        attempt.status = locked.status
        return _save_answers(attempt, answers, now, items)


def attempt_save_own_answers(*, user, pk, answers: list[dict], now=None):
    """Autosave's hot path: ``user``'s own attempt ``pk`` is locked and the answered items read
    in one query, then each answer is one UPDATE; neither the exam nor the employee is read.
    Returns ``(attempt, SaveOutcome)``; raises Attempt.DoesNotExist when the attempt is not
    the user's, and AttemptError as ``attempt_save_answers`` does.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt, items = _lock_with_items(answers, pk=pk, employee__user=user)
        return attempt, _save_answers(attempt, answers, now, items)


def _answer_ids(answers: list[dict]) -> list[int]:
    """The item ids a batch names, refused before any query when the batch is malformed, names
    an item twice or is larger than ``ASSESSMENTS_SAVE_MAX_ANSWERS``."""
    if len(answers) > settings.ASSESSMENTS_SAVE_MAX_ANSWERS:
        raise AttemptError(
            _("Too many answers in one save: at most %(count)s are accepted.")
            % {"count": settings.ASSESSMENTS_SAVE_MAX_ANSWERS}
        )
    ids = []
    for answer in answers:
        item = answer.get("item") if isinstance(answer, dict) else None
        # An id is a positive 64-bit integer: anything else names no item (and a larger int
        # would overflow the database driver instead of being refused).
        if not isinstance(item, int) or isinstance(item, bool) or not 0 < item < 2**63:
            raise AttemptError(_("That question is not part of this attempt."))
        ids.append(item)
    if len(set(ids)) != len(ids):
        raise AttemptError(_("Each question may be sent only once in a save."))
    return ids


def _lock_with_items(answers: list[dict], **lookup):
    """Lock the attempt ``lookup`` finds and read the items ``answers`` name, in one query;
    returns ``(attempt, {item id: item})``. Raises Attempt.DoesNotExist, and AttemptError for a
    malformed batch (before any query).

    The items come from the snapshot the locking query started with, so a save that waited for
    the lock may see an item's older sequence number; the UPDATE's own ``seq < new`` condition
    keeps the newer answer then (``Attempt.save_answer``).
    """
    ids = _answer_ids(answers)
    items = list(
        AttemptItem.objects.filter(pk__in=ids, **{f"attempt__{k}": v for k, v in lookup.items()})
        .select_related("attempt")
        .only("attempt", "snapshot", "response", "seq", "attempt__status", "attempt__deadline")
        .select_for_update(of=("attempt",))
        .order_by()
    )
    if items:
        return items[0].attempt, {item.pk: item for item in items}
    # Nothing (or nothing of this attempt) answered: the attempt alone decides.
    attempt = Attempt.objects.select_for_update(of=("self",)).only("pk", "status", "deadline")
    return attempt.get(**lookup), {}


def _save_answers(attempt: Attempt, answers: list[dict], now, items) -> SaveOutcome:
    attempt.check_can_save(now)
    if len(items) != len(answers):
        raise AttemptError(_("That question is not part of this attempt."))
    outcome = SaveOutcome()
    for answer in answers:
        item = items[answer["item"]]
        response = _validate_response(item, answer.get("response"))
        if attempt.save_answer(item, response, answer.get("seq"), now=now):
            outcome.saved[item.pk] = item.seq
        else:
            outcome.stale.append({"item": item.pk, "seq": item.seq, "response": item.response})
    return outcome


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now=None, auto=False) -> Attempt:
    """Submit and grade. A second (or simultaneous) submit grades nothing again."""
    now = now or timezone.now()
    if not attempt.mark_submitted(now=now, auto=auto):
        attempt.refresh_from_db()
        return attempt
    attempt.grade(now=now)
    user = None if auto else attempt.employee.user
    audit.record(
        attempt,
        "assessments.attempt_submitted",
        user=user,
        before={"status": Attempt.Status.IN_PROGRESS},
        after=attempt_state(attempt),
        reason=_("Time ran out: submitted and graded automatically")
        if auto
        else _("Submitted by the candidate"),
        employee=attempt.employee,
        extra={"auto": auto},
    )
    if attempt.status == Attempt.Status.GRADED:
        certificate_issue_for(attempt=attempt, acting_user=user)
        _announce_result(attempt)
    return attempt


def _announce_result(attempt: Attempt, *, was_passed=None):
    """Tell the candidate (and webhooks) a formal exam's outcome: once when it is first graded,
    and again only when a later grading changes it."""
    from lms.notifications.services import emit_later

    from ..notifications import EXAM_FAILED, EXAM_PASSED, exam_result

    if attempt.exam.kind != Exam.Kind.FORMAL or attempt.status != Attempt.Status.GRADED:
        return
    if was_passed is not None and bool(was_passed) == bool(attempt.passed):
        return
    kind = EXAM_PASSED if attempt.passed else EXAM_FAILED
    emit_later(
        kind,
        exam_result(attempt),
        recipients=[attempt.employee],
        dedupe_key=f"{kind}:{attempt.pk}:{attempt.score}",
    )


def attempt_state(attempt: Attempt) -> dict:
    """What the audit trail keeps of an attempt's result."""
    return {
        "status": attempt.status,
        "score": attempt.score,
        "percent": attempt.percent,
        "passed": attempt.passed,
    }


def attempt_refresh(*, attempt: Attempt, now=None) -> Attempt:
    """Submit an attempt whose time is up (called on every access)."""
    now = now or timezone.now()
    if (
        attempt.is_open
        and attempt.deadline is not None
        and now > attempt.deadline + Attempt.grace()
    ):
        return attempt_submit(attempt=attempt, now=now, auto=True)
    return attempt


def attempts_submit_overdue(*, now=None, progress=None) -> int:
    """Submit every attempt past its deadline and grace period (the scheduled task);
    ``progress(done, total)`` is told after each attempt."""
    now = now or timezone.now()
    overdue = list(
        Attempt.objects.overdue(now - Attempt.grace()).select_related(
            "exam", "employee__department"
        )
    )
    for done, attempt in enumerate(overdue, 1):
        attempt_submit(attempt=attempt, now=now, auto=True)
        if progress is not None:
            progress(done, len(overdue))
    return len(overdue)
