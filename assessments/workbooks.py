"""Question spreadsheets as trainers make them in Excel or WPS.

* the header row may sit below title rows, and its columns may be spelt as the templates of
  Chinese exam systems spell them (题目类型, 试题内容, 正确答案, 分数, 难易程度, 答案解析 …);
* every sheet with a recognised header row is read; other sheets are named as skipped;
* a column that is not recognised is named in the import's notes, never silently dropped;
* cells read as the spreadsheet displays them (95%, 2021-09-01, 0.00001), merged cells
  (a 题型 merged over a block of rows) give their value to every row they cover;
* each row keeps the number the spreadsheet shows (``Sheet!row`` when several sheets are read).
"""

import csv
import datetime
import math
import re
from decimal import Decimal
from io import BytesIO, StringIO

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from lms.importing import ImportFileError, check_upload, decode_csv
from lms.spreadsheets import unescape_cell

from . import answers
from .resources import COLUMN_SYNONYMS, COLUMNS, IGNORED_COLUMNS, STEM

HEADER_SEARCH_ROWS = 10


def canonical_column(header) -> str | None:
    """The column a header names, or None."""
    text = re.sub(r"\s+", "", str(header or "")).strip("*：:").lower()
    if not text:
        return None
    text = re.sub(r"[（(].*?[)）]$", "", text) or text  # 分值（分）, 难度(1-5)
    if text in COLUMN_SYNONYMS:
        return COLUMN_SYNONYMS[text]
    match = re.fullmatch(r"(?:选项|option)?([a-h])(?:选项)?", text)
    if match:
        return f"选项{match.group(1).upper()}"
    return None


def _decimals(number_format: str) -> int | None:
    match = re.search(r"0\.(0+)", number_format or "")
    return len(match.group(1)) if match else (0 if "0" in (number_format or "") else None)


def display_text(value, number_format: str = "General") -> str:
    """A cell as the spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        shows_time = isinstance(value, datetime.datetime) and re.search(
            r"h|s", (number_format or "").lower()
        )
        if "年" in (number_format or ""):
            text = f"{day.year}年{day.month}月{day.day}日"
        else:
            text = day.isoformat()
        return f"{text} {value:%H:%M}" if shows_time else text
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and not math.isfinite(value):
        return ""  # a spreadsheet's #DIV/0!-like infinity or NaN reads as an empty cell
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        percent = "%" in (number_format or "")
        if percent:
            number *= 100
        places = _decimals(number_format) if number_format != "General" else None
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places))
            text = f"{number:f}"
        else:
            text = f"{number.normalize():f}" if number != number.to_integral() else f"{int(number)}"
        return text + ("%" if percent else "")
    return str(value).strip()


def _sheets(content: bytes, file_format: str):
    """(sheet name, rows of (row number, [cell texts])) of each sheet."""
    if file_format == "csv":
        text = decode_csv(content)
        try:
            rows = list(csv.reader(StringIO(text, newline="")))
        except csv.Error as error:
            raise ImportFileError(
                _("The CSV file could not be read: %(error)s") % {"error": error}
            ) from error
        yield (
            "",
            [(n, [unescape_cell(c.strip()).strip() for c in r]) for n, r in enumerate(rows, 1)],
        )
        return
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(
            _("The spreadsheet could not be read: %(error)s") % {"error": error}
        ) from error
    try:
        for sheet in workbook.worksheets:
            merged = _merged_ranges(content, sheet)
            rows = []
            for number, cells in enumerate(sheet.iter_rows(), 1):
                texts = [
                    display_text(cell.value, getattr(cell, "number_format", "General"))
                    if cell.value is not None
                    else ""
                    for cell in cells
                ]
                rows.append((number, texts))
            for top, left, bottom, right in merged:
                if top - 1 >= len(rows):
                    continue
                value = rows[top - 1][1][left - 1] if left - 1 < len(rows[top - 1][1]) else ""
                for row in range(top, min(bottom, len(rows)) + 1):
                    texts = rows[row - 1][1]
                    while len(texts) < right:
                        texts.append("")
                    for column in range(left, right + 1):
                        texts[column - 1] = value
            yield sheet.title, rows
    finally:
        workbook.close()


def _merged_ranges(content: bytes, sheet) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet, read from the sheet's XML (read-only mode skips
    them)."""
    import zipfile

    from openpyxl.utils.cell import range_boundaries

    path = getattr(sheet, "_worksheet_path", None)
    if not path:
        return []
    with zipfile.ZipFile(BytesIO(content)) as archive:
        try:
            xml = archive.read(path.lstrip("/"))
        except KeyError:
            return []
    found = []
    for ref in re.findall(rb'<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"', xml):
        left, top, right, bottom = range_boundaries(ref.decode())
        found.append((top, left, bottom, right))
    return found


