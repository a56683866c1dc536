"""Moodle XML, as Moodle writes it, in and out."""

import base64
import json
import re
from decimal import Decimal
from html import escape
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from django.conf import settings
from django.utils.translation import gettext as _

from lms.uploads import UploadRefused, check_document, check_image

from .. import answers as keys
from ..models import QuestionType
from ..models.questions import CHOICE_TYPES, LETTERS, MAX_OPTIONS
from .common import (
    GAP,
    POINTS_STEP,
    ParsedQuestion,
    QuestionFileError,
    _category_path,
    _choices_from_weights,
    _export_stem,
    _fraction,
    _moodle_fractions,
    _name,
    _number,
    _points,
    _read_extension,
    _rich_text,
    _text,
    _weight_text,
    _weighted,
)

UNSUPPORTED_MOODLE = {
    "calculated": "calculated",
    "calculatedsimple": "calculated (simple)",
    "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "randomsamatch": "random short-answer matching",
    "random": "random question",
    "ordering": "ordering",
    "multichoiceset": "all-or-nothing multiple choice",
}


def _feedback_text(element, path: str) -> str:
    return _text(element.findtext(f"{path}/text", "") or "")


def parse_moodle_xml(content: bytes) -> list[ParsedQuestion]:
    # defusedxml: no DTD at all, so no entity expansion (billion laughs) and no external entity.
    try:
        root = DefusedElementTree.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise QuestionFileError(
            _("The Moodle XML file declares a DTD or entities, which an import does not accept.")
        ) from None
    except (ElementTree.ParseError, ValueError) as error:
        raise QuestionFileError(
            _("The Moodle XML file could not be read: %(error)s") % {"error": error}
        ) from error
    if root.tag != "quiz":
        raise QuestionFileError(_("A Moodle XML file starts with <quiz>."))
    category = ""
    questions = []
    for element in root.findall("question"):
        kind = element.get("type", "")
        if kind == "category":
            category = _category_path(element.findtext("category/text", ""))
            continue
        questions.append(_moodle_question(element, kind, len(questions) + 1, category))
    return questions


def _moodle_question(element, kind: str, number: int, category: str) -> ParsedQuestion:
    question = ParsedQuestion(
        number=number,
        type="",
        stem="",
        name=(element.findtext("name/text", "") or "").strip()[:255],
        category=category,
        explanation=_feedback_text(element, "generalfeedback"),
        # Moodle 3 writes 0/1; Moodle 4 may write the version status (ready, hidden, draft).
        is_active=(element.findtext("hidden", "0") or "0").strip().lower()
        not in ("1", "true", "hidden", "draft"),
    )
    if kind in UNSUPPORTED_MOODLE or kind not in MOODLE_READERS:
        question.unsupported = _("the Moodle question type “%(type)s” is not supported") % {
            "type": UNSUPPORTED_MOODLE.get(kind, kind)
        }
        return question
    text_element = element.find("questiontext")
    text_format = text_element.get("format", "html") if text_element is not None else "html"
    question.stem, question.removed = _rich_text(
        element.findtext("questiontext/text", "") or "", text_format
    )
    question.files, file_problem = _read_files(text_element)
    question.problem = file_problem
    grade = element.findtext("defaultgrade")
    if grade is None and kind in ("cloze", "multianswer"):  # the sum of its gaps' weights
        grade = str(sum(int(w or 1) for w, _k, _b in CLOZE_GAP.findall(question.stem)) or 1)
    grade = "1" if grade is None else grade
    if kind != "description":
        question.points = _points(grade, question, "defaultgrade")
    elif (_number(grade) or 0) >= POINTS_STEP:
        # A description earns nothing on the exam; a grade is kept only so that ours round-trip.
        question.points = _points(grade, question, "defaultgrade")
    if _number(element.findtext("penalty", "0") or "0") is None:
        question.problem = question.problem or _("penalty “%(value)s” is not a number") % {
            "value": element.findtext("penalty")
        }
    for tag in element.findall("tags/tag/text"):
        value = (tag.text or "").strip()
        match = re.match(r"^(?:difficulty|难度)[:：](\d)$", value)
        if match:
            question.difficulty = int(match.group(1))
        elif value:
            question.knowledge_points.append(value)
    for name, path in (
        ("correct", "correctfeedback"),
        ("partial", "partiallycorrectfeedback"),
        ("incorrect", "incorrectfeedback"),
    ):
        text = _feedback_text(element, path)
        if text:
            question.feedback[name] = text
    MOODLE_READERS[kind](element, question)
    extension = element.find("gridacademy")
    if extension is not None and not question.unsupported:
        _read_extension(extension.attrib, question)
    return question


