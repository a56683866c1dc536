"""The pieces both formats share: the parsed question, the report, numbers and grades, HTML
cleaning, and how choices, weights and our extension are read and written."""

import base64
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import escape, unescape
from typing import NamedTuple

import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lms.exceptions import DomainError
from lms.uploads import UploadRefused

from .. import services
from ..models import QuestionType
from ..models.questions import LETTERS, MAX_OPTIONS

POINTS_STEP = Decimal("0.01")
POINTS_MAX = Decimal("9999.99")  # Question.points: six digits, two of them decimals


class QuestionFileError(DomainError):
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


# Wagtail's stored rich text adds its own references: <embed embedtype="image" id=…/> and
# <a linktype="page|document" id=…>, and the headings the editor offers.
DB_TAGS = (ALLOWED_TAGS - {"img"}) | {"embed", "h2"}
DB_ATTRIBUTES = {
    **{tag: names for tag, names in ALLOWED_ATTRIBUTES.items() if tag != "img"},
    "embed": {"alt", "embedtype", "format", "id", "url"},
    "a": {"href", "title", "linktype", "id"},
}


def clean_db_html(html: str) -> tuple[str, int]:
    """Stored rich text (Wagtail's database format) through the same allow-list as imports;
    returns the HTML and how many elements were removed."""
    html = html or ""
    removed = sum(1 for tag in START_TAG.findall(html) if tag.lower() not in DB_TAGS)
    cleaned = nh3.clean(
        html,
        tags=DB_TAGS,
        attributes=DB_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    # Wagtail finds its embeds only in the self-closing form.
    cleaned = re.sub(r"<embed(\b[^>]*?)\s*/?>", r"<embed\1/>", cleaned)
    return cleaned, removed


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


GAP = "_____"


def _weighted(body: str, default: Decimal) -> tuple[Decimal, str]:
    match = re.match(r"\s*%(-?[\d.]+)%(.*)", body, re.S)
    if match:
        return _fraction(match.group(1)), match.group(2)
    return default, body
