"""How answers are written (in spreadsheets and forms), stored, checked and scored.

Stored answer keys (``Question.answer``):

* single / multiple choice: a list of option letters, e.g. ``["A"]`` or ``["A", "B", "D"]``;
* true/false: ``true`` or ``false``;
* fill in the blank: one list of accepted alternatives per blank, e.g. ``[["欧姆", "Ω"], ["2"]]``;
* short answer: a list of keywords (empty: graded by hand);
* essay: ``[]`` (always graded by hand);
* numerical: ``{"answers": [{"value": "3.14", "tolerance": "0.01", "fraction": "100"}, …],
  "units": [{"unit": "m", "multiplier": "1"}, …]}`` (a range ``3.141..3.142`` is stored as its
  middle and half its width; units are optional);
* matching: a list of ``[prompt, choice]`` pairs; a pair with an empty prompt is a distractor
  choice that matches no prompt;
* description: ``[]`` (text shown in the exam; it earns no points).

Choice questions may carry ``Question.weights``: per option, the percentage of the points it
earns (Moodle's ``fraction``), negative to take points away. Without weights the right options
earn everything and the others nothing.

Responses (``AttemptItem.response``) use the same shapes: a letter list, a boolean, a list of
strings (one per blank, or one chosen choice per matching prompt) or a text (an essay, a short
answer or a number as typed).
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models.questions import CHOICE_TYPES, LETTERS, UNSCORED_TYPES, QuestionType

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
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "多项选择": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "不定项选择题": QuestionType.MULTIPLE,
    "判断正误": QuestionType.TRUE_FALSE,
    "是非题": QuestionType.TRUE_FALSE,
    "问答": QuestionType.SHORT,
    "问答题": QuestionType.SHORT,
    "主观题": QuestionType.ESSAY,
    "计算题": QuestionType.NUMERICAL,
    "数值": QuestionType.NUMERICAL,
    "数值题": QuestionType.NUMERICAL,
    "numerical": QuestionType.NUMERICAL,
    "匹配": QuestionType.MATCHING,
    "匹配题": QuestionType.MATCHING,
    "连线题": QuestionType.MATCHING,
    "matching": QuestionType.MATCHING,
    "说明": QuestionType.DESCRIPTION,
    "description": QuestionType.DESCRIPTION,
}
# How the export writes each type (the spelling the template shows).
TYPE_EXPORT = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL: "填空",
    QuestionType.SHORT: "简答",
    QuestionType.ESSAY: "论述",
    QuestionType.NUMERICAL: "数值",
    QuestionType.MATCHING: "匹配",
    QuestionType.DESCRIPTION: "说明",
}
TRUE_WORDS = {"对", "正确", "√", "✓", "t", "true", "是", "y"}
FALSE_WORDS = {"错", "错误", "×", "✗", "x", "f", "false", "否", "n"}
DIFFICULTY_EXPORT = {1: "易", 2: "较易", 3: "中", 4: "较难", 5: "难"}
DIFFICULTY_WORDS = {
    **{word: value for value, word in DIFFICULTY_EXPORT.items()},
    "容易": 1,
    "简单": 1,
    "较简单": 2,
    "一般": 3,
    "中等": 3,
    "适中": 3,
    "较困难": 4,
    "困难": 5,
}


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


def parse_weights(value) -> list[str]:
    """Option percentages written ``100|50|0`` (or with ；/;)."""
    text = _text(value)
    if not text:
        return []
    weights = []
    for part in re.split(r"[|｜;；,，]", text):
        number = parse_number(part.strip().rstrip("%"))
        if number is None:
            raise ValueError(
                _("“%(value)s” is not a list of percentages such as 100|50|0") % {"value": text}
            )
        weights.append(f"{number.normalize():f}")
    return weights


def parse_points(value) -> Decimal:
    text = _text(value).removesuffix("分").strip()
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


def split_escaped(text: str, separators: str, *, keep_escapes: bool = False) -> list[str]:
    """``text`` cut at each unescaped separator; a backslash makes the next character plain."""
    parts, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2] if keep_escapes else text[index + 1])
            index += 2
            continue
        if char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape_separators(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def escape_separators(text: str, separators: str) -> str:
    return "".join("\\" + c if c in separators or c == "\\" else c for c in str(text))


BLANK_SEPARATORS = "|｜；;"
ALTERNATIVE_SEPARATORS = "/"
NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$", re.S)


def parse_number(text) -> Decimal | None:
    try:
        number = Decimal(unicodedata.normalize("NFKC", str(text)).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def numerical_answer(value, tolerance="0", fraction="100") -> dict:
    return {
        "value": f"{Decimal(value).normalize():f}",
        "tolerance": f"{abs(Decimal(tolerance)).normalize():f}",
        "fraction": f"{Decimal(fraction).normalize():f}",
    }


UNITS_PREFIX = re.compile(r"^(?:单位|units?)\s*[:：]\s*", re.I)
NUMERICAL_SHARE = re.compile(r"\s*[(（]\s*(-?[\d.]+)\s*%\s*[)）]\s*$")


def _parse_numerical(text: str) -> dict:
    """``3.14``, ``3.14±0.01`` or ``3.14:0.01``, ``3.1..3.2``, each optionally worth a share
    ``(50%)``; several separated by |; units last as ``单位:m=1,cm=100``."""
    found, units = [], []
    for part in split_escaped(text, BLANK_SEPARATORS):
        part = unicodedata.normalize("NFKC", part).strip()
        if not part:
            continue
        if UNITS_PREFIX.match(part):
            for unit in re.split(r"[,，]", UNITS_PREFIX.sub("", part)):
                name, _sep, multiplier = unit.partition("=")
                number = parse_number(multiplier or "1")
                if not name.strip() or not number:
                    raise ValueError(
                        _("“%(value)s” is not a unit such as cm=100") % {"value": unit}
                    )
                units.append({"unit": name.strip(), "multiplier": f"{number.normalize():f}"})
            continue
        fraction = Decimal(100)
        share = NUMERICAL_SHARE.search(part)
        if share:
            fraction = parse_number(share.group(1))
            part = part[: share.start()]
        if fraction is None:
            raise ValueError(_("“%(value)s” is not a number") % {"value": part})
        if ".." in part:
            low, high = (parse_number(x) for x in part.split("..", 1))
            if low is None or high is None or low > high:
                raise ValueError(_("“%(value)s” is not a number range") % {"value": part})
            found.append(numerical_answer((low + high) / 2, (high - low) / 2, fraction))
            continue
        pieces = re.split(r"±|:", part, maxsplit=1)
        number = parse_number(pieces[0])
        margin = parse_number(pieces[1]) if len(pieces) > 1 else Decimal(0)
        if number is None or margin is None:
            raise ValueError(_("“%(value)s” is not a number") % {"value": part})
        found.append(numerical_answer(number, margin, fraction))
    if not found:
        raise ValueError(_("a numerical answer needs a number"))
    return {"answers": found, "units": units}


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
            [alt.strip() for alt in split_escaped(blank, ALTERNATIVE_SEPARATORS) if alt.strip()]
            for blank in split_escaped(text, BLANK_SEPARATORS, keep_escapes=True)
        ]
        if not blanks or any(not blank for blank in blanks):
            raise ValueError(
                _("a fill-in answer needs an answer for every blank, separated by | or ；")
            )
        return blanks
    if question_type == QuestionType.SHORT:
        return parse_knowledge_points(text)
    if question_type == QuestionType.NUMERICAL:
        return _parse_numerical(text)
    if question_type == QuestionType.MATCHING:
        pairs = []
        for part in split_escaped(text, BLANK_SEPARATORS, keep_escapes=True):
            if not part.strip():
                continue
            # The first arrow that no backslash escapes parts the prompt from the choice.
            match = re.match(r"^((?:\\.|[^\\])*?)\s*(?:->|→)\s*(.*)$", part.strip(), re.S)
            if not match or not match.group(2):
                raise ValueError(
                    _("“%(value)s” is not a pair; write 提示->答案, pairs separated by |")
                    % {"value": unescape_separators(part.strip())}
                )
            pairs.append([unescape_separators(match.group(1)), unescape_separators(match.group(2))])
        return pairs
    return []


def render_answer(question_type: str, answer) -> str:
    """The answer as the spreadsheet writes it (``parse_answer`` reads it back unchanged)."""
    if question_type in CHOICE_TYPES:
        return "".join(answer or [])
    if question_type == QuestionType.TRUE_FALSE:
        return "对" if answer else "错"
    if question_type == QuestionType.FILL:
        separators = BLANK_SEPARATORS + ALTERNATIVE_SEPARATORS
        return "|".join(
            "/".join(escape_separators(alt, separators) for alt in blank) for blank in answer or []
        )
    if question_type == QuestionType.SHORT:
        return ",".join(answer or [])
    if question_type == QuestionType.NUMERICAL:
        parts = [
            a["value"]
            + (f"±{a['tolerance']}" if Decimal(a["tolerance"]) else "")
            + (f"({a['fraction']}%)" if Decimal(a["fraction"]) != 100 else "")
            for a in (answer or {}).get("answers", [])
        ]
        units = (answer or {}).get("units") or []
        if units:
            parts.append("单位:" + ",".join(f"{u['unit']}={u['multiplier']}" for u in units))
        return "|".join(parts)
    if question_type == QuestionType.MATCHING:
        separators = BLANK_SEPARATORS + "->→"
        return "|".join(
            f"{escape_separators(p, separators)}->{escape_separators(c, separators)}"
            for p, c in answer or []
        )
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
    elif question_type == QuestionType.NUMERICAL:
        _validate_numerical(answer)
    elif question_type == QuestionType.MATCHING:
        if (
            not isinstance(answer, list)
            or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in answer
            )
            or not all(choice.strip() for _prompt, choice in answer)
            or sum(1 for prompt, _choice in answer if prompt.strip()) < 2
        ):
            raise ValidationError(
                _("A matching question needs at least two pairs, each with a prompt and a choice.")
            )
    elif question_type in UNSCORED_TYPES and answer not in ([], None):
        raise ValidationError(_("A description has no answer."))


def _validate_numerical(answer):
    message = _(
        "A numerical answer is at least one number with a tolerance and a percentage, "
        "one of which earns 100%."
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("answers"), list):
        raise ValidationError(message)
    fractions = []
    for item in answer["answers"]:
        if not isinstance(item, dict):
            raise ValidationError(message)
        numbers = [parse_number(item.get(key, "")) for key in ("value", "tolerance", "fraction")]
        if any(n is None for n in numbers) or numbers[1] < 0 or not -100 <= numbers[2] <= 100:
            raise ValidationError(message)
        fractions.append(numbers[2])
    if not fractions or max(fractions) != 100:
        raise ValidationError(message)
    for unit in answer.get("units") or []:
        multiplier = parse_number((unit or {}).get("multiplier", ""))
        if not str((unit or {}).get("unit", "")).strip() or not multiplier:
            raise ValidationError(_("Every unit has a name and a multiplier other than 0."))


def validate_weights(question_type: str, answer, weights, option_count: int):
    """Option weights agree with the answer: the right options are those that earn points."""
    if question_type not in CHOICE_TYPES:
        raise ValidationError(_("Only choice questions have option weights."))
    numbers = [parse_number(w) for w in weights]
    if (
        len(numbers) != option_count
        or any(n is None for n in numbers)
        or not all(-100 <= n <= 100 for n in numbers)
    ):
        raise ValidationError(_("Give every option a percentage between -100 and 100."))
    if question_type == QuestionType.SINGLE:
        if max(numbers) != 100 or answer != [LETTERS[numbers.index(max(numbers))]]:
            raise ValidationError(
                _("In a single-choice question the right option is the one worth 100%.")
            )
    else:
        positive = [LETTERS[i] for i, n in enumerate(numbers) if n > 0]
        if abs(sum(n for n in numbers if n > 0) - 100) > Decimal("0.1") or positive != sorted(
            answer or []
        ):
            raise ValidationError(
                _(
                    "In a multiple-choice question the right options are those worth more than "
                    "0%, and together they are worth 100%."
                )
            )


def needs_manual_grading(question_type: str, answer) -> bool:
    return question_type == QuestionType.ESSAY or (
        question_type == QuestionType.SHORT and not answer
    )


def _quantize(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_number_response(response, units) -> Decimal | None:
    """A typed number in the answer's base unit (``350 cm`` is 3.5 when cm has multiplier 100);
    None when it is not a number or names a unit the question does not know."""
    match = NUMBER.match(unicodedata.normalize("NFKC", str(response or "")))
    if not match:
        return None
    number, unit = Decimal(match.group(1)), match.group(2).strip()
    if not unit:
        return number
    for known in units or []:
        if normalise(known.get("unit", "")) == normalise(unit):
            return number / Decimal(known["multiplier"])
    return None


def score_numerical(answer, points, response) -> Decimal:
    given = read_number_response(response, (answer or {}).get("units"))
    if given is None:
        return _quantize(0)
    best = max(
        (
            Decimal(a["fraction"])
            for a in answer["answers"]
            if abs(given - Decimal(a["value"])) <= Decimal(a["tolerance"])
        ),
        default=Decimal(0),
    )
    return _quantize(points * max(best, Decimal(0)) / 100)


def score_matching(answer, points, response) -> Decimal:
    prompts = [(prompt, choice) for prompt, choice in answer if prompt.strip()]
    given = response if isinstance(response, list) else []
    right = sum(
        1
        for index, (_prompt, choice) in enumerate(prompts)
        if index < len(given) and isinstance(given[index], str) and given[index] == choice
    )
    return _quantize(points * right / len(prompts))


def score_response(question_type, answer, points, response, *, partial_credit=False, weights=()):
    """Points earned for a response, or None when a person must grade it."""
    points = Decimal(points)
    if needs_manual_grading(question_type, answer):
        return None
    if question_type in UNSCORED_TYPES or response in (None, "", []):
        return _quantize(0)
    if question_type in CHOICE_TYPES and weights:
        chosen = set(response if isinstance(response, list) else [response])
        earned = sum(
            (Decimal(w) for i, w in enumerate(weights) if LETTERS[i] in chosen), Decimal(0)
        )
        return _quantize(points * min(max(earned, Decimal(0)), Decimal(100)) / 100)
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
    if question_type == QuestionType.NUMERICAL:
        return score_numerical(answer, points, response)
    if question_type == QuestionType.MATCHING:
        return score_matching(answer, points, response)
    return None
