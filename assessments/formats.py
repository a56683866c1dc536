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

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import escape, unescape
from typing import NamedTuple
from urllib.parse import quote
from xml.etree import ElementTree

import nh3
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lms.uploads import UploadRefused, check_document, check_image, stored_name

from . import answers as keys
from . import services
from .models import Question, QuestionType
from .models.questions import CHOICE_TYPES, LETTERS, MAX_OPTIONS

POINTS_STEP = Decimal("0.01")
POINTS_MAX = Decimal("9999.99")  # Question.points: six digits, two of them decimals


class QuestionFileError(Exception):
    """The file cannot be read at all."""


def read_question_file(handle, *, name: str) -> bytes:
    """The bytes of a Moodle XML or GIFT file, refused past ``IMPORT_MAX_FILE_SIZE``."""
    from lms.uploads import check_size

    limit = settings.IMPORT_MAX_FILE_SIZE
    content = handle.read(limit + 1)
    try:
        check_size(name, len(content), limit)
    except UploadRefused as refused:
        raise QuestionFileError(refused.messages[0]) from None
    return content


@dataclass
class ParsedQuestion:
    number: int
    type: str
    stem: str  # HTML
    name: str = ""
    category: str = ""
    options: list = field(default_factory=list)
    answer: object = None
    weights: list = field(default_factory=list)
    explanation: str = ""
    feedback: dict = field(default_factory=dict)
    difficulty: int = 3
    knowledge_points: list = field(default_factory=list)
    points: Decimal = Decimal(1)
    is_active: bool = True
    files: dict = field(default_factory=dict)  # name -> (bytes, image format or ""), checked
    problem: str = ""
    unsupported: str = ""  # why the question cannot be held here (it may be skipped)
    removed: int = 0  # HTML elements the cleaning removed


class Problem(NamedTuple):
    number: int  # 0: the file as a whole
    name: str
    message: str


@dataclass
class QuestionImportReport:
    created: int = 0
    problems: list = field(default_factory=list)  # [Problem]
    skipped: list = field(default_factory=list)  # [Problem]: left out, with the reason
    removed: int = 0  # HTML elements removed by cleaning, over the whole file

    @property
    def ok(self) -> bool:
        return not self.problems


def problem_label(problem: Problem) -> str:
    """“Question 3 (“Ohm's law”): …” as the command and the admin print it."""
    if not problem.number:
        return problem.message
    if problem.name:
        return _("Question %(number)s (“%(name)s”): %(message)s") % problem._asdict()
    return _("Question %(number)s: %(message)s") % problem._asdict()


def _text(html: str) -> str:
    return unescape(strip_tags(html or "")).strip()


def _category_path(text: str) -> str:
    path = (text or "").strip()
    # Moodle writes a slash inside a category name as //.
    path = path.replace("//", "／")
    path = re.sub(r"^\$(course|system|module|cat\d+|coursecategory)\$/?", "", path)
    path = re.sub(r"^top(/|$)", "", path)
    return path.strip("/")


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value if value is not None else "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fraction(value) -> Decimal:
    # A missing, NaN or infinite fraction reads as no weight.
    return _number(value or "0") or Decimal(0)


def _weight_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00001')).normalize():f}"


def _points(value, question: "ParsedQuestion", field_name: str) -> Decimal:
    """A grade rounded to the points field's two decimals, or a problem naming the field."""
    number = _number(value)
    rounded = None
    if number is not None and abs(number) < POINTS_MAX * 10:
        rounded = number.quantize(POINTS_STEP, rounding=ROUND_HALF_UP)
    if rounded is None or not POINTS_STEP <= rounded <= POINTS_MAX:
        question.problem = question.problem or _(
            "%(field)s “%(value)s” does not fit the points field (0.01 to 9999.99)"
        ) % {"field": field_name, "value": value}
        return Decimal(1)
    return rounded


# -- HTML -----------------------------------------------------------------------------------

ALLOWED_TAGS = {"p", "br", "div", "span", "ul", "ol", "li", "table", "thead", "tbody", "tfoot",
                "tr", "th", "td", "caption", "strong", "b", "em", "i", "u", "s", "sub", "sup",
                "blockquote", "pre", "code", "h3", "h4", "h5", "h6", "hr", "img", "a"}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
