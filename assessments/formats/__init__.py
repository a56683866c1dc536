"""Moodle XML and GIFT question files, in and out.

Both parsers turn a file into ``ParsedQuestion`` records; ``import_question_file`` checks them all
and saves them all, or nothing, naming every problem by its question number (1 = the first
question of the file, categories not counted) and its name. A question of a type we do not hold
(Moodle's cloze, calculated, drag-and-drop …) fails the file, or, asked to skip such questions,
is left out and listed with its reason. What Moodle cannot say exactly (short answers marked by
keywords, fill-ins with several blanks, all-or-nothing multiple choice) travels in a
``<gridacademy>`` element (Moodle XML) or a ``// gridacademy:`` comment line (GIFT), both of
which Moodle ignores.

Imported HTML is cleaned with an allow-list (``clean_html``); whatever is removed is counted.
"""

from .common import (
    ParsedQuestion,
    Problem,
    QuestionFileError,
    QuestionImportReport,
    clean_db_html,
    clean_html,
    problem_label,
    read_question_file,
)
from .gift import export_gift, parse_gift
from .moodle import export_moodle_xml, parse_moodle_xml
from .saving import export_queryset, import_parsed, import_question_file

__all__ = [
    "ParsedQuestion",
    "Problem",
    "QuestionFileError",
    "QuestionImportReport",
    "clean_db_html",
    "clean_html",
    "export_gift",
    "export_moodle_xml",
    "export_queryset",
    "import_parsed",
    "import_question_file",
    "parse_gift",
    "parse_moodle_xml",
    "problem_label",
    "read_question_file",
]
