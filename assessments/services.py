"""Writes of the question bank, exams, attempts, grading and certificates.

Keyword-only, atomic, validated before saving; scores and key corrections leave audit entries
in Wagtail's log (shown on each object's history in the admin).
"""

import functools
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.rich_text import expand_db_html

from lms import audit
from lms.dates import add_months

from .answers import needs_manual_grading
from .models import (
    Attempt,
    AttemptError,
    AttemptItem,
    Certificate,
    Exam,
    ExamOverride,
    Question,
    QuestionCategory,
    QuestionType,
    QuestionVersion,
)
from .models.questions import CHOICE_TYPES, LETTERS, UNSCORED_TYPES
from .notifications import CERTIFICATE_ISSUED, CERTIFICATE_REVOKED

QUESTION_CONTENT_FIELDS = (
    "category",
    "type",
    "name",
    "stem",
    "options",
    "answer",
    "weights",
    "explanation",
    "feedback",
    "difficulty",
    "knowledge_points",
    "points",
)


def text_to_rich_text(text: str) -> str:
    """Plain text (from a spreadsheet) as rich text paragraphs."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


# -- categories -----------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    name: str,
    parent: QuestionCategory | None = None,
    confidential: bool = False,
    acting_user=None,
):
    category = QuestionCategory(name=name.strip(), confidential=confidential)
    category.full_clean(exclude=["path", "depth", "numchild"])
    # The tree's path column holds this many levels (treebeard would fail with PathOverflow).
    deepest = QuestionCategory._meta.get_field("path").max_length // QuestionCategory.steplen
    if parent is not None and parent.depth >= deepest:
        raise ValidationError(
            _("Categories nest at most %(levels)s levels deep.") % {"levels": deepest}
        )
    if parent is None:
        category = QuestionCategory.add_root(instance=category)
    else:
        category = QuestionCategory.objects.get(pk=parent.pk).add_child(instance=category)
    log(category, "wagtail.create", user=acting_user)
    return category


@transaction.atomic
def category_update(*, category: QuestionCategory, name: str, confidential: bool, acting_user=None):
    """Rename a category or flag it as a confidential pool (practice never draws from it)."""
    category.name = name.strip()
    category.confidential = confidential
    category.full_clean(exclude=["path", "depth", "numchild"])
    category.save(update_fields=["name", "confidential"])
    log(category, "wagtail.edit", user=acting_user, data={"confidential": confidential})
    return category


def category_for_path(path: str, *, cache: dict | None = None, acting_user=None):
    """The category at ``path`` (names separated by /), created where missing."""
    names = [part.strip() for part in str(path or "").replace("／", "/").split("/") if part.strip()]
    if not names:
        raise ValidationError(_("The category is missing."))
    cache = {} if cache is None else cache
    parent = None
    for depth in range(1, len(names) + 1):
        key = "/".join(names[:depth])
        category = cache.get(key)
        if category is None:
            # By path, not get_children(): a cached parent's numchild may be stale.
            siblings = QuestionCategory.objects.filter(depth=depth, name=names[depth - 1])
            if parent is not None:
                siblings = siblings.filter(path__startswith=parent.path)
            category = siblings.first() or category_create(
                name=names[depth - 1], parent=parent, acting_user=acting_user
            )
            category._full_path = key
            cache[key] = category
        parent = category
    return parent


# -- questions ------------------------------------------------------------------------------


def _clean_question(question: Question):
    question.options = [str(option).strip() for option in question.options or []]
    question.knowledge_points = [str(k).strip() for k in question.knowledge_points or []]
    question.full_clean(exclude=["created_by"])


@transaction.atomic
def question_create(
    *,
    category: QuestionCategory,
    type: str,
    stem: str,
    options=(),
    answer=None,
    explanation: str = "",
    difficulty: int = 3,
    knowledge_points=(),
    points=Decimal(1),
    is_active: bool = True,
    name: str = "",
    weights=(),
    feedback: dict | None = None,
    acting_user=None,
) -> Question:
    """Add a question to the bank as its version 1."""
    question = Question(
        category=category,
        type=type,
        name=name,
        stem=stem,
        options=list(options),
        answer=[] if answer is None else answer,
        weights=list(weights or []),
        explanation=explanation,
        feedback=dict(feedback or {}),
        difficulty=difficulty,
        knowledge_points=list(knowledge_points),
        points=points,
        is_active=is_active,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _clean_question(question)
    question.save()
    QuestionVersion.objects.create(
        question=question, number=1, content=question.content(), created_by=question.created_by
    )
    log(question, "wagtail.create", user=acting_user)
    return question


@transaction.atomic
def question_update(*, question: Question, acting_user=None, **fields) -> Question:
    """Change a question. A change of content makes a new version; taken attempts keep theirs."""
    before = question.content()
    for name, value in fields.items():
        setattr(question, name, value)
    _clean_question(question)
    if question.content() != before:
        question.version = (
            QuestionVersion.objects.filter(question=question).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        question.save()
        QuestionVersion.objects.create(
            question=question,
            number=question.version,
            content=question.content(),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
    else:
        question.save()
    log(question, "wagtail.edit", user=acting_user, data={"version": question.version})
    return question


@transaction.atomic
def questions_bulk_create(*, questions: list[Question], acting_user=None, batch_size=1000):
    """Save many new (already validated) questions and their first versions in bulk."""
    user = acting_user if getattr(acting_user, "pk", None) else None
    for question in questions:
        question.created_by = user
        question.version = 1
    created = Question.objects.bulk_create(questions, batch_size=batch_size)
    QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(question=q, number=1, content=q.content(), created_by=user)
            for q in created
        ],
        batch_size=batch_size,
    )
    # A bulk write sends no post_save: start a new draw-plan generation ourselves, so an exam
    # started right after an import already draws from the imported questions.
    transaction.on_commit(draw_plan_forget)
    return created


# -- exams ----------------------------------------------------------------------------------


@transaction.atomic
def exam_create(
    *,
    title: str,
    questions=(),
    rules=(),
    departments=(),
    positions=(),
    employees=(),
    acting_user=None,
    **fields,
) -> Exam:
    """Create an exam with fixed ``questions`` (Question or (Question, points)), assembly
    ``rules`` (dicts of AssemblyRule fields) and an audience."""
    from .models import AssemblyRule, ExamQuestion

    exam = Exam(title=title, created_by=acting_user if getattr(acting_user, "pk", None) else None)
    for name, value in fields.items():
        setattr(exam, name, value)
    exam.full_clean(exclude=["created_by"])
    exam.save()
    fixed = []
    for index, entry in enumerate(questions):
        question, points = entry if isinstance(entry, tuple) else (entry, None)
        fixed.append(ExamQuestion(exam=exam, question=question, points=points, sort_order=index))
    ExamQuestion.objects.bulk_create(fixed)
    made_rules = []
    for index, rule_fields in enumerate(rules):
        rule = AssemblyRule(exam=exam, sort_order=index, **rule_fields)
        rule.full_clean(exclude=["exam"])
        made_rules.append(rule)
    AssemblyRule.objects.bulk_create(made_rules)
    exam.audience_departments.set(departments)
    exam.audience_positions.set(positions)
    exam.audience_employees.set(employees)
    exam.save()
    log(exam, "wagtail.create", user=acting_user)
    return exam


DRAW_GENERATION_KEY = "assessments:draw-generation"
DRAW_PLAN_KEY = "assessments:draw-plan:{}"


def exam_draw(exam: Exam, *, rng: random.Random | None = None) -> list[tuple[Question, Decimal]]:
    """The questions of one attempt: the fixed ones, then each rule's draw.

    No question appears twice. Raises AttemptError when a rule cannot be met.
    """
    rng = rng or random.SystemRandom()
    fixed_questions, rule_pools = draw_plan(exam)
    chosen: list[tuple[int, Decimal | None]] = []
    used: set[int] = set()
    for question_id, points in fixed_questions:
        if question_id not in used:
            used.add(question_id)
            chosen.append((question_id, points))
    for rule, candidates in rule_pools:
        pool = [pk for pk in candidates if pk not in used]
        # Practice takes what is left once confidential questions are withheld.
        count = min(rule.count, len(pool)) if exam.is_practice else rule.count
        if len(pool) < count or not count:
            raise AttemptError(
                _(
                    "The question bank cannot fill this exam: the rule “%(rule)s” needs "
                    "%(count)s questions but only %(available)s are available."
                )
                % {"rule": rule, "count": rule.count, "available": len(pool)}
            )
        for pk in rng.sample(pool, count):
            used.add(pk)
            chosen.append((pk, rule.points))
    questions = Question.objects.in_bulk([pk for pk, _points in chosen])
    drawn = [(questions[pk], points or questions[pk].points) for pk, points in chosen]
    if exam.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def draw_plan(exam: Exam):
    """What every attempt of the exam is drawn from: ``([(question id, points)], [(rule,
    [candidate question ids])])``, the fixed questions and each rule's candidates.

    Thousands of examinees starting one exam read the same plan, so it is kept in the cache
    for ``EXAM_DRAW_PLAN_SECONDS`` under the generation of the question bank it was read from.
    Saving or deleting a question, a category, an exam or its rules or fixed questions starts a
    new generation (``draw_plan_forget``), so the next start reads the plan again.
    """
    timeout = settings.EXAM_DRAW_PLAN_SECONDS
    key = DRAW_PLAN_KEY.format(exam.pk)
    generation = None
    if timeout:
        found = cache.get_many([key, DRAW_GENERATION_KEY])
        generation = found.get(DRAW_GENERATION_KEY)
        cached = found.get(key)
        if generation is not None and cached is not None and cached[0] == generation:
            return cached[1]
        if generation is None:
            cache.add(DRAW_GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(DRAW_GENERATION_KEY)
    source = exam.rules_source  # a mock exam draws by its formal exam's plan
    fixed = [(fixed.question_id, fixed.points) for fixed in source.fixed_questions.all()]
    rules = list(source.rules.select_related("category"))
    pools = _candidate_pools(rules)
    if exam.is_practice:
        # A practice quiz gives its answers at once: nothing from a confidential pool.
        kept = confidential_question_ids()
        fixed = [(pk, points) for pk, points in fixed if pk not in kept]
        pools = {rule: [pk for pk in ids if pk not in kept] for rule, ids in pools.items()}
    plan = (fixed, [(rule, pools[rule.pk]) for rule in rules])
    if timeout and generation is not None:
        # Stored under the generation read before the plan: a change made meanwhile has
        # started a newer one, and the next start reads the plan again.
        cache.set(key, (generation, plan), timeout)
    return plan


def draw_plan_forget(**kwargs):
    """Signal receiver (``AssessmentsConfig.ready``): the question bank or an exam's rules
    changed, so every cached draw plan is out of date."""
    cache.set(DRAW_GENERATION_KEY, uuid.uuid4().hex, None)


def exam_pool(exam: Exam) -> set[int]:
    """Every question an attempt of ``exam`` can be given: its fixed questions and each rule's
    candidates."""
    rules = list(exam.rules.select_related("category"))
    pool = set(exam.fixed_questions.values_list("question_id", flat=True))
    for ids in _candidate_pools(rules).values():
        pool.update(ids)
    return pool


def withheld_keys(attempt: Attempt, now=None) -> set[int]:
    """Questions of a finished ``attempt`` whose key its review must not show yet.

    A practice attempt drawn before a pool became confidential (or before a formal exam using
    the question was published) would otherwise show that key as feedback: every confidential
    question is withheld from practice review. A formal exam's review follows its own policy
    for its own questions, but withholds those another formal exam still keeps confidential.
    """
    if attempt.exam.is_practice:
        confidential = confidential_question_ids(now)
    else:
        confidential = confidential_question_ids(now, categories=False, except_exam=attempt.exam)
    if not confidential:
        return set()
    return set(
        AttemptItem.objects.filter(attempt=attempt, question_id__in=confidential).values_list(
            "question_id", flat=True
        )
    )


def confidential_question_ids(now=None, *, categories=True, except_exam=None) -> set[int]:
    """Questions practice must not give away: those in a category flagged confidential (or
    below one) and, with ``ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS`` on, the pool of every
    published formal exam (but ``except_exam``) whose review policy does not yet show its
    answers."""
    from django.db.models import Q

    now = now or timezone.now()
    paths = (
        list(QuestionCategory.objects.filter(confidential=True).values_list("path", flat=True))
        if categories
        else []
    )
    ids: set[int] = set()
    if paths:
        condition = Q()
        for path in paths:
            condition |= Q(category__path__startswith=path)
        ids.update(Question.objects.filter(condition).values_list("pk", flat=True))
    if settings.ASSESSMENTS_CONFIDENTIAL_FORMAL_POOLS:
        formal = Exam.objects.filter(kind=Exam.Kind.FORMAL, is_published=True)
        if except_exam is not None:
            formal = formal.exclude(pk=except_exam.pk)
        for exam in formal:
            if not exam.review_allows(score=False, now=now):
                ids.update(exam_pool(exam))
    return ids


def practice_overlap(exam: Exam) -> list[tuple[Exam, int]]:
    """For the trainer: each practice quiz whose pool shares questions with ``exam``'s, with
    how many (those questions are now withheld from the quiz while they are confidential)."""
    pool = exam_pool(exam)
    if not pool:
        return []
    shared = []
    for practice in Exam.objects.filter(kind=Exam.Kind.PRACTICE).exclude(pk=exam.pk):
        count = len(pool & exam_pool(practice))
        if count:
            shared.append((practice, count))
    return shared


def _candidate_pools(rules) -> dict[int, list[int]]:
    """Each rule's candidate question ids, read in one query for all the rules of an exam."""
    if not rules:
        return {}
    from django.db.models import Q

    condition = Q()
    for rule in rules:
        condition |= rule.candidates_condition()
    rows = (
        Question.objects.active()
        .filter(condition)
        .values_list("pk", "type", "difficulty", "category__path")
        .order_by("pk")
    )
    pools: dict[int, list[int]] = {rule.pk: [] for rule in rules}
    for pk, kind, difficulty, path in rows:
        for rule in rules:
            if rule.admits(kind=kind, difficulty=difficulty, category_path=path):
                pools[rule.pk].append(pk)
    return pools