def _header_row(rows):
    """(index in rows, {column index: canonical name}) of the header row, or None."""
    for index, (_number, texts) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {i: canonical_column(text) for i, text in enumerate(texts)}
        named = {i: c for i, c in found.items() if c}
        if STEM in named.values() and len(named) >= 2:
            return index, named
    return None


def read_question_upload(content: bytes, *, name: str):
    """A question spreadsheet (every sheet with a recognised header) as one Dataset whose
    columns are ``resources.COLUMNS``; ``row_labels`` and ``import_notes`` go with it."""
    file_format = check_upload(content, name=name)
    dataset = tablib.Dataset(headers=list(COLUMNS))
    labels, notes, read_sheets = [], [], []
    sheets = list(_sheets(content, file_format))
    for sheet_name, rows in sheets:
        found = _header_row(rows)
        if found is None:
            if any(any(texts) for _n, texts in rows):
                notes.append(
                    _("Sheet “%(sheet)s” has no header row with a 题干 column; it was skipped.")
                    % {"sheet": sheet_name}
                )
            continue
        read_sheets.append((sheet_name, rows, found))
    if not read_sheets:
        raise ImportFileError(
            _(
                "“%(name)s” cannot be imported: no sheet has a header row naming the columns "
                "(题型, 题干, 答案 …) in its first %(rows)s rows."
            )
            % {"name": name, "rows": HEADER_SEARCH_ROWS}
        )
    several = len(read_sheets) > 1
    for sheet_name, rows, (header_index, columns) in read_sheets:
        header_texts = rows[header_index][1]
        for index, text in enumerate(header_texts):
            if text and index not in columns and canonical_column(text) is None:
                if re.sub(r"\s+", "", text).lower() in IGNORED_COLUMNS:
                    continue
                notes.append(
                    _(
                        "Column “%(column)s”%(sheet)s is not a column this import reads; its "
                        "values were not imported."
                    )
                    % {
                        "column": text,
                        "sheet": f" ({sheet_name})" if several else "",
                    }
                )
        # A sheet named after a question type (单选题, 判断题 …) gives rows without 题型 theirs.
        try:
            sheet_type = answers.TYPE_EXPORT[answers.parse_type(sheet_name)]
        except ValueError:
            sheet_type = ""
        positions = {name: index for index, name in columns.items()}
        width = len(header_texts)
        beyond = []
        for number, texts in rows[header_index + 1 :]:
            if not any(texts):
                continue
            if any(texts[width:]):
                beyond.append(f"{sheet_name}!{number}" if several else str(number))
            row = [
                texts[positions[column]]
                if column in positions and positions[column] < len(texts)
                else ""
                for column in COLUMNS
            ]
            if sheet_type and not row[0]:
                row[0] = sheet_type
            dataset.append(row)
            labels.append(f"{sheet_name}!{number}" if several else number)
        if beyond:
            notes.append(
                _("Row(s) %(rows)s have cells right of the last named column; they were not "
                  "imported.")
                % {"rows": ", ".join(beyond[:10]) + ("…" if len(beyond) > 10 else "")}
            )  # fmt: skip
    if len(dataset) == 0:
        raise ImportFileError(
            _("“%(name)s” cannot be imported: %(reason)s")
            % {"name": name, "reason": _("The file has column names but no rows.")}
        )
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; one import takes at most %(limit)s.")
            % {"rows": len(dataset), "limit": settings.IMPORT_MAX_ROWS}
        )
    dataset.row_labels = labels
    dataset.import_notes = notes
    return dataset