PLUGINFILE = "@@PLUGINFILE@@/"
START_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)")


def _keep_attribute(tag, attribute, value):
    # Images only from the file itself (stored here on import); links only to the web.
    if tag == "img" and attribute == "src":
        return value if value.startswith(PLUGINFILE) else None
    if tag == "a" and attribute == "href":
        if value.startswith(PLUGINFILE) or re.match(r"^(https?:|mailto:)", value, re.I):
            return value
        return None
    return value


def clean_html(html: str) -> tuple[str, int]:
    """HTML through an allow-list: paragraphs, lists, tables, emphasis, sub/sup, line breaks,
    links to the web and images carried in the file. Returns the HTML and how many elements
    (and images from elsewhere) were removed."""
    html = html or ""
    removed = sum(1 for tag in START_TAG.findall(html) if tag.lower() not in ALLOWED_TAGS)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    # An image whose source was dropped shows nothing: remove it and count it.
    cleaned, foreign = re.subn(r"<img(?![^>]*\bsrc=)[^>]*>", "", cleaned)
    return cleaned, removed + foreign


def _rich_text(text: str, text_format: str) -> tuple[str, int]:
    """A stem in Moodle's formats as clean HTML."""
    text = text or ""
    if text_format in ("plain_text", "plain"):
        return services.text_to_rich_text(text), 0
    if text_format == "markdown":
        import markdown

        return clean_html(markdown.markdown(text, extensions=["tables", "sane_lists"]))
    if text_format in ("moodle_auto_format", "moodle", "") and not re.search(r"<[a-zA-Z/]", text):
        return services.text_to_rich_text(text), 0
    return clean_html(text)


# -- Moodle XML -----------------------------------------------------------------------------

# Moodle types we cannot hold; each is refused, or skipped and reported.
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
        is_active=(element.findtext("hidden", "0") or "0").strip() not in ("1", "true"),
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


def _read_extension(attributes: dict, question: ParsedQuestion):
    """What our own export wrote for Moodle to ignore: the exact type, key and weights."""

    def value(key):
        found = attributes.get(key, "[]")
        return json.loads(found) if isinstance(found, str) else found

    try:
        if "type" in attributes:
            question.type = attributes["type"]
            question.answer = value("answer")
            question.weights = value("weights")
        if isinstance(attributes.get("feedback"), dict):
            question.feedback.update(attributes["feedback"])
    except ValueError:
        question.problem = _("the gridacademy answer is not valid JSON")


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
    _choices_from_weights(question, [(f, _text(t), fb) for f, t, fb in found], single=single)


def _choices_from_weights(question: ParsedQuestion, found, *, single: bool):
    """Options, key and (where they mean more than right/wrong) weights, as Moodle grades."""
    if len(found) > MAX_OPTIONS:
        question.unsupported = _("a choice question has at most 8 options")
        return
    question.options = [text for _f, text, _fb in found]
    fractions = [f for f, _t, _fb in found]
    outside = [f for f in fractions if not -100 <= f <= 100]
    if outside:
        question.problem = _("the answer fraction “%(value)s” is not between -100 and 100") % {
            "value": outside[0]
        }
        return
    if any(fb for _f, _t, fb in found):
        question.feedback["options"] = [fb for _f, _t, fb in found]
    if single:
        best = max(fractions, default=Decimal(0))
        question.type = QuestionType.SINGLE
        question.answer = [LETTERS[fractions.index(best)]] if best > 0 else []
        if any(f not in (0, 100) for f in fractions) or fractions.count(Decimal(100)) > 1:
            question.weights = [_weight_text(f) for f in fractions]
            if fractions.count(Decimal(100)) > 1:
                question.unsupported = _(
                    "a single-choice question with more than one option worth all the points "
                    "is not supported"
                )
        return
    right = [LETTERS[i] for i, f in enumerate(fractions) if f > 0]
    question.type = QuestionType.MULTIPLE if len(right) > 1 else QuestionType.SINGLE
    question.answer = right
    if question.type == QuestionType.SINGLE:
        # One right option among "choose any": Moodle grades it as a single choice would,
        # apart from what the wrong options take away.
        if any(f not in (0, 100) for f in fractions):
            question.weights = [_weight_text(f) for f in fractions]
        return
    question.weights = [_weight_text(f) for f in fractions]


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
        try:
            if extension in settings.WAGTAILIMAGES_EXTENSIONS and extension != "svg":
                image_format = check_image(
                    data,
                    name=name,
                    formats=[e for e in settings.WAGTAILIMAGES_EXTENSIONS if e != "svg"],
                    max_bytes=settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
                    max_pixels=settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS,
                )
                files[name] = (data, image_format)
                continue
            if not settings.IMPORT_QUESTION_DOCUMENTS:
                return files, _(
                    "the file “%(name)s” is not an image, and this site does not take other "
                    "files with imported questions (IMPORT_QUESTION_DOCUMENTS)"
                ) % {"name": name}
            check_document(data, name=name)
            files[name] = (data, "")
        except UploadRefused as refused:
            return files, refused.messages[0]
    return files, ""