def snapshot_question(question: Question, points, *, shuffle_options: bool, rng) -> dict:
    options = [{"key": LETTERS[i], "text": text} for i, text in enumerate(question.options or [])]
    if shuffle_options and question.type in CHOICE_TYPES:
        rng.shuffle(options)
    snapshot = {
        "type": question.type,
        "stem": expand_db_html(question.stem),
        "options": options,
        "answer": question.answer,
        "points": str(Decimal(points).quantize(Decimal("0.01"))),
        "explanation": question.explanation,
        "difficulty": question.difficulty,
    }
    if question.type == QuestionType.FILL:
        snapshot["blanks"] = len(question.answer or []) or 1
    if question.weights:
        snapshot["weights"] = list(question.weights)
    if question.feedback:
        snapshot["feedback"] = dict(question.feedback)
    if question.type == QuestionType.MATCHING:
        # The prompts keep their order; the choices (distractors among them) are shuffled.
        snapshot["prompts"] = [prompt for prompt, _choice in question.answer if prompt.strip()]
        choices = sorted({choice for _prompt, choice in question.answer})
        rng.shuffle(choices)
        snapshot["choices"] = choices
    if question.type in UNSCORED_TYPES:
        snapshot["points"] = "0.00"
    return snapshot


@transaction.atomic
def exam_override_set(
    *, exam: Exam, employee, extra_minutes=0, extra_attempts=0, reason="", acting_user=None
) -> ExamOverride:
    """Give one employee more time or more attempts at an exam."""
    override = ExamOverride.objects.filter(exam=exam, employee=employee).first() or ExamOverride(
        exam=exam, employee=employee
    )
    override.extra_minutes = extra_minutes
    override.extra_attempts = extra_attempts
    override.reason = reason
    override.full_clean()
    override.save()
    log(exam, "wagtail.edit", user=acting_user, data={"override_for": employee.pk})
    return override


