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
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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
