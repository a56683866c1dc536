"""Moodle XML (import and export) and GIFT (import) question files.

Both parsers turn a file into ``ParsedQuestion`` records; ``import_parsed`` checks them all and
saves them all, or nothing, naming every problem by its question number (1 = the first question
of the file, categories not counted). Types the formats lack (short answers marked by keywords,
fill-ins with several blanks) travel in a ``<gridacademy>`` element that Moodle ignores.
"""

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape, unescape
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lms.uploads import UploadRefused, check_image, check_size, stored_name

from . import services
from .models import Question, QuestionType
from .models.questions import CHOICE_TYPES, LETTERS


class QuestionFileError(Exception):
    """The file cannot be read at all."""


def read_question_file(handle, *, name: str) -> bytes:
    """The bytes of a Moodle XML or GIFT file, refused past ``IMPORT_MAX_FILE_SIZE``."""
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
    category: str = ""
    options: list = field(default_factory=list)
    answer: object = None
    explanation: str = ""
    difficulty: int = 3
    knowledge_points: list = field(default_factory=list)
    points: Decimal = Decimal(1)
    images: dict = field(default_factory=dict)  # name -> (bytes, format), already checked
    problem: str = ""


def _text(html: str) -> str:
    return unescape(strip_tags(html or "")).strip()


def _category_path(text: str) -> str:
    path = (text or "").strip()
    path = re.sub(r"^\$(course|system|module|cat\d+)\$/?", "", path)
    path = re.sub(r"^top/?", "", path)
    return path.strip("/")


def _fraction(value) -> Decimal:
    try:
        number = Decimal(str(value or "0").strip())
    except InvalidOperation:
        return Decimal(0)
    # NaN cannot be compared and Infinity cannot be stored: both read as no weight.
    return number if number.is_finite() else Decimal(0)


# -- Moodle XML -----------------------------------------------------------------------------


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
        number = len(questions) + 1
        text_element = element.find("questiontext")
        stem = element.findtext("questiontext/text", "") or ""
        images, image_problem = _read_images(text_element)
        question = ParsedQuestion(
            number=number,
            type="",
            stem=stem.strip(),
            category=category,
            explanation=_text(element.findtext("generalfeedback/text", "")),
            points=_fraction(element.findtext("defaultgrade", "1")) or Decimal(1),
            images=images,
            problem=image_problem,
        )
        for tag in element.findall("tags/tag/text"):
            value = (tag.text or "").strip()
            match = re.match(r"^(?:difficulty|难度)[:：](\d)$", value)
            if match:
                question.difficulty = int(match.group(1))
            elif value:
                question.knowledge_points.append(value)
        answers = [
            (_fraction(a.get("fraction")), a.findtext("text", "") or "")
            for a in element.findall("answer")
        ]
        extension = element.find("gridacademy")
        if extension is not None:
            question.type = extension.get("type", "")
            try:
                question.answer = json.loads(extension.get("answer", "[]"))
            except ValueError:
                question.problem = _("the gridacademy answer is not valid JSON")
        elif kind == "multichoice":
            single = (element.findtext("single", "true") or "").strip().lower() in ("true", "1")
            question.options = [_text(text) for _fraction_value, text in answers]
            right = [LETTERS[i] for i, (f, _t) in enumerate(answers) if f > 0 and i < 8]
            question.answer = right
            question.type = (
                QuestionType.SINGLE if single or len(right) == 1 else QuestionType.MULTIPLE
            )
            if len(answers) > 8:
                question.problem = _("a choice question has at most 8 options")
        elif kind == "truefalse":
            right = [text.strip().lower() for f, text in answers if f > 0]
            question.type = QuestionType.TRUE_FALSE
            question.answer = bool(right) and right[0] == "true"
        elif kind in ("shortanswer", "numerical"):
            question.type = QuestionType.FILL
            question.answer = [[_text(text) for f, text in answers if f > 0]]
        elif kind == "essay":
            question.type = QuestionType.ESSAY
            question.answer = []
        else:
            question.problem = _("the question type “%(type)s” is not supported") % {"type": kind}
        questions.append(question)
    return questions


def _read_images(text_element) -> tuple[dict, str]:
    """The question text's embedded images, each checked as an image upload would be."""
    images = {}
    if text_element is None:
        return images, ""
    for file_element in text_element.findall("file"):
        if file_element.get("encoding") != "base64":
            continue
        name = file_element.get("name", "") or "image"
        try:
            data = base64.b64decode(re.sub(r"\s+", "", file_element.text or ""), validate=True)
        except ValueError:
            return images, _("the image “%(name)s” is not valid base64") % {"name": name}
        try:
            image_format = check_image(
                data,
                name=name,
                formats=[e for e in settings.WAGTAILIMAGES_EXTENSIONS if e != "svg"],
                max_bytes=settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
                max_pixels=settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS,
            )
        except UploadRefused as refused:
            return images, refused.messages[0]
        images[name] = (data, image_format)
    return images, ""


