"""Drawing an attempt's questions: the cached draw plan, the pools and what practice withholds."""

import random
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from ..draw_generation import DRAW_GENERATION_KEY, draw_generation
from ..models import (
    Attempt,
    AttemptError,
    AttemptItem,
    Exam,
    Question,
    QuestionCategory,
    QuestionType,
)
from ..models.questions import CHOICE_TYPES, LETTERS, UNSCORED_TYPES

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
    Saving or deleting a question, a category, an exam or its rules or fixed questions, or any
    bulk write of them, starts a new generation (``assessments.draw_generation``), so the next
    start reads the plan again.
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
            generation = draw_generation()
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
