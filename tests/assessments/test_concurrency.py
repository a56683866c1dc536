"""Exam-day races: many simultaneous starts and submits of one attempt.

Threads need real transactions and a database that runs them in parallel: these tests run on
PostgreSQL (CI sets DATABASE_URL) and are skipped on SQLite, which serialises writers.
"""

import threading

import pytest
from django.db import connection, connections
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.models import Attempt, QuestionType
from tests.factories import assessments as af

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs a database with concurrent writers"
    ),
]

THREADS = 8


def run_together(fn):
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def exam_for(people):
    questions = [
        af.question(type=QuestionType.SINGLE, answer=["A"]),
        af.question(type=QuestionType.TRUE_FALSE, answer=True),
    ]
    return af.exam(questions=questions, audience=[people["employee"]], max_attempts=3)


def test_parallel_starts_give_one_open_attempt(people, exam_for):
    employee = people["employee"]
    results, errors = run_together(
        lambda: services.attempt_start(exam=exam_for, employee=employee).pk
    )
    assert not errors
    assert len(set(results)) == 1
    assert Attempt.objects.filter(exam=exam_for, employee=employee).count() == 1
    assert Attempt.objects.open().filter(exam=exam_for, employee=employee).count() == 1


def test_parallel_submits_grade_once(people, exam_for):
    attempt = services.attempt_start(exam=exam_for, employee=people["employee"])
    results, errors = run_together(
        lambda: services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk)).status
    )
    assert not errors
    assert set(results) == {Attempt.Status.GRADED}
    submitted = ModelLogEntry.objects.filter(
        action="assessments.attempt_submitted", object_id=str(attempt.pk)
    )
    assert submitted.count() == 1


def test_parallel_submit_and_overdue_task_grade_once(people, exam_for):
    from datetime import timedelta

    from django.utils import timezone

    exam_for.time_limit_minutes = 1
    exam_for.save()
    attempt = services.attempt_start(
        exam=exam_for, employee=people["employee"], now=timezone.now() - timedelta(minutes=10)
    )
    results, errors = run_together(lambda: services.attempts_submit_overdue())
    assert not errors
    assert (
        ModelLogEntry.objects.filter(
            action="assessments.attempt_submitted", object_id=str(attempt.pk)
        ).count()
        == 1
    )


def test_no_acknowledged_answer_is_lost_when_saves_race_a_submit(people):
    from assessments.models import AttemptError, AttemptItem

    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(THREADS - 1)]
    exam = af.exam(questions=questions, audience=[people["employee"]])
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    items = list(attempt.items.order_by("position"))
    jobs = iter([("submit", None), *[("save", item.pk) for item in items]])
    lock = threading.Lock()

    def act():
        with lock:
            kind, item_id = next(jobs)
        fresh = Attempt.objects.get(pk=attempt.pk)
        if kind == "submit":
            services.attempt_submit(attempt=fresh)
            return ("submit", None, True)
        try:
            services.attempt_save_answers(
                attempt=fresh, answers=[{"item": item_id, "response": ["A"], "seq": 1}]
            )
            return ("save", item_id, True)
        except AttemptError:
            return ("save", item_id, False)

    results, errors = run_together(act)
    assert not errors
    graded = Attempt.objects.get(pk=attempt.pk)
    assert graded.status == Attempt.Status.GRADED
    stored = {item.pk: item for item in AttemptItem.objects.filter(attempt=attempt)}
    acknowledged = [item_id for kind, item_id, ok in results if kind == "save" and ok]
    for item_id in acknowledged:
        assert stored[item_id].response == ["A"] and stored[item_id].score == 1
    assert graded.score == len(acknowledged)
