"""Papers drawn ahead: a pool of drawn, shuffled papers per formal exam, built in the background
before the opening and taken by each start (docs/performance.md, "Exam morning").

A start that takes a paper skips the draw (the plan, the questions, the snapshots): it deletes
one paper and copies its items into the attempt, in the start's transaction. Papers are drawn
under the question bank's generation (``draw_generation``); a change to the bank or to the
exam's rules starts a new one, after which the old papers are never served and the next fill
deletes them. When the pool is empty or stale a start draws as before and asks for a refill.
"""

import json
import math
import random
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Attempt, AttemptError, Exam, ExamPaper
from .draw import DRAW_GENERATION_KEY, draw_generation, exam_draw, snapshot_question

REFILL_KEY = "assessments:papers-refill:{}"
POOLED_KEY = "assessments:papers-pooled:{}"
BATCH = 200


def exams_due_for_papers(now=None):
    """Formal exams, published, that open within ``EXAM_PAPERS_AHEAD_HOURS`` or are open now."""
    now = now or timezone.now()
    hours = settings.EXAM_PAPERS_AHEAD_HOURS
    if not hours:
        return Exam.objects.none()
    return Exam.objects.filter(kind=Exam.Kind.FORMAL, is_published=True).filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now + timedelta(hours=hours)),
        Q(closes_at__isnull=True) | Q(closes_at__gt=now),
    )


def audience_size(exam: Exam) -> int:
    """How many employees the exam's audience names (departments with the departments below
    them, positions, people). Exams reached through course assignments count their assigned
    people at the start: the pool's floor and the refill cover them."""
    from lms.models import Employee

    condition = Q(pk__in=exam.audience_employees.values("pk")) | Q(
        position__in=exam.audience_positions.values("pk")
    )
    for path in exam.audience_departments.values_list("path", flat=True):
        condition |= Q(department__path__startswith=path)
    return Employee.objects.active().filter(condition).count()


def papers_wanted(exam: Exam) -> int:
    """The pool's size for ``exam``: its audience and ``EXAM_PAPERS_MARGIN_PERCENT`` more,
    at least ``EXAM_PAPERS_MIN`` and at most ``EXAM_PAPERS_MAX``, less the attempts already
    started."""
    audience = math.ceil(audience_size(exam) * (100 + settings.EXAM_PAPERS_MARGIN_PERCENT) / 100)
    wanted = min(settings.EXAM_PAPERS_MAX, max(settings.EXAM_PAPERS_MIN, audience))
    return max(0, wanted - Attempt.objects.filter(exam=exam).count())


def pool_size(exam: Exam, generation: str | None = None) -> int:
    """Papers of ``exam`` that a start can take now."""
    generation = generation or draw_generation()
    return ExamPaper.objects.filter(exam=exam, generation=generation).count()


def papers_fill(exam: Exam, *, wanted: int | None = None, rng=None) -> int:
    """Bring ``exam``'s pool up to ``wanted`` papers (``papers_wanted``) drawn under the current
    generation; papers of older generations are deleted. Returns how many were drawn."""
    rng = rng or random.SystemRandom()
    generation = draw_generation()
    ExamPaper.objects.filter(exam=exam).exclude(generation=generation).delete()
    if wanted is None:
        wanted = papers_wanted(exam)
    missing = wanted - pool_size(exam, generation)
    drawn = 0
    while missing > 0:
        batch = []
        for _ in range(min(BATCH, missing)):
            try:
                questions = exam_draw(exam, rng=rng)
            except AttemptError:
                return drawn  # the bank cannot fill it: starts will say so
            if not questions:
                return drawn
            batch.append(
                ExamPaper(
                    exam=exam,
                    generation=generation,
                    items=[
                        {
                            "question": question.pk,
                            "version": question.version,
                            "snapshot": snapshot_question(
                                question, points, shuffle_options=exam.shuffle_options, rng=rng
                            ),
                        }
                        for question, points in questions
                    ],
                )
            )
        if draw_generation() != generation:
            return drawn  # the bank changed while drawing: the next fill draws again
        ExamPaper.objects.bulk_create(batch)
        drawn += len(batch)
        missing -= len(batch)
    cache.set(POOLED_KEY.format(exam.pk), True, None)
    return drawn


def papers_fill_due(*, now=None, progress=None) -> int:
    """The scheduled fill: every exam due for papers gets its pool; papers of exams that have
    closed or stopped being due are deleted. Returns how many papers were drawn."""
    due = list(exams_due_for_papers(now))
    ExamPaper.objects.exclude(exam__in=[exam.pk for exam in due]).delete()
    drawn = 0
    for done, exam in enumerate(due, 1):
        drawn += papers_fill(exam)
        if progress:
            progress(done, len(due))
    return drawn


def paper_take(exam: Exam) -> list[dict] | None:
    """Take one paper of ``exam`` drawn under the current generation: its items, or None when
    the pool is empty or stale (then a refill is asked for). Call inside the start's
    transaction: the paper is deleted with it, so it is never served twice (two starts at
    once take two papers; PostgreSQL skips the row the other holds)."""
    if not settings.EXAM_PAPERS_AHEAD_HOURS or exam.kind != Exam.Kind.FORMAL:
        return None
    pooled = POOLED_KEY.format(exam.pk)
    found = cache.get_many([pooled, DRAW_GENERATION_KEY])
    generation = found.get(DRAW_GENERATION_KEY)
    if not found.get(pooled) or generation is None:
        return None  # no pool was built for it (or the cache forgot): draw as before
    table = connection.ops.quote_name(ExamPaper._meta.db_table)
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id = (SELECT id FROM {table} "  # noqa: S608 - names only
            f"WHERE exam_id = %s AND generation = %s ORDER BY id LIMIT 1{lock}) RETURNING items",
            [exam.pk, generation],
        )
        row = cursor.fetchone()
    if row is None:
        papers_refill_soon(exam)
        return None
    items = row[0]
    return json.loads(items) if isinstance(items, str | bytes) else items


def papers_refill_soon(exam: Exam):
    """Ask the task queue for a fill of ``exam``'s pool, at most once a minute per exam."""
    if not settings.EXAM_PAPERS_AHEAD_HOURS or exam.kind != Exam.Kind.FORMAL:
        return
    if not cache.add(REFILL_KEY.format(exam.pk), True, 60):
        return
    from ..tasks import fill_exam_papers

    transaction.on_commit(lambda: fill_exam_papers.enqueue(exam_id=exam.pk))