def _cdata(text: str) -> str:
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _export_stem(stem: str) -> tuple[str, list[str]]:
    """Rich text as Moodle HTML: embedded images and documents become @@PLUGINFILE@@ files."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    files = []

    def attach(stored) -> str:
        name = stored.name.rsplit("/", 1)[-1]
        with stored.open("rb") as handle:
            data = base64.b64encode(handle.read()).decode()
        files.append(f'<file name="{escape(name)}" path="/" encoding="base64">{data}</file>')
        return name

    def image(match):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(0)))
        found = get_image_model().objects.filter(pk=attributes.get("id")).first()
        if found is None:
            return ""
        alt = escape(attributes.get("alt", ""))
        return f'<img src="{PLUGINFILE}{escape(attach(found.file))}" alt="{alt}">'

    def document(match):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        found = get_document_model().objects.filter(pk=attributes.get("id")).first()
        if found is None:
            return match.group(2)
        return f'<a href="{PLUGINFILE}{escape(attach(found.file))}">{match.group(2)}</a>'

    html = re.sub(r'<embed[^>]*embedtype="image"[^>]*/?>', image, stem or "")
    html = re.sub(r'<a([^>]*linktype="document"[^>]*)>(.*?)</a>', document, html, flags=re.S)
    return html, files


def _name(question) -> str:
    return question.name or _text(question.stem)[:60]


def _moodle_fractions(question) -> list[Decimal]:
    """Each option's fraction as Moodle grades it, meaning what our grading means.

    Without weights a multiple choice earns its points only when no wrong option is ticked:
    each right option is worth its share and each wrong one -100%, so ticking everything
    earns nothing (as partial credit here); all-or-nothing travels in the extension.
    """
    if question.weights:
        return [Decimal(str(w)) for w in question.weights]
    right = set(question.answer)
    if question.type == QuestionType.SINGLE:
        return [
            Decimal(100) if LETTERS[i] in right else Decimal(0)
            for i in range(len(question.options))
        ]  # noqa: E501
    share = Decimal(100) / len(right)
    return [share if LETTERS[i] in right else Decimal(-100) for i in range(len(question.options))]


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


# -- GIFT -----------------------------------------------------------------------------------

ESCAPED = {"\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05",
           "\\:": "\x06", "\\n": "\n", "\\\\": "\x07"}  # fmt: skip
RESTORE = {"\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":",
           "\x07": "\\"}  # fmt: skip
GIFT_EXTENSION = "// gridacademy:"
GAP = "_____"


def _protect(text: str) -> str:
    # Left to right, so that \\ followed by = is a backslash and then a plain =.
    return re.sub(r"\\(.)", lambda m: ESCAPED.get(m.group(0), m.group(0)), text)


def _restore(text: str) -> str:
    for marker, plain in RESTORE.items():
        text = text.replace(marker, plain)
    return text.strip()


def _gift_blocks(text: str):
    """(extension or None, block) for each blank-line separated block; comments dropped."""
    blocks, current, extension = [], [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(GIFT_EXTENSION):
            extension = stripped[len(GIFT_EXTENSION) :].strip()
            continue
        if stripped.startswith("//"):
            continue
        if not stripped:
            if current:
                blocks.append((extension, "\n".join(current)))
                current, extension = [], None
            continue
        if stripped.startswith("$CATEGORY:") and not current:
            blocks.append((None, stripped))
            continue
        current.append(line)
    if current:
        blocks.append((extension, "\n".join(current)))
    return blocks


def parse_gift(content: bytes) -> list[ParsedQuestion]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuestionFileError(_("A GIFT file must be UTF-8 text.")) from error
    category = ""
    questions = []
    for extension, block in _gift_blocks(text):
        block = _protect(block.strip())
        if block.startswith("$CATEGORY:"):
            category = _category_path(_restore(block[len("$CATEGORY:") :]))
            continue
        question = ParsedQuestion(number=len(questions) + 1, type="", stem="", category=category)
        questions.append(question)
        _gift_question(block, question)
        if extension and not question.problem and not question.unsupported:
            try:
                _read_extension(json.loads(extension), question)
            except (ValueError, AttributeError):
                question.problem = _("the gridacademy answer is not valid JSON")
    return questions


def _gift_text(text: str, text_format: str) -> tuple[str, int]:
    return _rich_text(_restore(text), {"": "moodle"}.get(text_format, text_format))


def _gift_question(block: str, question: ParsedQuestion):
    match = re.match(r"^::(.*?)::", block, flags=re.S)
    if match:
        question.name = _restore(match.group(1))[:255]
        block = block[match.end() :].strip()
    format_match = re.match(r"^\[(html|moodle|plain|markdown)\]", block)
    text_format = format_match.group(1) if format_match else ""
    if format_match:
        block = block[format_match.end() :]
    start = block.find("{")
    end = block.find("}", start + 1) if start >= 0 else -1
    if start < 0:
        if "}" in block:
            question.problem = _("the answers in { } are not opened with {")
            return
        question.type, question.answer = QuestionType.DESCRIPTION, []
        question.stem, question.removed = _gift_text(block, text_format)
        return
    if end < 0:
        question.problem = _("the answers in { } are not closed with }")
        return
    before, after = block[:start].rstrip(), block[end + 1 :].strip()
    stem = f"{before} {GAP} {after}" if after else before
    question.stem, question.removed = _gift_text(stem, text_format)
    answer_text = block[start + 1 : end]
    if "####" in answer_text:
        answer_text, general = answer_text.split("####", 1)
        question.explanation = _text(_restore(general))
    _gift_answers(answer_text.strip(), question)
    if after and question.type not in (QuestionType.FILL, QuestionType.SINGLE,
                                       QuestionType.TRUE_FALSE, QuestionType.MULTIPLE,
                                       QuestionType.NUMERICAL):  # fmt: skip
        question.unsupported = question.unsupported or _(
            "a gap in the middle of the text works for choices, short and numerical answers"
        )


def _split_feedback(body: str) -> tuple[str, str]:
    text, _sep, feedback = body.partition("#")
    return text, _text(_restore(feedback))


def _weighted(body: str, default: Decimal) -> tuple[Decimal, str]:
    match = re.match(r"\s*%(-?[\d.]+)%(.*)", body, re.S)
    if match:
        return _fraction(match.group(1)), match.group(2)
    return default, body


def _gift_answers(answer_text: str, question: ParsedQuestion):
    if not answer_text:
        question.type, question.answer = QuestionType.ESSAY, []
        return
    truefalse = re.match(r"^(T|TRUE|F|FALSE)\s*(#.*)?$", answer_text, re.I | re.S)
    if truefalse:
        question.type = QuestionType.TRUE_FALSE
        question.answer = truefalse.group(1).upper().startswith("T")
        notes = [_text(_restore(n)) for n in (truefalse.group(2) or "").split("#")[1:]]
        # Moodle: {T#shown when wrong#shown when right}
        if notes and notes[0]:
            question.feedback["incorrect"] = notes[0]
        if len(notes) > 1 and notes[1]:
            question.feedback["correct"] = notes[1]
        return
    if answer_text.startswith("#"):
        _gift_numerical(answer_text[1:].strip(), question)
        return
    tokens = re.findall(r"([=~])([^=~]*)", answer_text)
    if not tokens or answer_text.strip()[0] not in "=~":
        question.problem = _("the answers in { } cannot be read")
        return
    if all(sign == "=" and "->" in body for sign, body in tokens):
        question.type = QuestionType.MATCHING
        question.answer = []
        for _sign, body in tokens:
            prompt, _arrow, choice = body.partition("->")
            question.answer.append([_text(_restore(prompt)), _text(_restore(choice))])
        return
    if all(sign == "=" for sign, _body in tokens):
        alternatives = []
        for _sign, body in tokens:
            weight, body = _weighted(body, Decimal(100))
            text, feedback = _split_feedback(body)
            if weight != 100:
                question.unsupported = _("short answers worth part of the points are not supported")
                return
            alternatives.append(_text(_restore(text)))
            if feedback:
                question.feedback.setdefault("correct", feedback)
        question.type, question.answer = QuestionType.FILL, [alternatives]
        return
    found = []
    for sign, body in tokens:
        weight, body = _weighted(body, Decimal(100) if sign == "=" else Decimal(0))
        text, feedback = _split_feedback(body)
        found.append((weight, _text(_restore(text)), feedback))
    # Moodle: an answer marked = makes a single choice; weights on ~ alone allow several.
    _choices_from_weights(question, found, single=any(s == "=" for s, _b in tokens))


def _gift_numerical(text: str, question: ParsedQuestion):
    question.type = QuestionType.NUMERICAL
    parts = re.findall(r"([=~])([^=~]*)", text) if text[:1] in "=~" else [("=", text)]
    items = []
    for sign, body in parts:
        weight, body = _weighted(body, Decimal(100) if sign == "=" else Decimal(0))
        value, feedback = _split_feedback(body)
        value = _restore(value)
        if not value:  # ~#feedback: Moodle's "any other answer"
            continue
        try:
            if ".." in value:
                low, high = (Decimal(v.strip()) for v in value.split("..", 1))
                if low > high:
                    raise InvalidOperation
                items.append(keys.numerical_answer((low + high) / 2, (high - low) / 2, weight))
            else:
                number, _colon, tolerance = value.partition(":")
                items.append(keys.numerical_answer(number.strip(), tolerance.strip() or 0, weight))
        except (InvalidOperation, ValueError):
            question.problem = _("the numerical answer “%(value)s” is not a number") % {
                "value": value
            }
            return
        if feedback and weight >= 100:
            question.feedback.setdefault("correct", feedback)
    question.answer = {"answers": items, "units": []}


def _gift_escape(text: str) -> str:
    return re.sub(r"([~=#{}:\\])", r"\\\1", str(text)).replace("\n", "\\n")


def export_gift(queryset) -> bytes:
    """The questions as GIFT, as Moodle's own GIFT writer shapes them."""
    lines = []
    current = None
    for question in queryset.select_related("category").order_by("category__path", "pk"):
        path = question.category.full_path
        if path != current:
            current = path
            lines += [f"$CATEGORY: $course$/top/{path}", ""]
        lines.append(f"// question: {question.pk}  name: {_name(question)}")
        extension = _gift_extension(question)
        if extension:
            lines.append(f"{GIFT_EXTENSION} {json.dumps(extension, ensure_ascii=False)}")
        lines.append(_gift_question_text(question))
        lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _gift_extension(question) -> dict | None:
    """What GIFT cannot say, for our own import to read back (Moodle skips comments)."""
    extension = {}
    if (
        question.type == QuestionType.SHORT
        or (question.type == QuestionType.FILL and len(question.answer) > 1)
        or (question.type == QuestionType.MULTIPLE and not question.weights)
        or (question.type == QuestionType.NUMERICAL and question.answer.get("units"))
    ):
        extension = {"type": question.type, "answer": question.answer, "weights": []}
    outcome = {
        key: text
        for key, text in (question.feedback or {}).items()
        if key in ("correct", "partial", "incorrect") and text
    }
    if outcome and question.type != QuestionType.TRUE_FALSE:
        extension["feedback"] = outcome
    return extension or None