def _cdata(text: str) -> str:
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _export_stem(stem: str) -> tuple[str, list[str]]:
    """Rich text as Moodle HTML: embedded images become @@PLUGINFILE@@ files."""
    from wagtail.images import get_image_model

    files = []

    def replace(match):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(0)))
        image = get_image_model().objects.filter(pk=attributes.get("id")).first()
        if image is None:
            return ""
        name = image.file.name.rsplit("/", 1)[-1]
        with image.file.open("rb") as handle:
            data = base64.b64encode(handle.read()).decode()
        files.append(f'<file name="{escape(name)}" path="/" encoding="base64">{data}</file>')
        alt = escape(attributes.get("alt", ""))
        return f'<img src="@@PLUGINFILE@@/{escape(name)}" alt="{alt}">'

    html = re.sub(r'<embed[^>]*embedtype="image"[^>]*/?>', replace, stem or "")
    return html, files


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
            parts.append(
                '<question type="category"><category><text>'
                f"$course$/top/{escape(path)}</text></category></question>"
            )
        kind = {
            QuestionType.SINGLE: "multichoice",
            QuestionType.MULTIPLE: "multichoice",
            QuestionType.TRUE_FALSE: "truefalse",
            QuestionType.FILL: "shortanswer",
            QuestionType.SHORT: "essay",
            QuestionType.ESSAY: "essay",
        }[question.type]
        stem, files = _export_stem(question.stem)
        body = [
            f'<question type="{kind}">',
            f"<name><text>{escape(question.stem_text[:60])}</text></name>",
            f'<questiontext format="html"><text>{_cdata(stem)}</text>{"".join(files)}'
            "</questiontext>",
            f'<generalfeedback format="html"><text>{_cdata(escape(question.explanation))}'
            "</text></generalfeedback>",
            f"<defaultgrade>{question.points.normalize():f}</defaultgrade>",
        ]
        if question.type in CHOICE_TYPES:
            right = set(question.answer)
            share = Decimal(100) / len(right)
            body.append(f"<single>{'true' if question.type == 'single' else 'false'}</single>")
            body.append("<shuffleanswers>true</shuffleanswers>")
            for index, option in enumerate(question.options):
                fraction = share if LETTERS[index] in right else Decimal(0)
                body.append(
                    f'<answer fraction="{fraction.quantize(Decimal("0.00001")).normalize():f}" '
                    f'format="html"><text>{_cdata(escape(option))}</text></answer>'
                )
        elif question.type == QuestionType.TRUE_FALSE:
            for value in ("true", "false"):
                fraction = 100 if (value == "true") == bool(question.answer) else 0
                body.append(f'<answer fraction="{fraction}"><text>{value}</text></answer>')
        elif question.type == QuestionType.FILL:
            for alternative in question.answer[0]:
                body.append(f'<answer fraction="100"><text>{escape(alternative)}</text></answer>')
            if len(question.answer) > 1:
                body.append(_extension(question))
        elif question.type == QuestionType.SHORT:
            body.append(_extension(question))
        body.append("<tags>")
        body.append(f"<tag><text>difficulty:{question.difficulty}</text></tag>")
        for point in question.knowledge_points:
            body.append(f"<tag><text>{escape(point)}</text></tag>")
        body.append("</tags></question>")
        parts.append("".join(body))
    parts.append("</quiz>")
    return "\n".join(parts).encode("utf-8")


def _extension(question) -> str:
    answer = escape(json.dumps(question.answer, ensure_ascii=False), quote=True)
    return f'<gridacademy type="{question.type}" answer="{answer}"/>'


# -- GIFT -----------------------------------------------------------------------------------

ESCAPED = {"\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05",
           "\\:": "\x06", "\\n": "\n", "\\\\": "\x07"}  # fmt: skip
RESTORE = {"\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":",
           "\x07": "\\"}  # fmt: skip


def _protect(text: str) -> str:
    for escaped, marker in ESCAPED.items():
        text = text.replace(escaped, marker)
    return text


def _restore(text: str) -> str:
    for marker, plain in RESTORE.items():
        text = text.replace(marker, plain)
    return text.strip()