def exam_override_for(exam: Exam, employee) -> ExamOverride | None:
    return ExamOverride.objects.filter(exam=exam, employee=employee).first()


def attempt_start(*, exam: Exam, employee, now=None, rng=None) -> Attempt:
    """Start an attempt, or return the employee's open one.

    The database allows one open attempt per employee and exam; a second, simultaneous start
    hits that constraint and returns the attempt the first one made.
    """
    now = now or timezone.now()
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
    drawn = exam_draw(exam, rng=rng)
    if not drawn:
        raise AttemptError(_("This exam has no questions yet."))
    try:
        with transaction.atomic():
            number = max((attempt.number for attempt in taken), default=0) + 1
            attempt = Attempt.objects.create(
                exam=exam,
                employee=employee,
                number=number,
                started_at=now,
                deadline=exam.deadline_for(now, override),
            )
            AttemptItem.objects.bulk_create(
                [
                    AttemptItem(
                        attempt=attempt,
                        position=index,
                        question=question,
                        question_version=question.version,
                        snapshot=snapshot_question(
                            question, points, shuffle_options=exam.shuffle_options, rng=rng
                        ),
                    )
                    for index, (question, points) in enumerate(drawn, 1)
                ]
            )
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

    from .notifications import EXAM_FAILED, EXAM_PASSED, exam_result

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