def _answers(element) -> list[tuple[Decimal, str, str]]:
    """(fraction, text, feedback) of each <answer>."""
    return [
        (
            _fraction(a.get("fraction")),
            a.findtext("text", "") or "",
            _text(a.findtext("feedback/text", "") or ""),
        )
        for a in element.findall("answer")
    ]


def _read_choice(element, question: ParsedQuestion):
    found = _answers(element)
    single = (element.findtext("single", "true") or "").strip().lower() in ("true", "1")
    for index, (_fraction_value, text, _feedback) in enumerate(found[:MAX_OPTIONS]):
        if re.search(r"<img\b", text, re.I):
            # Options are plain text here: an image in one would be lost.
            question.unsupported = _(
                "option %(letter)s holds an image; options with images are not supported"
            ) % {"letter": LETTERS[index]}
            return
    _choices_from_weights(question, [(f, _text(t), fb) for f, t, fb in found], single=single)


def _read_truefalse(element, question: ParsedQuestion):
    question.type = QuestionType.TRUE_FALSE
    found = _answers(element)
    right = [text.strip().lower() for f, text, _fb in found if f > 0]
    question.answer = bool(right) and right[0] == "true"
    for fraction, _text_value, feedback in found:
        if feedback:
            question.feedback["correct" if fraction > 0 else "incorrect"] = feedback


def _read_shortanswer(element, question: ParsedQuestion):
    found = _answers(element)
    question.type = QuestionType.FILL
    if any(0 < f < 100 for f, _t, _fb in found):
        question.unsupported = _("short answers worth part of the points are not supported")
        return
    question.answer = [[_text(text) for f, text, _fb in found if f >= 100]]
    feedback = [fb for f, _t, fb in found if f >= 100 and fb]
    if feedback:
        question.feedback.setdefault("correct", feedback[0])


def _read_numerical(element, question: ParsedQuestion):
    question.type = QuestionType.NUMERICAL
    items = []
    for answer in element.findall("answer"):
        fraction = _fraction(answer.get("fraction"))
        text = (answer.findtext("text", "") or "").strip()
        if text == "*":  # Moodle's "any other answer"
            if fraction > 0:
                question.unsupported = _("“any answer” earning points is not supported")
            continue
        value, tolerance = _number(text), _number(answer.findtext("tolerance", "0") or "0")
        if value is None or tolerance is None:
            question.problem = _("the numerical answer “%(value)s” is not a number") % {
                "value": text
            }
            return
        items.append(keys.numerical_answer(value, tolerance, fraction))
    units = []
    for unit in element.findall("units/unit"):
        name = (unit.findtext("unit_name", "") or "").strip()
        multiplier = _number(unit.findtext("multiplier", "1") or "1")
        if name and multiplier:
            units.append({"unit": name, "multiplier": f"{multiplier.normalize():f}"})
    question.answer = {"answers": items, "units": units}


def _read_matching(element, question: ParsedQuestion):
    question.type = QuestionType.MATCHING
    question.answer = [
        [_text(sub.findtext("text", "") or ""), _text(sub.findtext("answer/text", "") or "")]
        for sub in element.findall("subquestion")
    ]


def _read_essay(element, question: ParsedQuestion):
    question.type, question.answer = QuestionType.ESSAY, []


def _read_description(element, question: ParsedQuestion):
    question.type, question.answer = QuestionType.DESCRIPTION, []


CLOZE_GAP = re.compile(r"\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}")
CLOZE_SHORT = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}