def _gift_question_text(question) -> str:
    stem, _files = _export_stem(question.stem)
    head = f"::{_gift_escape(_name(question))}::[html]{_gift_escape(stem)}"
    # Texts are plain here and HTML in the [html] question: escaped for both.
    general = f"####{_gift_escape(escape(question.explanation))}" if question.explanation else ""
    feedback = question.feedback or {}
    if question.type == QuestionType.DESCRIPTION:
        return head
    if question.type in (QuestionType.ESSAY, QuestionType.SHORT):
        return head + "{" + general + "}"
    if question.type == QuestionType.TRUE_FALSE:
        notes = ""
        if feedback.get("incorrect") or feedback.get("correct"):
            notes = (
                f"#{_gift_escape(escape(feedback.get('incorrect', '')))}"
                f"#{_gift_escape(escape(feedback.get('correct', '')))}"
            )
        return head + "{" + ("TRUE" if question.answer else "FALSE") + notes + general + "}"
    if question.type in CHOICE_TYPES:
        option_feedback = feedback.get("options") or []
        answers = []
        for index, (option, fraction) in enumerate(
            zip(question.options, _moodle_fractions(question), strict=True)
        ):
            if question.type == QuestionType.SINGLE and fraction == 100:
                sign = "="
            elif fraction == 0:
                sign = "~"
            else:
                sign = f"~%{_weight_text(fraction)}%"
            note = option_feedback[index] if index < len(option_feedback) else ""
            answers.append(
                f"\t{sign}{_gift_escape(escape(option))}"
                + (f"#{_gift_escape(escape(note))}" if note else "")
            )
        return head + "{\n" + "\n".join(answers) + general + "\n}"
    if question.type == QuestionType.FILL:
        answers = [f"\t={_gift_escape(escape(alt))}" for alt in question.answer[0]]
        return head + "{\n" + "\n".join(answers) + general + "\n}"
    if question.type == QuestionType.NUMERICAL:
        answers = [
            f"\t=%{item['fraction']}%{item['value']}:{item['tolerance']}"
            for item in question.answer["answers"]
        ]
        return head + "{#\n" + "\n".join(answers) + general + "\n}"
    if question.type == QuestionType.MATCHING:
        pairs = [
            f"\t={_gift_escape(escape(prompt))} -> {_gift_escape(escape(choice))}"
            for prompt, choice in question.answer
        ]
        return head + "{\n" + "\n".join(pairs) + general + "\n}"
    raise ValueError(question.type)