def _announce_certificate(kind: str, certificate: Certificate, reason: str = ""):
    from lms.notifications.services import emit_later

    from .notifications import certificate_news

    emit_later(kind, certificate_news(certificate, reason), recipients=[certificate.employee])


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


# -- certificates ---------------------------------------------------------------------------


def certificate_state(certificate: Certificate) -> dict:
    """What the audit trail keeps of a certificate."""
    return {
        "code": certificate.code,
        "title": certificate.title,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "score": certificate.score,
        "revoked": certificate.revoked,
        "revoked_reason": certificate.revoked_reason,
    }


def certificate_issue_for(*, attempt: Attempt, today: date | None = None, acting_user=None):
    """Issue a certificate for a passed formal exam that awards one."""
    exam = attempt.exam
    if not (attempt.passed and exam.kind == Exam.Kind.FORMAL and exam.certificate_title):
        return None
    existing = Certificate.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    expires = (
        add_months(today, exam.certificate_valid_months) if exam.certificate_valid_months else None
    )
    certificate = Certificate(
        employee=attempt.employee,
        exam=exam,
        attempt=attempt,
        title=exam.certificate_title,
        issued_on=today,
        expires_on=expires,
        score=attempt.score,
    )
    certificate.full_clean()
    certificate.save()
    audit.record(
        certificate,
        "assessments.certificate_issued",
        user=acting_user,
        after=certificate_state(certificate),
        reason=_("Passed %(exam)s with %(score)s") % {"exam": exam, "score": attempt.score},
        employee=attempt.employee,
    )
    _announce_certificate(CERTIFICATE_ISSUED, certificate)
    return certificate


