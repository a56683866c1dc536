"""GIFT, as Moodle's GIFT writer and trainers write it, in and out."""

import json
import re
from decimal import Decimal, InvalidOperation
from html import escape

from django.utils.translation import gettext as _

from .. import answers as keys
from ..models import QuestionType
from ..models.questions import CHOICE_TYPES
from .common import (
    GAP,
    ParsedQuestion,
    QuestionFileError,
    _category_path,
    _choices_from_weights,
    _export_stem,
    _moodle_fractions,
    _name,
    _read_extension,
    _rich_text,
    _text,
    _weight_text,
    _weighted,
)

ESCAPED = {"\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05",
           "\\:": "\x06", "\\n": "\n", "\\\\": "\x07"}  # fmt: skip
RESTORE = {"\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":",
           "\x07": "\\"}  # fmt: skip
GIFT_EXTENSION = "// gridacademy:"
FORMAT_MARKER = re.compile(r"^\[(html|moodle|plain|markdown)\]")


def _plain(fragment: str) -> str:
    """An answer, feedback or matching part as plain text. Moodle's writer puts a format
    marker before one whose format differs from the question's (``~[moodle]x``)."""
    return _text(_restore(FORMAT_MARKER.sub("", fragment.strip(), count=1)))


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
    # Moodle writes UTF-8; Notepad on a Chinese Windows saves GB18030 (GBK) unless told not to.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise QuestionFileError(_("A GIFT file must be UTF-8 (or GB18030) text."))
    if "\x00" in text:
        raise QuestionFileError(_("A GIFT file must be UTF-8 (or GB18030) text."))
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
        question.explanation = _plain(general)
    _gift_answers(answer_text.strip(), question)
    if after and question.type not in (QuestionType.FILL, QuestionType.SINGLE,
                                       QuestionType.TRUE_FALSE, QuestionType.MULTIPLE,
                                       QuestionType.NUMERICAL):  # fmt: skip
        question.unsupported = question.unsupported or _(
            "a gap in the middle of the text works for choices, short and numerical answers"
        )


def _split_feedback(body: str) -> tuple[str, str]:
    text, _sep, feedback = body.partition("#")
    return text, _plain(feedback)


def _gift_answers(answer_text: str, question: ParsedQuestion):
    if not answer_text:
        question.type, question.answer = QuestionType.ESSAY, []
        return
    truefalse = re.match(r"^(T|TRUE|F|FALSE)\s*(#.*)?$", answer_text, re.I | re.S)
    if truefalse:
        question.type = QuestionType.TRUE_FALSE
        question.answer = truefalse.group(1).upper().startswith("T")
        notes = [_plain(n) for n in (truefalse.group(2) or "").split("#")[1:]]
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
            question.answer.append([_plain(prompt), _plain(choice)])
        return
    if all(sign == "=" for sign, _body in tokens):
        alternatives = []
        for _sign, body in tokens:
            weight, body = _weighted(body, Decimal(100))
            text, feedback = _split_feedback(body)
            if weight != 100:
                question.unsupported = _("short answers worth part of the points are not supported")
                return
            alternatives.append(_plain(text))
            if feedback:
                question.feedback.setdefault("correct", feedback)
        question.type, question.answer = QuestionType.FILL, [alternatives]
        return
    found = []
    for sign, body in tokens:
        weight, body = _weighted(body, Decimal(100) if sign == "=" else Decimal(0))
        text, feedback = _split_feedback(body)
        found.append((weight, _plain(text), feedback))
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
