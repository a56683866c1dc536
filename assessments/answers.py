"""How answers are written (in spreadsheets and forms), stored, checked and scored.

Stored answer keys (``Question.answer``):

* single / multiple choice: a list of option letters, e.g. ``["A"]`` or ``["A", "B", "D"]``;
* true/false: ``true`` or ``false``;
* fill in the blank: one list of accepted alternatives per blank, e.g. ``[["欧姆", "Ω"], ["2"]]``;
* short answer: a list of keywords (empty: graded by hand);
* essay: ``[]`` (always graded by hand).

Responses (``AttemptItem.response``) use the same shapes: a letter list, a boolean, a list of
strings (one per blank) or a text.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models.questions import CHOICE_TYPES, LETTERS, QuestionType

TYPE_ALIASES = {
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "single": QuestionType.SINGLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "multiple": QuestionType.MULTIPLE,
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    "truefalse": QuestionType.TRUE_FALSE,
    "填空": QuestionType.FILL,
    "填空题": QuestionType.FILL,
    "fill": QuestionType.FILL,
    "简答": QuestionType.SHORT,
    "简答题": QuestionType.SHORT,
    "short": QuestionType.SHORT,
    "论述": QuestionType.ESSAY,
    "论述题": QuestionType.ESSAY,
    "essay": QuestionType.ESSAY,
}
# How the export writes each type (the spelling the template shows).
TYPE_EXPORT = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL: "填空",
    QuestionType.SHORT: "简答",
    QuestionType.ESSAY: "论述",
}
TRUE_WORDS = {"对", "正确", "√", "✓", "t", "true", "是", "y"}
FALSE_WORDS = {"错", "错误", "×", "✗", "x", "f", "false", "否", "n"}
DIFFICULTY_WORDS = {"易": 1, "较易": 2, "中": 3, "较难": 4, "难": 5}
DIFFICULTY_EXPORT = {value: word for word, value in DIFFICULTY_WORDS.items()}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalise(text) -> str:
    """Compare typed answers loosely: full-width forms folded, case and spaces ignored."""
    text = unicodedata.normalize("NFKC", _text(text))
    return re.sub(r"\s+", "", text).casefold()


def parse_type(value) -> str:
    text = _text(value)
    found = TYPE_ALIASES.get(text) or TYPE_ALIASES.get(text.lower().replace("/", "").strip())
    if found is None:
        raise ValueError(
            _("“%(value)s” is not a question type (单选、多选、判断、填空、简答、论述)")
            % {"value": text}
        )
    return found


def parse_difficulty(value) -> int:
    text = _text(value)
    if text in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[text]
    try:
        number = int(Decimal(text))
    except (InvalidOperation, ValueError, OverflowError):  # OverflowError: "Infinity"
        number = 0
    if not 1 <= number <= 5 or Decimal(text or "0") != number:
        raise ValueError(
            _("“%(value)s” is not a difficulty (1–5 or 易/较易/中/较难/难)") % {"value": text}
        )
    return number


def parse_points(value) -> Decimal:
    text = _text(value)
    try:
        points = Decimal(text)
    except InvalidOperation:
        points = Decimal(0)
    try:
        if not points.is_finite() or points <= 0:
            raise InvalidOperation
        return points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # also a number too large to hold two decimal places
        raise ValueError(
            _("“%(value)s” is not a positive number of points") % {"value": text}
        ) from None


def parse_knowledge_points(value) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；]", _text(value)) if part.strip()]


def parse_answer(question_type: str, value, option_count: int = 0):
    """The stored key for an answer typed as the spreadsheet and the admin form write it."""
    text = _text(value)
    if question_type in CHOICE_TYPES:
        letters = [c for c in unicodedata.normalize("NFKC", text).upper() if c not in " ,，、;；"]
        if not letters or any(c not in LETTERS for c in letters):
            raise ValueError(
                _("“%(value)s” is not a choice answer; write option letters such as A or ABD")
                % {"value": text}
            )
        return sorted(set(letters))
    if question_type == QuestionType.TRUE_FALSE:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ValueError(_("“%(value)s” is not 对/错 (正确/错误, √/×, T/F)") % {"value": text})
    if question_type == QuestionType.FILL:
        blanks = [
            [alt.strip() for alt in blank.split("/") if alt.strip()]
            for blank in re.split(r"[|｜]", text)
        ]
        if not blanks or any(not blank for blank in blanks):
            raise ValueError(_("a fill-in answer needs an answer for every blank, separated by |"))
        return blanks
    if question_type == QuestionType.SHORT:
        return parse_knowledge_points(text)
    return []


def render_answer(question_type: str, answer) -> str:
    """The answer as the spreadsheet writes it (``parse_answer`` reads it back)."""
    if question_type in CHOICE_TYPES:
        return "".join(answer or [])
    if question_type == QuestionType.TRUE_FALSE:
        return "对" if answer else "错"
    if question_type == QuestionType.FILL:
        return "|".join("/".join(blank) for blank in answer or [])
    if question_type == QuestionType.SHORT:
        return ",".join(answer or [])
    return ""


def validate_answer(question_type: str, answer, option_count: int):
    if question_type in CHOICE_TYPES:
        letters = LETTERS[:option_count]
        if not isinstance(answer, list) or not answer or any(a not in letters for a in answer):
            raise ValidationError(_("The answer must name options that exist."))
        if question_type == QuestionType.SINGLE and len(answer) != 1:
            raise ValidationError(_("A single-choice question has exactly one right option."))
        if question_type == QuestionType.MULTIPLE and len(answer) < 2:
            raise ValidationError(_("A multiple-choice question has at least two right options."))
    elif question_type == QuestionType.TRUE_FALSE:
        if not isinstance(answer, bool):
            raise ValidationError(_("A true/false answer is true or false."))
    elif question_type == QuestionType.FILL:
        if (
            not isinstance(answer, list)
            or not answer
            or not all(isinstance(b, list) and b for b in answer)
        ):
            raise ValidationError(_("Give at least one accepted answer for every blank."))
    elif question_type == QuestionType.SHORT:
        if not isinstance(answer, list):
            raise ValidationError(_("Short-answer keywords are a list."))


def needs_manual_grading(question_type: str, answer) -> bool:
    return question_type == QuestionType.ESSAY or (
        question_type == QuestionType.SHORT and not answer
    )


def _quantize(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score_response(question_type, answer, points, response, *, partial_credit=False):
    """Points earned for a response, or None when a person must grade it."""
    points = Decimal(points)
    if needs_manual_grading(question_type, answer):
        return None
    if response in (None, "", []):
        return _quantize(0)
    if question_type == QuestionType.SINGLE:
        chosen = response if isinstance(response, list) else [response]
        return _quantize(points if sorted(chosen) == sorted(answer) else 0)
    if question_type == QuestionType.MULTIPLE:
        chosen = set(response if isinstance(response, list) else [response])
        right = set(answer)
        if chosen == right:
            return _quantize(points)
        if partial_credit and chosen and chosen < right:
            return _quantize(points * len(chosen) / len(right))
        return _quantize(0)
    if question_type == QuestionType.TRUE_FALSE:
        given = response
        if isinstance(given, str):
            given = {"true": True, "false": False}.get(given.lower())
        return _quantize(points if given is answer else 0)
    if question_type == QuestionType.FILL:
        given = response if isinstance(response, list) else [response]
        right = sum(
            1
            for index, alternatives in enumerate(answer)
            if index < len(given)
            and normalise(given[index]) in {normalise(alt) for alt in alternatives}
        )
        return _quantize(points * right / len(answer))
    if question_type == QuestionType.SHORT:
        text = normalise(response)
        hits = sum(1 for keyword in answer if normalise(keyword) in text)
        return _quantize(points * hits / len(answer))
    return None