def certificate_sync(
    *, attempt: Attempt, was_graded: bool = True, acting_user=None, reason: str = ""
):
    """After a (re)grade: issue a newly earned certificate, revoke one no longer earned."""
    certificate = Certificate.objects.filter(attempt=attempt).first()
    if attempt.passed:
        if certificate is None:
            return certificate_issue_for(attempt=attempt, acting_user=acting_user)
        if certificate.revoked or certificate.score != attempt.score:
            before = certificate_state(certificate)
            certificate.revoked = False
            certificate.revoked_reason = ""
            certificate.score = attempt.score
            certificate.save(update_fields=["revoked", "revoked_reason", "score"])
            audit.record(
                certificate,
                "assessments.certificate_reissued",
                user=acting_user,
                before=before,
                after=certificate_state(certificate),
                reason=reason or _("Regraded: the score changed"),
                employee=attempt.employee,
            )
            if before["revoked"]:
                _announce_certificate(CERTIFICATE_ISSUED, certificate)
        return certificate
    if certificate is not None and not certificate.revoked:
        before = certificate_state(certificate)
        certificate.revoked = True
        certificate.revoked_reason = _("Regraded below the pass mark")
        certificate.score = attempt.score
        certificate.save(update_fields=["revoked", "revoked_reason", "score"])
        audit.record(
            certificate,
            "assessments.certificate_revoked",
            user=acting_user,
            before=before,
            after=certificate_state(certificate),
            reason=reason or certificate.revoked_reason,
            employee=attempt.employee,
        )
        _announce_certificate(CERTIFICATE_REVOKED, certificate, certificate.revoked_reason)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, acting_user=None):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if certificate.revoked:
        raise AttemptError(_("This certificate is already revoked."))
    before = certificate_state(certificate)
    certificate.revoked = True
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked", "revoked_reason"])
    audit.record(
        certificate,
        "assessments.certificate_revoked",
        user=acting_user,
        before=before,
        after=certificate_state(certificate),
        reason=reason,
        employee=certificate.employee,
    )
    _announce_certificate(CERTIFICATE_REVOKED, certificate, reason)
    return certificate


