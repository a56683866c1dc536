"""Spreadsheet cells that cannot run as formulas, for every XLSX and CSV export.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet programs as a formula (CSV/DDE injection); ``neutralise`` puts an apostrophe in front
so the text shows as typed. ``NeutralisingExportMixin`` applies it to a Wagtail
``SpreadsheetExportMixin`` view (reports, listings with ``?export=``).
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value``, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(row):
    return [neutralise(value) for value in row]


class NeutralisingExportMixin:
    """Mix in before ``SpreadsheetExportMixin``: every exported text cell is neutralised."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))
