"""Long jobs in the background: one record, one progress API, one admin screen for all of them.

A job is a ``BackgroundJob`` row plus a django-tasks task that takes the row's id. Whatever
backend ``TASKS`` names runs it (the database worker by default, RQ with Redis).

Starting one (in a service or a view)::

    job = job_start(kind="assessments.certificate_bundle", task=build_certificate_bundle,
                    owner=request.user, title=str(exam), params={"exam_id": exam.pk})

Running one (in the task)::

    @task()
    def build_certificate_bundle(job_id):
        with job_run(job_id) as job:
            job.progress(0, len(items))
            ...
            job.progress(done)                       # as often as is useful
            job.save_result("bundle.zip", content)   # through the storage API
            job.finish(_("%(count)s certificates") % {...})

Inside ``job_run`` the owner's language is active, so messages are stored in their language.
``JobError`` ends the job as failed with its (translated) message; any other exception is
recorded as an unexpected failure and re-raised for the task backend to log.

Apps name their kinds with the ``register_background_job_kind`` hook (a ``JobKind`` or a list);
scheduled jobs (``lms.scheduling``) are kinds too, named after the job.
"""

import contextlib
import logging
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail import hooks

from .exceptions import DomainError
from .hooks import JOB_KIND_HOOK, _flatten
from .models import BackgroundJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # usually a gettext_lazy string


class JobError(DomainError):
    """A job cannot go on for a reason its owner should read (already translated)."""


def job_kinds() -> dict[str, JobKind]:
    from .scheduling import scheduled_jobs

    kinds = {name: JobKind(name, job.label or name) for name, job in scheduled_jobs().items()}
    for fn in hooks.get_hooks(JOB_KIND_HOOK):
        for kind in _flatten([fn()]):
            kinds[kind.name] = kind
    return kinds


def job_kind_label(name: str):
    kind = job_kinds().get(name)
    return kind.label if kind else name


def job_start(
    *, kind: str, task, owner=None, title: str = "", params: dict | None = None, total: int = 0
) -> BackgroundJob:
    """Record a job and enqueue ``task(job.pk)`` once the current transaction commits."""
    job = BackgroundJob.objects.create(
        kind=kind,
        title=str(title)[:255],
        owner=owner if getattr(owner, "pk", None) else None,
        params=params or {},
        total=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: _enqueue(job.pk, task))
    return job


def _enqueue(job_id, task):
    try:
        result = task.enqueue(job_id)
    except Exception as error:  # the queue is down: say so on the job instead of a stuck bar
        logger.exception("Could not enqueue background job %s", job_id)
        job = BackgroundJob.objects.filter(pk=job_id).first()
        with translation.override(job.language if job else settings.LANGUAGE_CODE):
            _mark_failed(job_id, _("The job could not be queued: %(error)s") % {"error": error})
        return
    # The immediate backend has already run the job by now; the id is only a cross-reference.
    BackgroundJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:100])


def _mark_failed(job_id, message):
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


class JobReporter:
    """What a running task uses to report on its job (a no-op when run without a job)."""

    def __init__(self, job: BackgroundJob | None):
        self.job = job
        self.discarded = False
        self._side_connection = None
        self._wrote_in_transaction = False

    @property
    def params(self) -> dict:
        return self.job.params if self.job is not None else {}

    def progress(self, done: int, total: int | None = None):
        if self.job is None:
            return
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
            self.job.total = total
        self.job.done = done
        connection = connections[BackgroundJob.objects.db]
        if connection.in_atomic_block and connection.vendor != "sqlite":
            # Work that runs in one transaction (an all-or-nothing import) reports through a
            # second connection, so the progress shows while the transaction is still open.
            # (SQLite has one writer at a time: there the bar moves when the work commits.)
            if not self._wrote_in_transaction and self._write_aside(fields):
                return
            # The job row is not visible outside this transaction (it was made in it): write
            # here, and from now on only here, so the two connections never wait on each other.
            self._wrote_in_transaction = True
        BackgroundJob.objects.filter(pk=self.job.pk).update(**fields)

    def _write_aside(self, fields) -> bool:
        if self._side_connection is None:
            self._side_connection = connections.create_connection(BackgroundJob.objects.db)
        ops = self._side_connection.ops
        table = ops.quote_name(BackgroundJob._meta.db_table)
        columns = ", ".join(f"{ops.quote_name(name)} = %s" for name in fields)
        try:
            with self._side_connection.cursor() as cursor:
                # Never wait on a row lock (that could only be this thread's own transaction).
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    f"UPDATE {table} SET {columns} WHERE id = %s", [*fields.values(), self.job.pk]
                )
                return cursor.rowcount == 1
        except DatabaseError:
            logger.warning("Progress of job %s is written with the work instead", self.job.pk)
            return False

    def close(self):
        if self._side_connection is not None:
            self._side_connection.close()
            self._side_connection = None

    def save_result(self, name: str, content: bytes | File):
        """Store the job's downloadable file through the default storage."""
        if self.job is None:
            return
        if isinstance(content, bytes):
            content = ContentFile(content)
        self.job.result.save(name, content, save=False)
        self.job.result_name = name[:255]
        if connections[BackgroundJob.objects.db].in_atomic_block:
            self._wrote_in_transaction = True
        BackgroundJob.objects.filter(pk=self.job.pk).update(
            result=self.job.result.name, result_name=self.job.result_name
        )

    def save_zip(self, name: str, members):
        """Write ``members`` — (file name, function returning its bytes) pairs — into a zip, one
        step of progress per member, and keep the zip as the job's result. Large zips spill
        from memory to a temporary file; the result goes to the storage, not to a local path."""
        members = list(members)
        self.progress(0, len(members))
        with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as buffer:
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for done, (member_name, render) in enumerate(members, 1):
                    archive.writestr(member_name, render())
                    self.progress(done)
            buffer.seek(0)
            self.save_result(name, File(buffer, name=name))

    def finish(self, message: str = ""):
        if self.job is not None:
            self.job.message = str(message)

    def discard(self):
        """Forget this run (a scheduled job that found nothing to do leaves no row)."""
        self.discarded = True


@contextlib.contextmanager
def job_run(job_id: int | None):
    """Run the body as the job ``job_id``: running → done, or failed with the reason."""
    if job_id is None:
        yield JobReporter(None)
        return
    job = BackgroundJob.objects.get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        job.status = BackgroundJob.Status.RUNNING
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "started_at", "error"])
        reporter = JobReporter(job)
        # Run inside a transaction (a test, an in-request backend), the row is now this
        # transaction's: progress is written with it.
        reporter._wrote_in_transaction = connections[BackgroundJob.objects.db].in_atomic_block
        try:
            yield reporter
        except JobError as error:
            _mark_failed(job.pk, str(error))
            return
        except Exception as error:
            _mark_failed(
                job.pk,
                _("The job stopped with an unexpected error: %(error)s")
                % {"error": f"{type(error).__name__}: {error}"},
            )
            raise
        finally:
            reporter.close()
        if reporter.discarded:
            BackgroundJob.objects.filter(pk=job.pk).delete()
            return
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.DONE,
            done=job.total if job.total and job.done < job.total else job.done,
            message=job.message,
            finished_at=timezone.now(),
        )


def run_counting_job(job_id: int | None, work, describe) -> int:
    """Run ``work()``, which returns how many things it did, as the job ``job_id``;
    ``describe(count)`` is the outcome in the owner's language (a reminder run, say)."""
    with job_run(job_id) as job:
        count = work()
        job.progress(count, count)
        job.finish(describe(count))
        return count