@transaction.atomic
def certificate_change(
    *,
    certificate: Certificate,
    revoked: bool,
    revoked_reason: str = "",
    expires_on: date | None = None,
    reason: str,
    acting_user=None,
) -> Certificate:
    """Change a certificate from the admin: revoke, reinstate or change its expiry, with a reason.

    A revocation goes through ``certificate_revoke``; a reinstatement or a new expiry date is
    written to the audit trail as a reissue.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate changes.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if revoked and not certificate.revoked:
        certificate.expires_on = expires_on
        certificate.save(update_fields=["expires_on"])
        return certificate_revoke(
            certificate=certificate,
            reason=(revoked_reason or reason).strip(),
            acting_user=acting_user,
        )
    before = certificate_state(certificate)
    certificate.revoked = revoked
    certificate.revoked_reason = (revoked_reason or "").strip() if revoked else ""
    certificate.expires_on = expires_on
    certificate.full_clean()
    after = certificate_state(certificate)
    if after == before:
        return certificate
    certificate.save(update_fields=["revoked", "revoked_reason", "expires_on"])
    audit.record(
        certificate,
        "assessments.certificate_reissued",
        user=acting_user,
        before=before,
        after=after,
        reason=reason,
        employee=certificate.employee,
    )
    if before["revoked"] and not revoked:
        _announce_certificate(CERTIFICATE_ISSUED, certificate)
    return certificate


__all__ = [
    "attempt_refresh",
    "attempt_save_answers",
    "attempt_save_own_answers",
    "attempt_start",
    "attempt_submit",
    "draw_plan",
    "draw_plan_forget",
    "attempts_submit_overdue",
    "category_create",
    "category_for_path",
    "certificate_change",
    "certificate_issue_for",
    "certificate_revoke",
    "exam_draw",
    "exam_regrade",
    "item_grade",
    "needs_manual_grading",
    "question_create",
    "question_update",
    "questions_bulk_create",
]


# -- certificate bundles and reminders ------------------------------------------------------


def certificate_bundle_request(*, exam: Exam, acting_user=None):
    """Queue a zip of every valid certificate of the exam; returns the background job to watch."""
    from lms.jobs import job_start

    from .tasks import build_certificate_bundle

    return job_start(
        kind="assessments.certificate_bundle",
        task=build_certificate_bundle,
        owner=acting_user,
        title=_("Certificates of %(exam)s") % {"exam": exam.title},
        params={"exam_id": exam.pk},
        total=Certificate.objects.filter(exam=exam, revoked=False).count(),
    )


def certificate_bundle_build(*, exam_id: int, job) -> int:
    """Render each valid certificate of the exam into the job's zip, reporting progress."""
    from .certificates import certificate_pdf

    certificates = list(
        Certificate.objects.filter(exam_id=exam_id, revoked=False)
        .select_related("employee", "exam")
        .order_by("employee__number")
    )
    job.save_zip(
        f"exam-{exam_id}-certificates.zip",
        (
            (
                f"{c.employee.number}-{c.employee.name}-{c.code}.pdf",
                functools.partial(certificate_pdf, c),
            )
            for c in certificates
        ),
    )
    return len(certificates)


