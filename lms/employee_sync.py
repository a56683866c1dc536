"""Employee master data from another system: the API's bulk upsert and the HR file sync.

Both go through the spreadsheet import's resource (``lms.resources.EmployeeResource``), so a
row is checked exactly as an uploaded sheet's row is and its problems read the same. On top of
the import: *leavers* — with ``deactivate_missing`` the rows are the whole roster, and every
employee still on it (active or on leave) whom the rows no longer name is marked as left (the
account is switched off and signed out everywhere). Everything happens in one transaction
and leaves one entry in the audit trail; a dry run reports what would change and writes nothing.
"""

from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, services
from .importing import ImportReport, report_problems, run_import
from .models import Employee
from .resources import COLUMN_ALIASES, EmployeeResource

EMPLOYEES_SYNCED = audit.EMPLOYEES_SYNCED
# The import's column for each attribute (the API's field names are the English ones).
COLUMNS = {
    "number": "工号",
    "name": "姓名",
    "department": "部门编码",
    "position": "岗位编码",
    "hire_date": "入职日期",
    "status": "状态",
    "phone": "手机",
    "email": "邮箱",
}


class SyncRefused(Exception):
    """The rows cannot be applied; ``problems`` says why, row by row."""

    def __init__(self, problems: list[str], report: ImportReport | None = None):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.report = report


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivated),
        }


def dataset_from_rows(rows: list[dict]) -> tablib.Dataset:
    """The API's rows as the import's sheet; a row's label is its place in the list (from 1)."""
    dataset = tablib.Dataset(headers=list(COLUMNS.values()))
    for row in rows:
        dataset.append([_cell(row.get(name)) for name in COLUMNS])
    dataset.row_labels = list(range(1, len(rows) + 1))
    return dataset


def _cell(value):
    return "" if value is None else value


def _numbers_by_row(dataset) -> dict:
    """``{row label: employee number}`` as the import reads the 工号 column."""
    headers = [
        COLUMN_ALIASES.get(str(h).strip().lower(), str(h).strip()) for h in dataset.headers or []
    ]
    if "工号" not in headers:
        return {}
    column = headers.index("工号")
    labels = getattr(dataset, "row_labels", None) or [n + 2 for n in range(len(dataset))]
    numbers = {}
    for label, row in zip(labels, dataset, strict=False):
        value = row[column]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        numbers[label] = services.normalise_employee_number(str(value or ""))
    return numbers


def employees_sync(
    *,
    dataset: tablib.Dataset,
    source: str,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    acting_user=None,
) -> SyncResult:
    """Create and update employees by employee number (工号) from ``dataset`` (the import's
    columns); with ``deactivate_missing``, mark everyone not in it as left. All or nothing:
    any bad row raises ``SyncRefused`` and nothing is saved. ``source`` says where the rows
    came from (the API, a file name) for the audit trail."""
    with transaction.atomic():
        report = run_import(
            EmployeeResource(acting_user=acting_user),
            dataset,
            dry_run=dry_run,
            user=acting_user,
            preview_limit=None,
        )
        if not report.ok:
            raise SyncRefused(report_problems(report), report)
        result = SyncResult(dry_run=dry_run, unchanged=report.unchanged)
        numbers = _numbers_by_row(dataset)
        for row in report.preview_rows:
            changed = result.created if row["import_type"] == "new" else result.updated
            changed.append(numbers.get(row["row"], ""))
        if deactivate_missing:
            leavers = list(
                Employee.objects.exclude(status=Employee.Status.LEFT)
                .exclude(number__in=set(numbers.values()))
                .order_by("number")
            )
            result.deactivated = [employee.number for employee in leavers]
            if leavers and not dry_run:
                for employee in leavers:
                    employee.status = Employee.Status.LEFT
                services.employees_bulk_update(
                    employees=leavers, fields=["status"], acting_user=acting_user
                )
        if not dry_run:
            audit.record_bulk(
                Employee,
                EMPLOYEES_SYNCED,
                user=acting_user,
                after=result.counts(),
                reason=source,
                extra={
                    "deactivate_missing": deactivate_missing,
                    "deactivated": result.deactivated[:1000],
                },
            )
    return result


def sync_summary(result: SyncResult) -> str:
    return (
        _(
            "%(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(deactivated)s marked as left."
        )
        % result.counts()
    )