# -- saving ---------------------------------------------------------------------------------


def _store_files(question: ParsedQuestion, *, dry_run: bool, stored: list) -> str:
    """Save the question's files (images as Wagtail images, others as documents) and point the
    stem at them.

    The files were checked when the file was read. A dry run stores no file (a rolled-back
    transaction cannot take a file back); a real run lists what it stored in ``stored`` so that
    the caller can remove the files if the import is refused after all.
    """
    from io import BytesIO

    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    stem = question.stem
    for name, (data, image_format) in question.files.items():
        # Moodle writes the name plain in <file name> and URL-encoded in src/href.
        spellings = {escape(name), escape(quote(name)), escape(quote(name, safe="/"))}
        source = re.escape(PLUGINFILE) + "(?:" + "|".join(map(re.escape, spellings)) + ")"
        if image_format:
            pk = 0
            if not dry_run:
                image = get_image_model()(title=name[:255])
                image.file = ImageFile(BytesIO(data), name=stored_name(name, image_format))
                image.save()
                stored.append(image.file)
                pk = image.pk

            def embed(match, pk=pk):
                alt = re.search(r'\balt="([^"]*)"', match.group(0))
                return (
                    f'<embed alt="{alt.group(1) if alt else ""}" embedtype="image" '
                    f'format="fullwidth" id="{pk}"/>'
                )

            stem = re.sub(r'<img[^>]*\bsrc="' + source + r'"[^>]*>', embed, stem)
        else:
            pk = 0
            if not dry_run:
                document = get_document_model()(title=name[:255])
                document.file = ContentFile(data, name=name)
                document.save()
                stored.append(document.file)
                pk = document.pk
            stem = re.sub(
                r'<a[^>]*href="' + source + r'"[^>]*>',
                f'<a id="{pk}" linktype="document">',
                stem,
            )
    # A reference to a file the question did not carry shows nothing.
    stem = re.sub(r'<img[^>]*src="' + re.escape(PLUGINFILE) + r'[^"]*"[^>]*>', "", stem)
    return stem