def _read_cloze(element, question: ParsedQuestion):
    """A cloze whose gaps are all short answers is a fill-in with one blank per gap (the gap
    shown as a line in the stem). Gaps of other kinds (MULTICHOICE, NUMERICAL), gaps of
    different weights and answers worth part of a gap have no fill-in equivalent."""
    text = element.findtext("questiontext/text", "") or ""
    gaps = CLOZE_GAP.findall(text)
    kinds = sorted({kind.upper() for _weight, kind, _body in gaps} - CLOZE_SHORT)
    if not gaps or kinds:
        question.unsupported = _(
            "a cloze question with %(kinds)s gaps is not supported (only short-answer gaps)"
        ) % {"kinds": ", ".join(kinds) or "no"}
        return
    if len({weight or "1" for weight, _kind, _body in gaps}) > 1:
        question.unsupported = _("a cloze question whose gaps differ in weight is not supported")
        return
    blanks = []
    for _weight, _kind, body in gaps:
        alternatives = []
        for part in re.split(r"(?<!\\)~", body):
            weight, answer = _weighted(part.lstrip("="), Decimal(100) if part.startswith("=")
                                       else Decimal(0))  # fmt: skip
            answer = re.sub(r"\\(.)", r"\1", re.split(r"(?<!\\)#", answer)[0])
            if weight >= 100:
                alternatives.append(_text(answer))
            elif weight > 0:
                question.unsupported = _("short answers worth part of the points are not supported")
                return
        blanks.append(alternatives)
    question.type, question.answer = QuestionType.FILL, blanks
    text_format = element.find("questiontext").get("format", "html")
    if element.find("gridacademy") is not None:
        # Our own export put the gaps in a last paragraph after the stem as it was.
        text = re.sub(r"<p>(?:\s*" + CLOZE_GAP.pattern + r")+\s*</p>\s*$", "", text)
    question.stem, question.removed = _rich_text(CLOZE_GAP.sub(GAP, text), text_format)


MOODLE_READERS = {
    "cloze": _read_cloze,
    "multianswer": _read_cloze,
    "multichoice": _read_choice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "matching": _read_matching,
    "essay": _read_essay,
    "description": _read_description,
}


def _read_files(text_element) -> tuple[dict, str]:
    """The files carried in the question text, each checked as an upload would be."""
    files = {}
    if text_element is None:
        return files, ""
    for file_element in text_element.findall("file"):
        if file_element.get("encoding") != "base64":
            continue
        name = file_element.get("name", "") or "file"
        try:
            data = base64.b64decode(re.sub(r"\s+", "", file_element.text or ""), validate=True)
        except ValueError:
            return files, _("the file “%(name)s” is not valid base64") % {"name": name}
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        image_formats = [e for e in settings.WAGTAILIMAGES_EXTENSIONS if e != "svg"]
        # An image is known by its content, whatever its name says; it is stored under its
        # real type. Anything else is a document, checked as a document upload would be.
        try:
            image_format = check_image(
                data,
                name=name,
                formats=image_formats,
                max_bytes=settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
                max_pixels=settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS,
            )
            files[name] = (data, image_format)
            continue
        except UploadRefused as refused:
            if extension in image_formats:
                return files, refused.messages[0]
        if not settings.IMPORT_QUESTION_DOCUMENTS:
            return files, _(
                "the file “%(name)s” is not an image, and this site does not take other "
                "files with imported questions (IMPORT_QUESTION_DOCUMENTS)"
            ) % {"name": name}
        try:
            check_document(data, name=name)
        except UploadRefused as refused:
            return files, refused.messages[0]
        files[name] = (data, "")
    return files, ""


def _cdata(text: str) -> str:
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _feedback_xml(tag: str, text: str) -> str:
    return f'<{tag} format="html"><text>{_cdata(escape(text))}</text></{tag}>' if text else ""


def export_moodle_xml(queryset) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    current = None
    categories = {}
    for question in queryset.select_related("category").order_by("category__path", "pk"):
        if question.category_id not in categories:
            categories[question.category_id] = question.category.full_path
        path = categories[question.category_id]
        if path != current:
            current = path
            moodle_path = "/".join(part.replace("/", "//") for part in path.split("/"))
            parts.append(
                '<question type="category"><category><text>'
                f"$course$/top/{escape(moodle_path, quote=False)}</text></category>"
                '<info format="html"><text></text></info><idnumber></idnumber></question>'
            )
        parts.append(_moodle_question_xml(question))
    parts.append("</quiz>")
    return "\n".join(parts).encode("utf-8")


MOODLE_KIND = {
    QuestionType.SINGLE: "multichoice",
    QuestionType.MULTIPLE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.FILL: "shortanswer",
    QuestionType.SHORT: "essay",
    QuestionType.ESSAY: "essay",
    QuestionType.NUMERICAL: "numerical",
    QuestionType.MATCHING: "matching",
    QuestionType.DESCRIPTION: "description",
}


def _cloze_gap(alternatives) -> str:
    """A short-answer gap of a Moodle cloze; its special characters escaped as Moodle reads them."""
    escaped = [re.sub(r'([\\}#~/"{])', r"\\\1", alt) for alt in alternatives]
    return "{1:SHORTANSWER:" + "~".join(f"={escape(alt, quote=False)}" for alt in escaped) + "}"