def certificates_remind_expiring(*, today: date | None = None) -> int:
    """Remind holders whose certificate expires within the reminder window (once each), through
    the notification service (inbox and e-mail unless they chose otherwise)."""
    from django.conf import settings

    from lms.notifications.services import emit

    from .notifications import CERTIFICATE_EXPIRING, certificate_news

    today = today or timezone.localdate()
    window = today + timedelta(days=settings.ASSESSMENTS_CERTIFICATE_REMINDER_DAYS)
    due = list(
        Certificate.objects.filter(
            revoked=False,
            reminded_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=window,
        ).select_related("employee")
    )
    for certificate in due:
        emit(
            CERTIFICATE_EXPIRING,
            certificate_news(certificate),
            recipients=[certificate.employee],
            dedupe_key=f"{CERTIFICATE_EXPIRING}:{certificate.pk}:{certificate.expires_on}",
        )
    Certificate.objects.filter(pk__in=[c.pk for c in due]).update(reminded_on=today)
    return len(due)


def qualifications_announce(*, today: date | None = None, batch_size: int = 500) -> int:
    """Announce every qualification that has become expiring or lapsed (once per state and
    pass date), to the employee and the webhooks. Run daily; returns how many were new."""
    from lms.models import Employee
    from lms.notifications.services import emit

    from .notifications import QUALIFICATION_EXPIRING, QUALIFICATION_LAPSED, QualificationNews
    from .qualifications import EXPIRING, LAPSED, active_rules, standings

    today = today or timezone.localdate()
    rules = active_rules()
    if not rules:
        return 0
    announced = 0
    employees = Employee.objects.active().only("pk", "number", "name", "position_id", "user_id")
    ids = list(employees.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), batch_size):
        batch = list(employees.filter(pk__in=ids[start : start + batch_size]))
        by_id = {employee.pk: employee for employee in batch}
        for employee_id, rows in standings(batch, rules=rules, today=today).items():
            employee = by_id[employee_id]
            for standing in rows:
                if standing.passed_on is None or standing.status not in (EXPIRING, LAPSED):
                    continue  # never qualified: nothing expires or lapses
                kind = (
                    QUALIFICATION_EXPIRING if standing.status == EXPIRING else QUALIFICATION_LAPSED
                )
                event = emit(
                    kind,
                    QualificationNews(
                        rule_id=standing.rule.pk,
                        qualification=standing.rule.name,
                        employee_number=employee.number,
                        name=employee.name,
                        passed_on=standing.passed_on,
                        valid_until=standing.valid_until,
                    ),
                    recipients=[employee],
                    dedupe_key=f"{kind}:{employee.pk}:{standing.rule.pk}:{standing.passed_on}",
                )
                announced += event is not None
    return announced


# -- practice (assessments/practice.py; docs/practice.md) ----------------------------------------

from .practice import (  # noqa: E402  (practice reads helpers defined above)
    daily_answer,
    daily_practice_for,
    mock_attempt_start,
    mock_exam_for,
    practice_answer_record,
    practice_sync,
    wrong_book_answer,
)

__all_practice__ = (
    daily_answer,
    daily_practice_for,
    mock_attempt_start,
    mock_exam_for,
    practice_answer_record,
    practice_sync,
    wrong_book_answer,
)