def parse_gift(content: bytes) -> list[ParsedQuestion]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuestionFileError(_("A GIFT file must be UTF-8 text.")) from error
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    blocks = re.split(r"\n\s*\n", _protect("\n".join(lines)))
    category = ""
    questions = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if block.startswith("$CATEGORY:"):
            category = _category_path(_restore(block[len("$CATEGORY:") :]))
            continue
        number = len(questions) + 1
        question = ParsedQuestion(number=number, type="", stem="", category=category)
        questions.append(question)
        block = re.sub(r"^::(.*?)::", "", block, flags=re.S).strip()
        is_html = block.startswith("[html]")
        block = re.sub(r"^\[(html|moodle|plain|markdown)\]", "", block)
        start, end = block.find("{"), block.rfind("}")
        if start < 0 or end < start:
            question.problem = _("the answers in { } are missing")
            continue
        stem = _restore(block[:start] + " " + block[end + 1 :])
        question.stem = stem if is_html else services.text_to_rich_text(stem)
        answer_text = block[start + 1 : end]
        if "####" in answer_text:
            answer_text, feedback = answer_text.split("####", 1)
            question.explanation = _restore(feedback)
        answer_text = answer_text.strip()
        if not answer_text:
            question.type, question.answer = QuestionType.ESSAY, []
        elif answer_text.upper() in ("T", "TRUE", "F", "FALSE") or re.match(
            r"^(T|TRUE|F|FALSE)\s*#", answer_text, re.I
        ):
            question.type = QuestionType.TRUE_FALSE
            question.answer = answer_text.upper().startswith("T")
        elif answer_text.startswith("#"):
            values = [
                _restore(part.split(":")[0].split("#")[0])
                for part in re.split(r"=", answer_text[1:])
                if part.strip()
            ]
            question.type, question.answer = QuestionType.FILL, [[v for v in values if v]]
        else:
            tokens = re.findall(r"([=~])([^=~]*)", answer_text)
            if not tokens:
                question.problem = _("the answers in { } cannot be read")
                continue
            if all(sign == "=" for sign, _body in tokens) and not any(
                "->" in body for _sign, body in tokens
            ):
                alternatives = [_restore(body.split("#")[0]) for _sign, body in tokens]
                question.type, question.answer = QuestionType.FILL, [alternatives]
                continue
            options, right = [], []
            for index, (sign, body) in enumerate(tokens):
                body = body.split("#")[0]  # per-answer feedback after #
                weight = Decimal(100) if sign == "=" else Decimal(0)
                match = re.match(r"\s*%(-?[\d.]+)%(.*)", body, re.S)
                if match:
                    weight, body = _fraction(match.group(1)), match.group(2)
                options.append(_restore(body))
                if weight > 0 and index < 8:
                    right.append(LETTERS[index])
            question.options, question.answer = options, right
            question.type = QuestionType.SINGLE if len(right) == 1 else QuestionType.MULTIPLE
            if len(options) > 8:
                question.problem = _("a choice question has at most 8 options")
    return questions


# -- saving ---------------------------------------------------------------------------------


def _store_images(question: ParsedQuestion, *, dry_run: bool, stored: list) -> str:
    """Save the question's base64 images as Wagtail images and embed them in the stem.

    The images were checked when the file was read. A dry run stores no file (a rolled-back
    transaction cannot take a file back); a real run lists what it stored in ``stored`` so that
    the caller can remove the files if the import is refused after all.
    """
    from io import BytesIO

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    stem = question.stem
    for name, (data, image_format) in question.images.items():
        image_id = 0
        if not dry_run:
            image = get_image_model()(title=name[:255])
            image.file = ImageFile(BytesIO(data), name=stored_name(name, image_format))
            image.save()
            stored.append(image.file.name)
            image_id = image.pk
        embed = f'<embed alt="" embedtype="image" format="fullwidth" id="{image_id}"/>'
        stem = re.sub(
            r'<img[^>]*src="@@PLUGINFILE@@/' + re.escape(escape(name)) + r'"[^>]*>', embed, stem
        )
    return stem


def import_parsed(questions, *, default_category=None, dry_run=False, acting_user=None):
    """Save every question or none. Returns (created, [(number, message), …])."""
    problems = []
    created = 0
    stored = []  # image files written to storage, removed again if nothing is saved
    with transaction.atomic():
        cache = {}
        for parsed in questions:
            if parsed.problem:
                problems.append((parsed.number, parsed.problem))
                continue
            try:
                if parsed.category:
                    category = services.category_for_path(parsed.category, cache=cache)
                elif default_category is not None:
                    category = default_category
                else:
                    raise ValidationError(_("the category is missing"))
                stem = (
                    _store_images(parsed, dry_run=dry_run, stored=stored)
                    if parsed.images
                    else parsed.stem
                )
                if not _text(stem) and "<embed" not in stem:
                    raise ValidationError(_("the stem is empty"))
                services.question_create(
                    category=category,
                    type=parsed.type,
                    stem=stem,
                    options=parsed.options if parsed.type in CHOICE_TYPES else [],
                    answer=parsed.answer,
                    explanation=parsed.explanation,
                    difficulty=parsed.difficulty,
                    knowledge_points=parsed.knowledge_points,
                    points=parsed.points,
                    acting_user=acting_user,
                )
                created += 1
            except ValidationError as error:
                for message in error.messages:
                    problems.append((parsed.number, message))
        if problems or dry_run:
            transaction.set_rollback(True)
    if problems and stored:
        from wagtail.images import get_image_model

        storage = get_image_model()._meta.get_field("file").storage
        for file_name in stored:
            storage.delete(file_name)
    return (0 if problems else created), problems


def export_queryset():
    return Question.objects.all()
