"""Scheduled background jobs: one mechanism for everything that runs on a clock.

An app registers a job with the ``register_scheduled_job`` hook, returning a ``ScheduledJob``
(a django-tasks task taking a ``job_id`` and how often it should run). ``manage.py run_scheduler``
(started by ``make run``; one or more per deployment, as a systemd service or similar) enqueues
each job when it is due, on whatever task backend ``TASKS`` names, with a ``BackgroundJob`` row
(``lms.jobs``) so that every run's progress and outcome show under "Background jobs" in the
admin. A row per job, locked while it is read, keeps several schedulers from enqueuing the same
run twice.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from .hooks import SCHEDULED_JOB_HOOK, _flatten
from .jobs import job_start
from .models import ScheduledJobRun


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: object  # a django_tasks Task taking one argument, the BackgroundJob id
    every: timedelta
    label: str = ""  # what the admin's job list calls it (a gettext_lazy string)


def scheduled_jobs() -> dict[str, ScheduledJob]:
    jobs = {}
    for fn in hooks.get_hooks(SCHEDULED_JOB_HOOK):
        for job in _flatten([fn()]):
            jobs[job.name] = job
    return jobs


def schedule_due_jobs(*, now=None) -> list[str]:
    """Enqueue every registered job whose interval has passed; return their names."""
    now = now or timezone.now()
    due = []
    jobs = scheduled_jobs()
    with transaction.atomic():
        for name in sorted(jobs):
            ScheduledJobRun.objects.get_or_create(name=name)
        runs = {
            run.name: run
            for run in ScheduledJobRun.objects.select_for_update().filter(name__in=list(jobs))
        }
        for name, job in sorted(jobs.items()):
            run = runs[name]
            if run.last_enqueued_at is not None and now - run.last_enqueued_at < job.every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            due.append(name)
            job_start(kind=name, task=job.task, title=str(job.label or name))
    return due


def enqueue_now(name: str):
    """Enqueue the scheduled job ``name`` at once, whatever its interval, with its
    ``BackgroundJob`` row (``run_scheduler --now NAME``); returns the row."""
    job = scheduled_jobs()[name]
    return job_start(kind=name, task=job.task, title=str(job.label or name))
