"""Practice on the phone (docs/practice.md): 每日一练, the 错题本 with Leitner boxes, mock exams
and mastery by knowledge point (知识点).

Reads (the pool, mastery) and the practice services; ``assessments.services`` re-exports the
services so that other code calls them from there.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from .answers import score_response
from .models import (
    PRACTICE_TYPES,
    AssemblyRule,
    Attempt,
    AttemptError,
    AttemptItem,
    DailyPractice,
    Exam,
    ExamQuestion,
    PracticeAnswer,
    PracticeCard,
    PracticeHarvest,
    PracticeSource,
    Question,
    QuestionType,
)
from .models.questions import CHOICE_TYPES, LETTERS, UNSCORED_TYPES

# -- mastery ------------------------------------------------------------------------------------


@dataclass
class Mastery:
    """Right answers out of all answers to the questions of one knowledge point."""

    point: str
    right: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0

    @property
    def is_weak(self) -> bool:
        return self.percent < settings.PRACTICE_WEAK_MASTERY

    @property
    def band(self) -> str:
        """The bar's colour class: weak, fair or strong."""
        if self.is_weak:
            return "weak"
        return "strong" if self.percent >= 85 else "fair"

    @property
    def bar(self) -> int:
        """The bar's length for the chart's 0–100 view box (a sliver for 0 %, so it shows)."""
        return max(self.percent, 1)


def question_points(question_ids) -> dict[int, list[str]]:
    """Each question's knowledge points; a question without any counts under its category's
    name, so every answer shows somewhere on the chart. One query."""
    rows = Question.objects.filter(pk__in=question_ids).values_list(
        "pk", "knowledge_points", "category__name"
    )
    result = {}
    for pk, points, category in rows:
        cleaned = [str(p).strip() for p in (points or []) if str(p).strip()]
        result[pk] = cleaned or [category]
    return result


def _tally(rows, points_of) -> dict[str, Mastery]:
    tally: dict[str, Mastery] = {}
    for question_id, total, right in rows:
        for point in points_of.get(question_id, ()):
            row = tally.setdefault(point, Mastery(point))
            row.total += total
            row.right += right
    return tally


def _sorted(tally: dict[str, Mastery]) -> list[Mastery]:
    return sorted(tally.values(), key=lambda m: (m.percent, -m.total, m.point))


