"""Writes of the question bank, exams, attempts, grading and certificates.

Keyword-only, atomic, validated before saving; scores and key corrections leave audit entries
in Wagtail's log (shown on each object's history in the admin).
"""

import functools
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.rich_text import expand_db_html

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
from .models.questions import CHOICE_TYPES, LETTERS

QUESTION_CONTENT_FIELDS = (
    "category",
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
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
def category_create(*, name: str, parent: QuestionCategory | None = None, acting_user=None):
    category = QuestionCategory(name=name.strip())
    category.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        category = QuestionCategory.add_root(instance=category)
    else:
        category = QuestionCategory.objects.get(pk=parent.pk).add_child(instance=category)
    log(category, "wagtail.create", user=acting_user)
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
    acting_user=None,
) -> Question:
    """Add a question to the bank as its version 1."""
    question = Question(
        category=category,
        type=type,
        stem=stem,
        options=list(options),
        answer=[] if answer is None else answer,
        explanation=explanation,
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


def exam_draw(exam: Exam, *, rng: random.Random | None = None) -> list[tuple[Question, Decimal]]:
    """The questions of one attempt: the fixed ones, then each rule's draw.

    No question appears twice. Raises AttemptError when a rule cannot be met.
    """
    rng = rng or random.SystemRandom()
    chosen: list[tuple[int, Decimal | None]] = []
    used: set[int] = set()
    for fixed in exam.fixed_questions.all():
        if fixed.question_id not in used:
            used.add(fixed.question_id)
            chosen.append((fixed.question_id, fixed.points))
    for rule in exam.rules.select_related("category"):
        pool = [pk for pk in rule.candidates().values_list("pk", flat=True) if pk not in used]
        if len(pool) < rule.count:
            raise AttemptError(
                _(
                    "The question bank cannot fill this exam: the rule “%(rule)s” needs "
                    "%(count)s questions but only %(available)s are available."
                )
                % {"rule": rule, "count": rule.count, "available": len(pool)}
            )
        for pk in rng.sample(pool, rule.count):
            used.add(pk)
            chosen.append((pk, rule.points))
    questions = Question.objects.in_bulk([pk for pk, _points in chosen])
    drawn = [(questions[pk], points or questions[pk].points) for pk, points in chosen]
    if exam.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


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
    existing = Attempt.objects.open().filter(exam=exam, employee=employee).first()
    if existing is not None:
        return attempt_refresh(attempt=existing, now=now)
    if not exam.is_open(now):
        raise AttemptError(_("This exam is not open now."))
    if not Exam.objects.for_employee(employee).filter(pk=exam.pk).exists():
        raise AttemptError(_("This exam is not meant for you."))
    override = exam_override_for(exam, employee)
    allowed = exam.attempts_allowed(override)
    taken = Attempt.objects.filter(exam=exam, employee=employee).count()
    if allowed and taken >= allowed:
        raise AttemptError(_("You have used all your attempts at this exam."))
    drawn = exam_draw(exam, rng=rng)
    if not drawn:
        raise AttemptError(_("This exam has no questions yet."))
    try:
        with transaction.atomic():
            number = (
                Attempt.objects.filter(exam=exam, employee=employee).aggregate(n=Max("number"))["n"]
                or 0
            ) + 1
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
    except IntegrityError:
        existing = Attempt.objects.open().filter(exam=exam, employee=employee).first()
        if existing is None:
            raise AttemptError(_("The attempt could not be started; please try again.")) from None
        return existing
    log(attempt, "assessments.attempt_started", user=employee.user)
    return attempt


def _validate_response(item: AttemptItem, response):
    kind = item.snapshot["type"]
    if response is None:
        return None
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


def attempt_save_answers(*, attempt: Attempt, answers: list[dict], now=None) -> list[int]:
    """Save a batch of ``{"item": id, "response": …, "seq": n}``; returns the saved item ids.

    Idempotent and ordered by sequence number: a retried or late request never overwrites
    a newer answer. Refused (AttemptError) once the deadline and the grace period have passed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the attempt: a submit waits for this save to commit (and so grades it), or a
        # save that comes after a submit sees it and is refused rather than acknowledged.
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        attempt.status = locked.status
        return _save_answers(attempt, answers, now)


def _save_answers(attempt: Attempt, answers: list[dict], now) -> list[int]:
    attempt.check_can_save(now)
    ids = [a.get("item") for a in answers if isinstance(a, dict)]
    items = AttemptItem.objects.filter(attempt=attempt).in_bulk(
        [i for i in ids if isinstance(i, int)]
    )
    saved = []
    for answer in answers:
        item = items.get(answer.get("item")) if isinstance(answer, dict) else None
        if item is None:
            raise AttemptError(_("That question is not part of this attempt."))
        response = _validate_response(item, answer.get("response"))
        attempt.save_answer(item.pk, response, answer.get("seq"), now=now)
        saved.append(item.pk)
    return saved


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now=None, auto=False) -> Attempt:
    """Submit and grade. A second (or simultaneous) submit grades nothing again."""
    now = now or timezone.now()
    if not attempt.mark_submitted(now=now, auto=auto):
        attempt.refresh_from_db()
        return attempt
    attempt.grade(now=now)
    log(
        attempt,
        "assessments.attempt_submitted",
        user=None if auto else attempt.employee.user,
        data={"auto": auto, "score": str(attempt.score)},
    )
    if attempt.status == Attempt.Status.GRADED:
        certificate_issue_for(attempt=attempt)
    return attempt


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
    overdue = list(Attempt.objects.overdue(now - Attempt.grace()).select_related("exam"))
    for done, attempt in enumerate(overdue, 1):
        attempt_submit(attempt=attempt, now=now, auto=True)
        if progress is not None:
            progress(done, len(overdue))
    return len(overdue)


@transaction.atomic
def item_grade(*, item: AttemptItem, score, comment: str = "", grader=None, now=None):
    """A person grades a short answer or essay; the attempt is totalled when none is left."""
    now = now or timezone.now()
    item = AttemptItem.objects.select_for_update().select_related("attempt__exam").get(pk=item.pk)
    attempt = item.attempt
    if attempt.is_open:
        raise AttemptError(_("An attempt is graded only after it is submitted."))
    score = Decimal(str(score))
    if score < 0 or score > item.points:
        raise ValidationError(
            {"score": _("The score must be between 0 and %(max)s.") % {"max": item.points}}
        )
    old = item.score
    item.score = score
    item.comment = comment
    item.grader = grader
    item.graded_at = now
    item.save(update_fields=["score", "comment", "grader", "graded_at"])
    was_graded = attempt.status == Attempt.Status.GRADED
    attempt.total(list(attempt.items.all()), now=now)
    log(
        attempt,
        "assessments.item_graded",
        user=grader,
        data={"item": item.pk, "old": str(old), "new": str(score)},
    )
    if attempt.status == Attempt.Status.GRADED:
        certificate_sync(attempt=attempt, was_graded=was_graded)
    return item


@transaction.atomic
def exam_regrade(*, exam: Exam, question: Question | None = None, acting_user=None) -> int:
    """Regrade every submitted attempt of the exam after a key correction.

    The corrected key (the current answer of ``question``, or of every question when none is
    given) replaces the one in the attempts' snapshots; results and certificates follow; each
    changed score is written to the audit log. Returns the number of attempts whose score changed.
    """
    attempts = list(Attempt.objects.filter(exam=exam).select_related("exam", "employee__user"))
    # Open attempts get the corrected key too (so they are graded right when submitted).
    items = list(AttemptItem.objects.filter(attempt__in=attempts).order_by("attempt", "position"))
    if question is not None:
        keys = {question.pk: question.answer}
    else:  # every question's current key in the bank
        keys = dict(
            Question.objects.filter(pk__in={i.question_id for i in items}).values_list(
                "pk", "answer"
            )
        )
    by_attempt: dict[int, list[AttemptItem]] = {}
    changed_keys = []
    for item in items:
        key = keys.get(item.question_id, item.snapshot["answer"])
        if item.question_id in keys and key != item.snapshot["answer"]:
            item.snapshot = {**item.snapshot, "answer": key}
            changed_keys.append(item)
        by_attempt.setdefault(item.attempt_id, []).append(item)
    if changed_keys:
        AttemptItem.objects.bulk_update(changed_keys, ["snapshot"])
    changed = 0
    for attempt in attempts:
        if attempt.is_open:
            continue
        old_score, old_passed = attempt.score, attempt.passed
        was_graded = attempt.status == Attempt.Status.GRADED
        attempt.grade(items=by_attempt.get(attempt.pk, []))
        if attempt.score != old_score or attempt.passed != old_passed:
            changed += 1
            log(
                attempt,
                "assessments.regraded",
                user=acting_user,
                data={
                    "question": question.pk if question else None,
                    "old": str(old_score),
                    "new": str(attempt.score),
                },
            )
        if attempt.status == Attempt.Status.GRADED:
            certificate_sync(attempt=attempt, was_graded=was_graded)
    return changed


# -- certificates ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def certificate_issue_for(*, attempt: Attempt, today: date | None = None):
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
    log(certificate, "wagtail.create", user=None)
    return certificate


def certificate_sync(*, attempt: Attempt, was_graded: bool = True):
    """After a (re)grade: issue a newly earned certificate, revoke one no longer earned."""
    certificate = Certificate.objects.filter(attempt=attempt).first()
    if attempt.passed:
        if certificate is None:
            return certificate_issue_for(attempt=attempt)
        if certificate.revoked or certificate.score != attempt.score:
            certificate.revoked = False
            certificate.revoked_reason = ""
            certificate.score = attempt.score
            certificate.save(update_fields=["revoked", "revoked_reason", "score"])
        return certificate
    if certificate is not None and not certificate.revoked:
        certificate.revoked = True
        certificate.revoked_reason = _("Regraded below the pass mark")
        certificate.score = attempt.score
        certificate.save(update_fields=["revoked", "revoked_reason", "score"])
        log(certificate, "assessments.certificate_revoked", user=None)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, acting_user=None):
    if certificate.revoked:
        raise AttemptError(_("This certificate is already revoked."))
    certificate.revoked = True
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked", "revoked_reason"])
    log(certificate, "assessments.certificate_revoked", user=acting_user)
    return certificate


__all__ = [
    "attempt_refresh",
    "attempt_save_answers",
    "attempt_start",
    "attempt_submit",
    "attempts_submit_overdue",
    "category_create",
    "category_for_path",
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
    """E-mail holders whose certificate expires within the reminder window (once each)."""
    from django.conf import settings
    from django.core.mail import send_mail

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
        if certificate.employee.email:
            send_mail(
                _("Your certificate “%(title)s” expires on %(date)s")
                % {"title": certificate.title, "date": certificate.expires_on.isoformat()},
                _(
                    "Your certificate “%(title)s” (code %(code)s) expires on %(date)s. "
                    "Please sit the exam again before then to stay qualified."
                )
                % {
                    "title": certificate.title,
                    "code": certificate.code,
                    "date": certificate.expires_on.isoformat(),
                },
                None,
                [certificate.employee.email],
            )
    Certificate.objects.filter(pk__in=[c.pk for c in due]).update(reminded_on=today)
    return len(due)
