"""HR master data without the API: the HR system's staff file, read on a schedule.

The HR system drops its staff list — the spreadsheet employee import's columns, CSV or XLSX — in
a folder, or serves it at a URL (``HR_SYNC_SOURCE``). The scheduled job ``lms.hr_sync`` reads
it (in a folder: the newest .csv/.xlsx file) whenever it changed, and works out by a dry run
what applying it would do: employees created, updated and — the file being the whole staff
(``HR_SYNC_DEACTIVATE_MISSING``) — marked as left. The outcome is an ``HrSyncRun`` that HR
reads under Organisation → HR staff files and applies (or, with ``HR_SYNC_AUTO_APPLY``, the job
applies a file without problems itself). Applying is all-or-nothing through
``lms.employee_sync`` and leaves one audit entry; a newer file supersedes a waiting one.
"""

import hashlib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .employee_sync import SyncRefused, employees_sync, sync_summary
from .importing import FORMATS, ImportFileError, read_dataset
from .models import HrSyncRun


class HrSyncError(Exception):
    """The staff file cannot be fetched, or a run cannot be applied; the message says why."""


def fetch_staff_file() -> tuple[str, bytes] | None:
    """``(file name, content)`` of the HR system's current staff file, or None when no source
    is set."""
    source = settings.HR_SYNC_SOURCE.strip()
    if not source:
        return None
    limit = settings.IMPORT_MAX_FILE_SIZE
    if source.startswith(("http://", "https://")):
        name = Path(urllib.parse.urlsplit(source).path).name or "staff.csv"
        if name.rsplit(".", 1)[-1].lower() not in FORMATS:
            name = f"{name}.{settings.HR_SYNC_FORMAT}"
        try:
            with urllib.request.urlopen(  # noqa: S310 (the URL is the operator's setting)
                source, timeout=settings.HR_SYNC_TIMEOUT_SECONDS
            ) as response:
                content = response.read(limit + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise HrSyncError(
                _("The staff file could not be fetched from %(source)s: %(error)s")
                % {"source": source, "error": getattr(error, "reason", error)}
            ) from None
        return name, content
    folder = Path(source)
    if not folder.is_dir():
        raise HrSyncError(_("The drop folder %(folder)s does not exist.") % {"folder": folder})
    files = [
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower().lstrip(".") in FORMATS
    ]
    if not files:
        return None
    newest = max(files, key=lambda path: (path.stat().st_mtime, path.name))
    with newest.open("rb") as handle:
        return newest.name, handle.read(limit + 1)


def hr_sync_propose(*, name: str, content: bytes, source: str) -> HrSyncRun:
    """Work out what the staff file would change (a dry run) and keep it for HR to read."""
    deactivate = settings.HR_SYNC_DEACTIVATE_MISSING
    run = HrSyncRun(
        file_name=name[:255],
        source=source[:500],
        checksum=hashlib.sha256(content).hexdigest(),
        deactivate_missing=deactivate,
    )
    try:
        result = employees_sync(
            dataset=read_dataset(content, name=name),
            source=name,
            deactivate_missing=deactivate,
            dry_run=True,
        )
    except ImportFileError as error:
        run.status, run.problems = HrSyncRun.Status.REFUSED, [str(error)]
    except SyncRefused as refused:
        run.status, run.problems = HrSyncRun.Status.REFUSED, refused.problems
    else:
        run.changes = {
            "created": result.created,
            "updated": result.updated,
            "deactivated": result.deactivated,
        }
        run.unchanged = result.unchanged
    with transaction.atomic():
        if run.status == HrSyncRun.Status.PROPOSED:
            HrSyncRun.objects.filter(status=HrSyncRun.Status.PROPOSED).update(
                status=HrSyncRun.Status.SUPERSEDED
            )
        run.file.save(name, ContentFile(content), save=False)
        run.save()
    return run


@transaction.atomic
def hr_sync_apply(*, run: HrSyncRun, acting_user=None) -> HrSyncRun:
    """Apply a waiting staff file, all or nothing, as its dry run showed (re-checked now: a
    row that became wrong meanwhile refuses the file and nothing is saved)."""
    run = HrSyncRun.objects.select_for_update().get(pk=run.pk)
    if run.status != HrSyncRun.Status.PROPOSED:
        raise HrSyncError(
            _("This file is %(status)s; only a file waiting for HR can be applied.")
            % {"status": run.get_status_display()}
        )
    with run.file.open("rb") as handle:
        content = handle.read()
    try:
        # employees_sync is atomic in itself: a refusal leaves nothing of the file behind.
        result = employees_sync(
            dataset=read_dataset(content, name=run.file_name),
            source=run.file_name,
            deactivate_missing=run.deactivate_missing,
            acting_user=acting_user,
        )
    except (ImportFileError, SyncRefused) as error:
        run.status = HrSyncRun.Status.REFUSED
        run.problems = getattr(error, "problems", None) or [str(error)]
        run.save(update_fields=["status", "problems"])
        return run
    run.status = HrSyncRun.Status.APPLIED
    run.changes = {
        "created": result.created,
        "updated": result.updated,
        "deactivated": result.deactivated,
    }
    run.unchanged = result.unchanged
    run.applied_at = timezone.now()
    run.applied_by = acting_user if getattr(acting_user, "pk", None) else None
    run.save()
    return run


def hr_sync_check() -> str:
    """The scheduled job's work: fetch the staff file and, when it changed, propose it (and
    apply it with ``HR_SYNC_AUTO_APPLY``). Returns what happened, for the job's outcome."""
    fetched = fetch_staff_file()
    if fetched is None:
        return _("No staff file to read.")
    name, content = fetched
    last = HrSyncRun.objects.order_by("-created_at", "-pk").first()
    if last is not None and last.checksum == hashlib.sha256(content).hexdigest():
        return _("The staff file has not changed since %(when)s.") % {
            "when": timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
        }
    run = hr_sync_propose(name=name, content=content, source=settings.HR_SYNC_SOURCE)
    if run.status == HrSyncRun.Status.REFUSED:
        return _("%(name)s has problems; nothing was changed.") % {"name": name}
    if settings.HR_SYNC_AUTO_APPLY:
        run = hr_sync_apply(run=run)
        if run.status == HrSyncRun.Status.APPLIED:
            return _("%(name)s applied: %(summary)s") % {"name": name, "summary": summary(run)}
        return _("%(name)s has problems; nothing was changed.") % {"name": name}
    return _("%(name)s waits for HR: %(summary)s") % {"name": name, "summary": summary(run)}


def summary(run: HrSyncRun) -> str:
    from .employee_sync import SyncResult

    return sync_summary(
        SyncResult(
            created=run.changes.get("created", []),
            updated=run.changes.get("updated", []),
            deactivated=run.changes.get("deactivated", []),
            unchanged=run.unchanged,
        )
    )