def _moodle_question_xml(question) -> str:
    stem, files = _export_stem(question.stem)
    feedback = question.feedback or {}
    kind = MOODLE_KIND[question.type]
    several_blanks = question.type == QuestionType.FILL and len(question.answer) > 1
    if several_blanks:
        # Moodle holds several blanks only as a cloze: one short-answer gap per blank, in a
        # last paragraph, each worth the same share as here.
        kind = "cloze"
        stem += f"<p>{' '.join(_cloze_gap(blank) for blank in question.answer)}</p>"
    # Names are written plain: escape() for XML only, so “O'Neil” stays O'Neil in Moodle.
    body = [
        f'<question type="{kind}">',
        f"<name><text>{escape(_name(question), quote=False)}</text></name>",
        f'<questiontext format="html"><text>{_cdata(stem)}</text>{"".join(files)}</questiontext>',
        f'<generalfeedback format="html"><text>{_cdata(escape(question.explanation))}'
        "</text></generalfeedback>",
        f"<defaultgrade>{question.points:.7f}</defaultgrade>",
        f"<hidden>{0 if question.is_active else 1}</hidden>",
    ]
    option_feedback = feedback.get("options") or []
    if question.type in CHOICE_TYPES:
        body.append(f"<single>{'true' if question.type == 'single' else 'false'}</single>")
        body.append("<shuffleanswers>true</shuffleanswers>")
        for tag, key in (("correctfeedback", "correct"),
                         ("partiallycorrectfeedback", "partial"),
                         ("incorrectfeedback", "incorrect")):  # fmt: skip
            body.append(_feedback_xml(tag, feedback.get(key, "")))
        for index, (option, fraction) in enumerate(
            zip(question.options, _moodle_fractions(question), strict=True)
        ):
            note = option_feedback[index] if index < len(option_feedback) else ""
            body.append(
                f'<answer fraction="{_weight_text(fraction)}" format="html">'
                f"<text>{_cdata(escape(option))}</text>{_feedback_xml('feedback', note)}</answer>"
            )
        if question.type == QuestionType.MULTIPLE and not question.weights:
            body.append(_extension(question))
    elif question.type == QuestionType.TRUE_FALSE:
        for value in ("true", "false"):
            right = (value == "true") == bool(question.answer)
            note = feedback.get("correct" if right else "incorrect", "")
            body.append(
                f'<answer fraction="{100 if right else 0}" format="moodle_auto_format">'
                f"<text>{value}</text>{_feedback_xml('feedback', note)}</answer>"
            )
    elif several_blanks:
        body.append(_extension(question))
    elif question.type == QuestionType.FILL:
        for alternative in question.answer[0]:
            body.append(
                f'<answer fraction="100" format="moodle_auto_format">'
                f"<text>{escape(alternative, quote=False)}</text></answer>"
            )
    elif question.type == QuestionType.SHORT:
        body.append(_extension(question))
    elif question.type == QuestionType.NUMERICAL:
        for item in question.answer["answers"]:
            body.append(
                f'<answer fraction="{item["fraction"]}" format="moodle_auto_format">'
                f"<text>{item['value']}</text><tolerance>{item['tolerance']}</tolerance></answer>"
            )
        if question.answer.get("units"):
            body.append("<units>")
            for unit in question.answer["units"]:
                body.append(
                    f"<unit><multiplier>{unit['multiplier']}</multiplier>"
                    f"<unit_name>{escape(unit['unit'], quote=False)}</unit_name></unit>"
                )
            body.append("</units><unitgradingtype>0</unitgradingtype><showunits>3</showunits>")
    elif question.type == QuestionType.MATCHING:
        body.append("<shuffleanswers>true</shuffleanswers>")
        for prompt, choice in question.answer:
            body.append(
                f'<subquestion format="html"><text>{_cdata(escape(prompt))}</text>'
                f"<answer><text>{escape(choice, quote=False)}</text></answer></subquestion>"
            )
    body.append("<tags>")
    body.append(f"<tag><text>difficulty:{question.difficulty}</text></tag>")
    for point in question.knowledge_points:
        body.append(f"<tag><text>{escape(point, quote=False)}</text></tag>")
    body.append("</tags></question>")
    return "".join(body)


def _extension(question) -> str:
    answer = escape(json.dumps(question.answer, ensure_ascii=False), quote=True)
    weights = escape(json.dumps(question.weights or []), quote=True)
    return f'<gridacademy type="{question.type}" answer="{answer}" weights="{weights}"/>'
