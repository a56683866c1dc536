"""Spreadsheet import and export helpers shared by every app's django-import-export resources.

* ``read_dataset`` turns an upload into a ``tablib.Dataset`` after checking its size and type.
* ``run_import`` runs a resource's import all-or-nothing and reports every bad row by its
  spreadsheet row number exactly as the spreadsheet shows it (blank rows counted).
* A resource may read its own uploads (title rows, several sheets …) with a ``read_upload``
  static method that returns a Dataset like ``read_dataset`` does; ``upload_reader`` finds it.
* The widgets read the values people actually type into spreadsheets.
"""

import csv
import datetime
import logging
from dataclasses import dataclass, field
from io import StringIO

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from .exceptions import DomainError
from .spreadsheets import dataset_bytes, unescape_cell
from .uploads import UploadRefused, inspect_zip


class SafeXLSX(XLSX):
    """XLSX export through ``lms.spreadsheets``: no cell can become a formula."""

    def export_data(self, dataset, **kwargs):
        return dataset_bytes(dataset, "xlsx")


class SafeCSV(CSV):
    """CSV export through ``lms.spreadsheets`` (UTF-8 with BOM, formula-like text escaped)."""

    def export_data(self, dataset, **kwargs):
        return dataset_bytes(dataset, "csv")


FORMATS = {"xlsx": SafeXLSX, "csv": SafeCSV}
logger = logging.getLogger(__name__)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileError(DomainError):
    """The uploaded file cannot be read at all (wrong type, too large, damaged)."""


def _file_format(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise ImportFileError(
            _("“%(name)s” is not a spreadsheet this import reads. Use an .xlsx or .csv file.")
            % {"name": name}
        )
    return extension


def read_dataset(uploaded, *, name: str | None = None):
    """Read an uploaded file (or bytes) into a Dataset; raise ImportFileError when it can't.

    The message of every refusal names the file and says why.
    """
    name = name or getattr(uploaded, "name", "upload")
    file_format = _file_format(name)
    content = uploaded if isinstance(uploaded, bytes) else uploaded.read()
    try:
        return _read_dataset(content, file_format, name)
    except ImportFileError as error:
        raise ImportFileError(
            _("“%(name)s” cannot be imported: %(reason)s") % {"name": name, "reason": error}
        ) from error


def upload_reader(resource_class):
    """The function that reads an upload for this resource: its own, or ``read_dataset``."""
    return getattr(resource_class, "read_upload", None) or read_dataset


def check_upload(content: bytes, *, name: str) -> str:
    """Size, emptiness and type checks of an uploaded spreadsheet; returns its format."""
    file_format = _file_format(name)
    try:
        _check_content(content, file_format, name)
    except ImportFileError as error:
        raise ImportFileError(
            _("“%(name)s” cannot be imported: %(reason)s") % {"name": name, "reason": error}
        ) from error
    return file_format


def decode_csv(content: bytes) -> str:
    """CSV bytes as text (UTF-8, or GB18030 as Excel in China saves it)."""
    return _decode_csv(content)


def _check_content(content: bytes, file_format: str, name: str):
    limit = settings.IMPORT_MAX_FILE_SIZE
    if len(content) > limit:
        raise ImportFileError(
            _("The file is %(size)s MB; the largest file this import takes is %(limit)s MB.")
            % {"size": round(len(content) / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)}
        )
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if file_format == "xlsx":
        _check_xlsx(content, name)


def _read_dataset(content: bytes, file_format: str, name: str):
    _check_content(content, file_format, name)
    if file_format == "xlsx":
        try:
            dataset = XLSX().create_dataset(content)
        except Exception as error:  # openpyxl raises many kinds on damaged files
            raise ImportFileError(
                _("The spreadsheet could not be read: %(error)s") % {"error": _reason(error)}
            ) from error
    else:
        dataset = _csv_dataset(_decode_csv(content))
    _strip_dataset(dataset)
    if not dataset.headers or not any(dataset.headers):
        raise ImportFileError(_("The first row must hold the column names."))
    if len(dataset) == 0:
        raise ImportFileError(_("The file has column names but no rows."))
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; one import takes at most %(limit)s.")
            % {"rows": len(dataset), "limit": settings.IMPORT_MAX_ROWS}
        )
    return dataset