def mastery_for(answers) -> list[Mastery]:
    """Mastery per knowledge point over ``answers`` (a PracticeAnswer queryset), weakest first.
    Two queries, whatever the number of answers."""
    rows = list(
        answers.order_by()
        .values("question_id")
        .annotate(total=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .values_list("question_id", "total", "right")
    )
    points_of = question_points([row[0] for row in rows])
    return _sorted(_tally(rows, points_of))


@dataclass
class DepartmentMastery:
    department: object
    points: list[Mastery] = field(default_factory=list)
    answers: int = 0
    people: int = 0


def mastery_by_department(user) -> list[DepartmentMastery]:
    """For trainers, HR and managers: mastery per knowledge point in each department whose
    people's answers ``user`` may see (``visible_to``). Four queries."""
    from lms.models import Department

    answers = PracticeAnswer.objects.visible_to(user).order_by()
    rows = list(
        answers.values("employee__department_id", "question_id")
        .annotate(total=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .values_list("employee__department_id", "question_id", "total", "right")
    )
    people = dict(
        answers.values("employee__department_id")
        .annotate(people=Count("employee_id", distinct=True))
        .values_list("employee__department_id", "people")
    )
    points_of = question_points({row[1] for row in rows})
    departments = {
        d.pk: d for d in Department.objects.filter(pk__in={row[0] for row in rows if row[0]})
    }
    per_department: dict[int, list] = {}
    for department_id, question_id, total, right in rows:
        if department_id in departments:
            per_department.setdefault(department_id, []).append((question_id, total, right))
    result = []
    for department_id, department_rows in per_department.items():
        result.append(
            DepartmentMastery(
                department=departments[department_id],
                points=_sorted(_tally(department_rows, points_of)),
                answers=sum(row[1] for row in department_rows),
                people=people.get(department_id, 0),
            )
        )
    return sorted(result, key=lambda d: d.department.path)


# -- the pool -----------------------------------------------------------------------------------


def practice_pool(employee, now=None) -> tuple[set[int], set[int]]:
    """``(pool, confidential)``: the questions 每日一练 draws for ``employee`` — the fixed
    questions and rule candidates of every published exam (practice or formal) whose audience
    includes them (by position, department, name or an assigned course), of the types practice
    marks at once, active, and not confidential — and the confidential questions, which
    practice never shows."""
    from .services.draw import _candidate_pools, confidential_question_ids

    exam_ids = list(
        Exam.objects.for_employee(employee)
        .exclude(kind=Exam.Kind.MOCK)
        .values_list("pk", flat=True)
    )
    confidential = confidential_question_ids(now)
    if not exam_ids:
        return set(), confidential
    ids = set(
        ExamQuestion.objects.filter(exam_id__in=exam_ids).values_list("question_id", flat=True)
    )
    rules = list(AssemblyRule.objects.filter(exam_id__in=exam_ids).select_related("category"))
    for candidates in _candidate_pools(rules).values():
        ids.update(candidates)
    ids -= confidential
    pool = set(
        Question.objects.active()
        .filter(pk__in=ids, type__in=PRACTICE_TYPES)
        .values_list("pk", flat=True)
    )
    return pool, confidential


def _weight(points: list[str], mastery: dict[str, Mastery]) -> float:
    """How strongly a question is drawn: 1 + 3 × (1 − mastery) for its weakest knowledge point,
    a point never answered counting as half mastered (so 1 to 4)."""
    best = 1.0
    for point in points:
        known = mastery.get(point)
        share = known.right / known.total if known and known.total else 0.5
        best = max(best, 1 + 3 * (1 - share))
    return best


def draw_daily(employee, day: date, now=None) -> list[int]:
    """The questions of ``employee``'s 每日一练 on ``day``.

    Up to ``PRACTICE_DAILY_REVIEW_SHARE`` % of ``PRACTICE_DAILY_QUESTIONS`` are Leitner cards due
    for review (lowest box first); the rest is a weighted draw without replacement
    (Efraimidis–Spirakis) from the pool, weighted to the weak knowledge points; due cards fill
    any places left. The generator is seeded with the employee and the day.
    """
    count = settings.PRACTICE_DAILY_QUESTIONS
    if count <= 0:
        return []
    pool, confidential = practice_pool(employee, now)
    due = [
        pk
        for pk in PracticeCard.objects.for_employee(employee)
        .practisable()
        .due(day)
        .order_by("box", "due_on", "pk")
        .values_list("question_id", flat=True)
        if pk not in confidential
    ]
    review_places = min(len(due), count * max(settings.PRACTICE_DAILY_REVIEW_SHARE, 0) // 100)
    chosen = due[:review_places]
    rng = random.Random(f"{employee.pk}:{day.isoformat()}")
    candidates = sorted(pool - set(chosen))
    mastery = {m.point: m for m in mastery_for(PracticeAnswer.objects.for_employee(employee))}
    points_of = question_points(candidates)
    keyed = sorted(
        ((rng.random() ** (1 / _weight(points_of.get(pk, []), mastery)), pk) for pk in candidates),
        reverse=True,
    )
    chosen += [pk for _key, pk in keyed[: count - len(chosen)]]
    chosen += [pk for pk in due[review_places:] if pk not in chosen][: count - len(chosen)]
    rng.shuffle(chosen)
    return chosen


# -- answering ----------------------------------------------------------------------------------


def practice_question(question: Question) -> dict:
    """A question as practice shows it: options in the bank's order under their letters."""
    return {
        "id": question.pk,
        "type": question.type,
        "type_label": QuestionType(question.type).label,
        "stem": expand_db_html(question.stem),  # images and links as the exam page shows them
        "options": [
            {"key": LETTERS[i], "text": text} for i, text in enumerate(question.options or [])
        ],
        "blanks": range(1, (len(question.answer or []) or 1) + 1)
        if question.type == QuestionType.FILL
        else (),
    }


def read_response(question: Question, data) -> object:
    """The response a practice form sent (a QueryDict) for ``question``; ValidationError with
    a message for the learner when it is empty or not an answer to this question."""
    kind = question.type
    if kind in CHOICE_TYPES:
        keys = set(LETTERS[: len(question.options or [])])
        values = data.getlist("answer")
        if not values:
            raise ValidationError(_("Choose an answer."))
        if not all(v in keys for v in values) or (kind == QuestionType.SINGLE and len(values) > 1):
            raise ValidationError(_("That answer is not one of the options."))
        return sorted(set(values))
    if kind == QuestionType.TRUE_FALSE:
        values = data.getlist("answer")
        value = values[0] if len(values) == 1 else None
        if value not in ("true", "false"):
            raise ValidationError(_("Answer true or false."))
        return value == "true"
    if kind == QuestionType.FILL:
        blanks = len(question.answer or []) or 1
        values = [str(v)[:500] for v in data.getlist("answer")][:blanks]
        if not any(v.strip() for v in values):
            raise ValidationError(_("Fill in the blank."))
        return values
    if kind == QuestionType.NUMERICAL:
        values = data.getlist("answer")
        value = str(values[0]).strip()[:100] if len(values) == 1 else ""
        if not value:
            raise ValidationError(_("Enter a number as your answer."))
        return value
    raise ValidationError(_("This question cannot be practised here."))


def is_right(question: Question, response) -> bool:
    """Whether ``response`` earns all of the question's points."""
    points = question.points or 1
    score = score_response(
        question.type, question.answer, points, response, weights=question.weights or ()
    )
    return score is not None and score >= points


CARD_FIELDS = [
    "box",
    "due_on",
    "streak",
    "wrong_count",
    "right_count",
    "wrong_version",
    "last_wrong_at",
    "retired_at",
    "updated_at",
]


def _cards_apply(employee, outcomes, *, now) -> None:
    """Move ``employee``'s cards by ``outcomes`` — (question id, version, correct, source) in
    the order answered — making a card for each question got wrong that had none. Rows are
    locked, so two answers at once do not lose a step."""
    if not outcomes:
        return
    today = timezone.localdate(now)
    cards = {
        card.question_id: card
        for card in PracticeCard.objects.select_for_update().filter(
            employee=employee, question_id__in={o[0] for o in outcomes}
        )
    }
    new, changed = {}, {}
    for question_id, version, correct, source in outcomes:
        card = cards.get(question_id)
        if card is None:
            if correct:
                continue  # only what was got wrong goes into the book
            card = PracticeCard(
                employee=employee,
                question_id=question_id,
                source=source,
                wrong_version=version,
                last_wrong_at=now,
            )
            cards[question_id] = new[question_id] = card
        elif question_id not in new:
            changed[question_id] = card
        if correct:
            card.record_right(now=now, today=today)
        else:
            card.record_wrong(now=now, today=today, version=version)
    if new:
        PracticeCard.objects.bulk_create(new.values())
    if changed:
        for card in changed.values():
            card.updated_at = now
        PracticeCard.objects.bulk_update(changed.values(), CARD_FIELDS)


@transaction.atomic
def practice_answer_record(
    *, employee, question: Question, source: str, response, now=None
) -> PracticeAnswer:
    """Mark one practice answer, keep it, and move the question's card (making one when the
    answer is wrong)."""
    now = now or timezone.now()
    answer = PracticeAnswer(
        employee=employee,
        question=question,
        question_version=question.version,
        source=source,
        day=timezone.localdate(now),
        response=response,
        correct=is_right(question, response),
        answered_at=now,
    )
    answer.full_clean(exclude=["employee", "question", "attempt"])
    answer.save()
    _cards_apply(employee, [(question.pk, question.version, answer.correct, source)], now=now)
    return answer


def daily_practice_for(*, employee, now=None) -> DailyPractice:
    """Today's 每日一练 for ``employee``: drawn on the first visit of the day, the same set for
    the rest of it (a simultaneous first visit gets the set the other one stored)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    existing = DailyPractice.objects.filter(employee=employee, day=today).first()
    if existing is not None:
        return existing
    daily = DailyPractice(
        employee=employee, day=today, question_ids=draw_daily(employee, today, now)
    )
    try:
        with transaction.atomic():
            daily.save()
    except IntegrityError:
        return DailyPractice.objects.get(employee=employee, day=today)
    return daily


def daily_answer(*, employee, daily: DailyPractice, question_id, data, now=None) -> PracticeAnswer:
    """Answer one question of today's set; ValidationError (a message for the learner) when it
    is not in the set, already answered, or the response does not fit the question."""
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        raise ValidationError(_("That question is not part of today's practice.")) from None
    if question_id not in daily.question_ids:
        raise ValidationError(_("That question is not part of today's practice."))
    if PracticeAnswer.objects.filter(
        employee=employee, day=daily.day, source=PracticeSource.DAILY, question_id=question_id
    ).exists():
        raise ValidationError(_("You have already answered that question today."))
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise ValidationError(_("That question is not part of today's practice."))
    response = read_response(question, data)
    return practice_answer_record(
        employee=employee,
        question=question,
        source=PracticeSource.DAILY,
        response=response,
        now=now,
    )


def wrong_book_answer(*, employee, card: PracticeCard, data, now=None) -> PracticeAnswer:
    """Answer a question of the 错题本 again (``card`` is one of ``employee``'s cards)."""
    if card.employee_id != employee.pk or not card.in_book:
        raise ValidationError(_("That question is not in your wrong-answer book."))
    response = read_response(card.question, data)
    return practice_answer_record(
        employee=employee,
        question=card.question,
        source=PracticeSource.WRONG_BOOK,
        response=response,
        now=now,
    )


# -- answers from attempts ----------------------------------------------------------------------

SOURCE_OF_KIND = {
    Exam.Kind.PRACTICE: PracticeSource.QUIZ,
    Exam.Kind.MOCK: PracticeSource.MOCK,
    Exam.Kind.FORMAL: PracticeSource.EXAM,
}


def practice_sync(*, employee, now=None) -> int:
    """Read ``employee``'s graded attempts whose review now shows the answers (a formal exam's
    review policy decides when: ``Attempt.shows_answers``) into practice: every marked answer
    counts toward mastery, every wrong one of a type practice can ask goes into the 错题本
    (unless the question is confidential). Each attempt is read once. Returns how many
    attempts were read; one query when there is nothing new."""
    from .services import confidential_question_ids

    now = now or timezone.now()
    waiting = list(
        Attempt.objects.filter(employee=employee, status=Attempt.Status.GRADED)
        .exclude(pk__in=PracticeHarvest.objects.values("attempt_id"))
        .select_related("exam")
        .order_by("finished_at", "pk")
    )
    ready = [attempt for attempt in waiting if attempt.shows_answers(now)]
    if not ready:
        return 0
    confidential = confidential_question_ids(now)
    by_attempt = {attempt.pk: attempt for attempt in ready}
    items = list(
        AttemptItem.objects.filter(attempt__in=ready, question__isnull=False, score__isnull=False)
        .select_related("question")
        .order_by("attempt__finished_at", "attempt_id", "position")
    )
    try:
        with transaction.atomic():
            PracticeHarvest.objects.bulk_create(
                [PracticeHarvest(attempt=attempt, harvested_at=now) for attempt in ready]
            )
            answers, outcomes = [], []
            for item in items:
                kind = item.snapshot.get("type")
                if kind in UNSCORED_TYPES:
                    continue
                attempt = by_attempt[item.attempt_id]
                source = SOURCE_OF_KIND.get(attempt.exam.kind, PracticeSource.EXAM)
                correct = item.score >= item.points
                answers.append(
                    PracticeAnswer(
                        employee=employee,
                        question_id=item.question_id,
                        question_version=item.question_version,
                        source=source,
                        day=timezone.localdate(attempt.finished_at or now),
                        attempt=attempt,
                        response=item.response,
                        correct=correct,
                        answered_at=attempt.finished_at or now,
                    )
                )
                if (
                    kind in PRACTICE_TYPES
                    and item.question.is_active
                    and item.question.type in PRACTICE_TYPES
                    and item.question_id not in confidential
                ):
                    outcomes.append((item.question_id, item.question_version, correct, source))
            PracticeAnswer.objects.bulk_create(answers)
            _cards_apply(employee, outcomes, now=now)
    except IntegrityError:
        return 0  # a simultaneous request read them first
    return len(ready)


# -- mock exams ---------------------------------------------------------------------------------

MOCK_MIRRORED_FIELDS = (
    "description",
    "time_limit_minutes",
    "pass_mark",
    "shuffle_questions",
    "shuffle_options",
    "partial_credit",
)


@transaction.atomic
def mock_exam_for(*, exam: Exam) -> Exam:
    """The mock exam of formal ``exam``, made on first use and kept in step with its title and
    clock. It has no audience, window, certificate or course of its own: nobody sees it listed,
    its attempts are unlimited, give feedback at once and count for nothing."""
    from .services import exam_create

    formal = Exam.objects.select_for_update().get(pk=exam.pk)
    mock = Exam.objects.filter(kind=Exam.Kind.MOCK, mock_of=formal).first()
    wanted = {name: getattr(formal, name) for name in MOCK_MIRRORED_FIELDS}
    # A title of its own (in the site's language), so that nothing looking an exam up by its
    # title ever finds the mock instead of the formal exam.
    with translation.override(settings.LANGUAGE_CODE):
        wanted["title"] = _("%(title)s (mock exam)") % {"title": formal.title}
    wanted["title"] = wanted["title"][: Exam._meta.get_field("title").max_length]
    if mock is None:
        return exam_create(
            kind=Exam.Kind.MOCK,
            mock_of=formal,
            is_published=True,
            max_attempts=0,
            review_policy=Exam.ReviewPolicy.IMMEDIATELY,
            **wanted,
        )
    changed = [name for name, value in wanted.items() if getattr(mock, name) != value]
    if changed:
        for name in changed:
            setattr(mock, name, wanted[name])
        mock.save(update_fields=changed)
    return mock


def mock_attempt_start(*, exam: Exam, employee, now=None, rng=None) -> Attempt:
    """Start (or resume) a mock of formal ``exam``: the formal exam's fixed questions and
    assembly rules, its time limit, and none of its attempts used."""
    from .services import attempt_start

    if exam.kind != Exam.Kind.FORMAL:
        raise AttemptError(_("Only a formal exam has a mock exam."))
    if not exam.is_for(employee):
        raise AttemptError(_("This exam is not meant for you."))
    mock = mock_exam_for(exam=exam)
    return attempt_start(exam=mock, employee=employee, now=now, rng=rng)


def mock_candidates(employee) -> list[Exam]:
    """The formal exams ``employee`` may rehearse: published, meant for them, with questions."""
    return list(
        Exam.objects.for_employee(employee)
        .filter(kind=Exam.Kind.FORMAL)
        .filter(Q(rules__isnull=False) | Q(fixed_questions__isnull=False))
        .distinct()
        .order_by("closes_at", "title")
    )
