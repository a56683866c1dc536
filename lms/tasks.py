"""Background work of the platform core: large spreadsheet imports, the HR staff file."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from .importing import (
    ImportFileError,
    import_summary,
    report_problems,
    run_import,
    upload_reader,
)
from .jobs import JobError, job_run


@task()
def run_spreadsheet_import(job_id: int):
    """Import a confirmed spreadsheet all-or-nothing; every bad row is named on the job."""
    with job_run(job_id) as job:
        params = job.params
        name = params["file"]
        try:
            with default_storage.open(name, "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise JobError(_("The uploaded file is gone; upload it again.")) from None
        try:
            resource_class = import_string(params["resource"])
            try:
                dataset = upload_reader(resource_class)(content, name=f"upload.{params['format']}")
            except ImportFileError as error:
                raise JobError(str(error)) from None
            job.progress(0, len(dataset))
            owner = get_user_model().objects.filter(pk=job.job.owner_id).first()
            resource = resource_class(acting_user=owner)
            _report_rows(resource, job)
            try:
                report = run_import(resource, dataset, dry_run=False, user=owner)
            except ValidationError as error:
                raise JobError("\n".join(error.messages)) from None
            if not report.ok:
                # Nothing was saved: run_import rolled the whole file back.
                raise JobError(
                    _("Nothing was imported.") + "\n" + "\n".join(report_problems(report))
                )
            job.progress(len(dataset))
            job.finish(import_summary(report))
        finally:
            default_storage.delete(name)


def _report_rows(resource, job, *, every: int = 100):
    """Tell the job about every ``every``-th row the resource imports."""
    after_import_row = resource.after_import_row
    rows = 0

    def counted(row, row_result, **kwargs):
        nonlocal rows
        after_import_row(row, row_result, **kwargs)
        rows += 1
        if rows % every == 0:
            job.progress(rows)

    resource.after_import_row = counted


@task()
def sync_directory(job_id: int | None = None):
    """Bring the accounts up to date with the company directory (scheduled; lms.directory)."""
    from .directory import DirectoryUnreachable, directory_sync

    with job_run(job_id) as job:
        try:
            report = directory_sync(job=job)
        except DirectoryUnreachable as error:
            raise JobError(str(error)) from error
        job.finish(report.describe())
        # Nothing is returned: a task's result must be JSON for the queue's backends, and the
        # report is on the job's row.


@task()
def hr_sync(job_id: int | None = None):
    """Read the HR system's staff file and propose (or apply) it (``lms.hr_sync``)."""
    from .hr_sync import HrSyncError, hr_sync_check

    with job_run(job_id) as job:
        if not settings.HR_SYNC_SOURCE.strip():
            job.discard()  # not configured: no row in the job list every few minutes
            return
        try:
            message = hr_sync_check()
        except HrSyncError as error:
            raise JobError(str(error)) from None
        job.finish(message)