def _csv_dataset(text: str):
    """The rows of a CSV file; short rows are padded, a row longer than the header is refused."""
    try:
        rows = list(csv.reader(StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file could not be read: %(error)s") % {"error": _reason(error)}
        ) from error
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    headers, *rows = rows
    dataset.headers = headers
    for number, row in enumerate(rows, 2):
        if not row:
            dataset.append([""] * len(headers))  # kept so that later rows keep their numbers
            continue
        if len(row) > len(headers) and any(cell.strip() for cell in row[len(headers) :]):
            raise ImportFileError(
                _("Row %(row)s has %(cells)s cells but there are only %(columns)s column names.")
                % {"row": number, "cells": len(row), "columns": len(headers)}
            )
        dataset.append((row + [""] * len(headers))[: len(headers)])
    return dataset


def _reason(error) -> str:
    # Library messages can be long (a whole XML fragment); keep the gist.
    text = str(error) or error.__class__.__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _check_xlsx(content: bytes, name: str):
    """Judge the workbook from its ZIP directory before openpyxl inflates anything."""
    if not content.startswith(b"PK"):
        raise ImportFileError(_("The file is not an .xlsx workbook."))
    try:
        members = inspect_zip(
            content, name=name, max_uncompressed=settings.IMPORT_XLSX_MAX_UNCOMPRESSED
        )
    except UploadRefused as refused:
        raise ImportFileError(refused.reason) from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ImportFileError(_("The file is not an .xlsx workbook."))


def _decode_csv(content: bytes) -> str:
    # Excel in China saves CSV as GB18030 (GBK) unless told otherwise; try UTF-8 first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # UTF-16 or a binary file; no database stores NUL in text
            raise ImportFileError(_("The CSV file holds NUL characters: it is not plain text."))
        return text
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 (GBK) text."))


def _strip_dataset(dataset):
    """Trim white space in headers and cells and drop rows that are entirely empty; the rows
    kept remember their spreadsheet row numbers (``dataset.row_labels``)."""
    if dataset.headers:
        dataset.headers = [str(header or "").strip() for header in dataset.headers]
    rows, labels = [], []
    for index, row in enumerate(dataset):
        # unescape_cell: a CSV export wrote '=… for text beginning like a formula; read it back.
        cleaned = [unescape_cell(v.strip()).strip() if isinstance(v, str) else v for v in row]
        if any(value not in (None, "") for value in cleaned):
            rows.append(cleaned)
            labels.append(sheet_row(index + 1))
    headers = dataset.headers
    dataset.wipe()
    dataset.headers = headers
    for row in rows:
        dataset.append(row)
    dataset.row_labels = labels


def sheet_row(number: int) -> int:
    """Spreadsheet row of the N-th data row (row 1 holds the column names)."""
    return number + 1


@dataclass
class RowProblem:
    row: int | str  # spreadsheet row, or Sheet!row when a workbook's sheets are read together
    messages: list[str]
    # An exception the resource did not expect (a bug, not a bad cell); logged with its trace.
    unexpected: bool = False


@dataclass
class ImportReport:
    """What an import did, or would do, in terms a person can act on."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    preview_rows: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    # What the file held that is not imported (sheets, columns): shown, never blocking.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_problems

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def _field_label(resource, key):
    if key == NON_FIELD_ERRORS:
        return ""
    for resource_field in resource.get_import_fields():
        if key in (resource_field.attribute, resource_field.column_name):
            return resource_field.column_name
    return key


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def report_from_result(resource, result, *, preview_limit=200, row_labels=None) -> ImportReport:
    def row_of(number):
        if row_labels and 0 < number <= len(row_labels):
            return row_labels[number - 1]
        return sheet_row(number)

    report = ImportReport(
        new=result.totals[RowResult.IMPORT_TYPE_NEW],
        updated=result.totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP],
        headers=[f.column_name for f in resource.get_import_fields()],
    )
    for error in result.base_errors:
        report.file_problems.append(_error_text(error.error))
    # When the sheet as a whole was refused (before_import raised), the rows were still run
    # through the resource and failed for that same reason: only the sheet's problem counts.
    row_errors = [] if result.base_errors else result.row_errors()
    for number, errors in row_errors:
        for error in errors:
            logger.error("Import row %s failed: %s\n%s", number, error.error, error.traceback)
        report.problems.append(
            RowProblem(
                row_of(number),
                [
                    _("this row could not be imported (%(error)s)") % {"error": error.error}
                    for error in errors
                ],
                unexpected=True,
            )
        )
    for invalid in result.invalid_rows:
        messages = []
        for key, values in invalid.error_dict.items():
            label = _field_label(resource, key)
            for message in values:
                messages.append(f"{label}: {message}" if label else str(message))
        report.problems.append(RowProblem(row_of(invalid.number), messages))
    if row_labels:
        order = {label: index for index, label in enumerate(row_labels)}
        report.problems.sort(key=lambda problem: order.get(problem.row, len(order)))
    else:
        report.problems.sort(key=lambda problem: problem.row)
    for index, row_result in enumerate(result.rows, 1):
        if len(report.preview_rows) >= preview_limit:
            break
        if row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            report.preview_rows.append(
                {
                    "row": row_of(index),
                    "import_type": row_result.import_type,
                    "label": row_result.object_repr or "",
                }
            )
    return report


def run_import(resource, dataset, *, dry_run: bool, user=None) -> ImportReport:
    """Import all-or-nothing: any bad row rolls the whole import back."""
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    report = report_from_result(resource, result, row_labels=getattr(dataset, "row_labels", None))
    report.notes = list(getattr(dataset, "import_notes", []))
    return report


def require_columns(dataset, columns):
    """Raise a row-independent error naming the required columns the sheet lacks."""
    missing = [column for column in columns if column not in (dataset.headers or [])]
    if missing:
        raise ValidationError(
            _("The sheet lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its code; codes are looked up once per import."""

    def __init__(self, model, field="code", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._cache = None

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        code = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            code = str(int(value))
        if self._cache is None:
            self._cache = {getattr(obj, self.field): obj for obj in self.get_queryset(value, row)}
        try:
            return self._cache[code]
        except KeyError:
            raise ValueError(
                _("no %(thing)s has the code “%(code)s”")
                % {"thing": self.model._meta.verbose_name, "code": code}
            ) from None


class ChoiceWidget(widgets.Widget):
    """A choice typed as its stored value or as its label in any language."""

    def __init__(self, choices, aliases=None, export_labels=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.aliases = {str(k).strip().lower(): v for k, v in (aliases or {}).items()}
        self.export_labels = export_labels or {}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        lowered = text.lower()
        for stored, label in self.choices:
            if lowered in (str(stored).lower(), str(label).lower()):
                return stored
        if lowered in self.aliases:
            return self.aliases[lowered]
        allowed = "、".join(str(label) for _stored, label in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return self.export_labels.get(value, value)


class FlexibleDateWidget(widgets.Widget):
    """Dates as Excel cells, Excel serial numbers or text such as 2024-03-01, 2024/3/1, 2024.3.1."""

    EXCEL_EPOCH = datetime.date(1899, 12, 30)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float):
            try:  # an Excel serial number; NaN, infinities and far-off numbers are no date
                return self.EXCEL_EPOCH + datetime.timedelta(days=int(value))
            except (ValueError, OverflowError):
                raise ValueError(
                    _("“%(value)s” is not a date; write it as YYYY-MM-DD") % {"value": value}
                ) from None
        text = str(value).strip().replace("/", "-").replace(".", "-")
        for suffix in ("年", "月"):
            text = text.replace(suffix, "-")
        text = text.replace("日", "")
        try:
            year, month, day = (int(part) for part in text.split("-")[:3])
            return datetime.date(year, month, day)
        except (ValueError, TypeError):
            raise ValueError(
                _("“%(value)s” is not a date; write it as YYYY-MM-DD") % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class TextWidget(widgets.CharWidget):
    """Text cells; numbers typed into a text column (phone numbers, codes) lose the '.0'."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()


IMPORT_HELP = gettext_lazy(
    "Row numbers are those the spreadsheet shows (blank and title rows counted). Nothing is "
    "saved while any row has a problem."
)


def report_problems(report: ImportReport) -> list[str]:
    """Each problem of a report as one line a person can act on, rows by spreadsheet number."""
    lines = list(report.file_problems)
    for problem in report.problems:
        lines.append(
            _("Row %(row)s: %(messages)s")
            % {"row": problem.row, "messages": "; ".join(problem.messages)}
        )
    return lines


def import_summary(report: ImportReport) -> str:
    return _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