def import_question_file(
    questions, *, default_category=None, dry_run=False, skip_unsupported=False, acting_user=None
) -> QuestionImportReport:
    """Save every question or none; with ``skip_unsupported``, questions of types we cannot hold
    are left out and listed in ``report.skipped`` instead of refusing the file."""
    report = QuestionImportReport()
    stored = []  # files written to storage, removed again if nothing is saved
    if default_category is None and any(not q.category for q in questions):
        report.problems.append(
            Problem(
                0,
                "",
                _(
                    "The file names no category for some questions ($CATEGORY in GIFT, a "
                    "category question in Moodle XML): choose a category for them."
                ),
            )
        )
        return report
    with transaction.atomic():
        cache = {}
        for parsed in questions:
            if parsed.unsupported:
                target = report.skipped if skip_unsupported else report.problems
                target.append(Problem(parsed.number, parsed.name, parsed.unsupported))
                continue
            if parsed.problem:
                report.problems.append(Problem(parsed.number, parsed.name, parsed.problem))
                continue
            try:
                _save(parsed, default_category, cache, dry_run, stored, acting_user)
                report.created += 1
                report.removed += parsed.removed
            except ValidationError as error:
                for message in _named_messages(error):
                    report.problems.append(Problem(parsed.number, parsed.name, message))
        if report.problems or dry_run:
            transaction.set_rollback(True)
    if report.problems:
        report.created = 0
        for stored_file in stored:
            stored_file.storage.delete(stored_file.name)
    return report


