"""Spreadsheet export that no cell can turn into a formula (CSV/formula injection).

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``). Every
XLSX and CSV export of the project is written here, and neutralises such text:

* **CSV** has no cell types, so the text gets a leading apostrophe (``'=HYPERLINK(…)``), the
  mark every spreadsheet program reads as "this is text" (``safe_cell``).
* **XLSX** cells are written as text cells, never formulas, and carry the ``quotePrefix``
  style: the same apostrophe Excel stores when someone types ``'=…`` by hand. The program shows
  the text unchanged and keeps it text even when the cell is edited; the value itself is not
  altered, so an export re-imports to the same data.

Numbers, dates and booleans stay what they are (a negative number is not a formula).

Imports undo the CSV escape (``unescape_cell``): a text cell ``'=x`` reads back as ``=x``, so
an employee list, indicator values or a question bank exported as CSV re-imports unchanged.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO, StringIO

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def is_dangerous(value) -> bool:
    """True for text that a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def safe_cell(value):
    """The value for a CSV cell: dangerous text gets a leading apostrophe."""
    if is_dangerous(value):
        return ESCAPE + value
    return value


def unescape_cell(value):
    """Undo ``safe_cell`` on a value read back from a spreadsheet."""
    if isinstance(value, str) and value.startswith(ESCAPE) and is_dangerous(value[1:]):
        return value[1:]
    return value


def _xlsx_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in XLSX at all; show them as U+FFFD instead of failing.
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)


def write_cell(cell, value):
    """Put ``value`` into an openpyxl cell as data: text stays text, never a formula."""
    if isinstance(value, str):
        value = _xlsx_text(value)
        cell.value = value
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
        return cell
    try:
        cell.value = value
    except (ValueError, TypeError):
        cell.value = _xlsx_text(str(value))
        cell.data_type = "s"
    return cell


def fill_sheet(sheet, *, headers: Sequence, rows: Iterable[Sequence], title: str | None = None):
    """Write a bold header row (frozen) and ``rows`` into an openpyxl worksheet."""
    from openpyxl.styles import Font

    if title:
        sheet.title = _sheet_title(title)
    bold = Font(bold=True)
    first_row = 1
    if headers:
        first_row = 2
        for column, header in enumerate(headers, 1):
            write_cell(sheet.cell(row=1, column=column), _plain(header)).font = bold
        sheet.freeze_panes = "A2"
    for row_number, row in enumerate(rows, first_row):
        for column, value in enumerate(row, 1):
            write_cell(sheet.cell(row=row_number, column=column), _plain(value))
    return sheet


def _sheet_title(title) -> str:
    return re.sub(r"[\\*?:/\[\]]", "-", str(title))[:31] or "Sheet"


def _plain(value):
    """Lazy translations and other objects become text; data types openpyxl knows stay."""
    if value is None or isinstance(
        value, str | int | float | Decimal | bool | datetime.date | datetime.time
    ):
        return value
    return str(value)


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], *, title: str | None = None) -> bytes:
    """One worksheet as an XLSX file."""
    from openpyxl import Workbook

    workbook = Workbook()
    fill_sheet(workbook.active, headers=headers, rows=rows, title=title)
    return workbook_bytes(workbook)


def workbook_bytes(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A CSV file in UTF-8 with a byte-order mark (so Excel in China opens it as UTF-8)."""
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if headers:
        writer.writerow([safe_cell(_csv_text(h)) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(_csv_text(value)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def dataset_bytes(dataset, file_format: str) -> bytes:
    """A tablib Dataset (an import-export resource's export) as safe XLSX or CSV."""
    headers = list(dataset.headers or [])
    rows = list(dataset)
    if file_format == "xlsx":
        return xlsx_bytes(headers, rows, title=dataset.title or None)
    if file_format == "csv":
        return csv_bytes(headers, rows)
    raise ValueError(f"unknown spreadsheet format {file_format!r}")


class NeutralisingExportMixin:
    """For Wagtail's own ``SpreadsheetExportMixin`` views (reports, listings with ``?export=``),
    which write with their own writer: mix in before it and every text cell is neutralised."""

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))
