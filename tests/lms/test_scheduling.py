from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from wagtail import hooks

from lms.scheduling import SCHEDULED_JOB_HOOK, ScheduledJob, schedule_due_jobs

RUNS = []


@task()
def remember_run(job_id):
    RUNS.append(job_id)


def _job():
    return ScheduledJob(name="test.remember", task=remember_run, every=timedelta(hours=1))


@pytest.fixture
def registered(db):
    RUNS.clear()
    with hooks.register_temporarily(SCHEDULED_JOB_HOOK, _job):
        yield


def test_a_due_job_runs_once_per_interval(registered, django_capture_on_commit_callbacks):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert "test.remember" in schedule_due_jobs(now=start)
    with django_capture_on_commit_callbacks(execute=True):
        assert "test.remember" not in schedule_due_jobs(now=start + timedelta(minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        assert "test.remember" in schedule_due_jobs(now=start + timedelta(minutes=61))
    assert len(RUNS) == 2


def test_scheduler_command_checks_once(registered, django_capture_on_commit_callbacks):
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=out)
    assert "Enqueued test.remember" in out.getvalue()
    assert len(RUNS) == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_a_job_once():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are exercised on PostgreSQL")
    RUNS.clear()
    barrier = threading.Barrier(2)
    results = []

    def scheduler():
        try:
            barrier.wait()
            results.append(schedule_due_jobs())
        finally:
            connections.close_all()

    with hooks.register_temporarily(SCHEDULED_JOB_HOOK, _job):
        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    enqueued = sorted(sum(1 for name in result if name == "test.remember") for result in results)
    assert enqueued == [0, 1]
    assert len(RUNS) == 1


def test_a_scheduled_job_can_be_run_now_as_a_background_job(
    registered, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management.base import CommandError

    from lms.models import BackgroundJob

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--now", "test.remember", stdout=out)
    job = BackgroundJob.objects.get(kind="test.remember")
    assert RUNS == [job.pk] and f"background job {job.pk}" in out.getvalue()
    with pytest.raises(CommandError, match="No scheduled job named test.missing"):
        call_command("run_scheduler", "--now", "test.missing")