def _named_messages(error: ValidationError) -> list[str]:
    """Each message with the field it is about, in the words the admin form uses."""
    if not hasattr(error, "error_dict"):
        return error.messages
    named = []
    for name, messages in error.message_dict.items():
        try:
            label = str(Question._meta.get_field(name).verbose_name)
        except Exception:  # NON_FIELD_ERRORS and the like
            label = ""
        named += [f"{label}: {message}" if label else message for message in messages]
    return named


def _save(parsed, default_category, cache, dry_run, stored, acting_user):
    if parsed.category:
        category = services.category_for_path(parsed.category, cache=cache)
    else:
        category = default_category
    stem = _store_files(parsed, dry_run=dry_run, stored=stored) if parsed.files else parsed.stem
    if not _text(stem) and "<embed" not in stem:
        raise ValidationError(_("the stem is empty"))
    # A name that only repeats the start of the stem (what exports write) says nothing more.
    name = "" if parsed.name == _text(stem)[:60] else parsed.name
    services.question_create(
        category=category,
        type=parsed.type,
        name=name,
        stem=stem,
        options=parsed.options if parsed.type in CHOICE_TYPES else [],
        answer=parsed.answer,
        weights=parsed.weights,
        explanation=parsed.explanation,
        feedback=parsed.feedback,
        difficulty=parsed.difficulty,
        knowledge_points=parsed.knowledge_points,
        points=parsed.points,
        is_active=parsed.is_active,
        acting_user=acting_user,
    )


def import_parsed(questions, *, default_category=None, dry_run=False, acting_user=None):
    """Save every question or none. Returns (created, [(number, message), …])."""
    report = import_question_file(
        questions, default_category=default_category, dry_run=dry_run, acting_user=acting_user
    )
    return report.created, [(p.number, p.message) for p in report.problems]


def export_queryset():
    return Question.objects.all()
