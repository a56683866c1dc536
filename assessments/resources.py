"""Question bank spreadsheets (XLSX/CSV) through django-import-export.

Columns: 题型, 题干, 选项A … 选项H, 答案, 解析, 难度, 分类, 知识点, 分值 (see ``answers`` for the
spellings each accepts). Every row makes a new question; rows are checked as a whole and saved
in bulk (``services.questions_bulk_create``), all or nothing.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.results import RowResult

from lms.spreadsheets import xlsx_bytes

from . import answers, services
from .models import Question
from .models.questions import CHOICE_TYPES, LETTERS

TYPE, STEM, ANSWER, EXPLANATION, DIFFICULTY, CATEGORY, KNOWLEDGE, POINTS, NAME, WEIGHTS = (
    "题型",
    "题干",
    "答案",
    "解析",
    "难度",
    "分类",
    "知识点",
    "分值",
    "名称",
    "选项得分",
)
OPTION_COLUMNS = [f"选项{letter}" for letter in LETTERS]
COLUMNS = [
    TYPE, STEM, *OPTION_COLUMNS, ANSWER, EXPLANATION, DIFFICULTY, CATEGORY, KNOWLEDGE, POINTS,
    NAME, WEIGHTS,
]  # fmt: skip
REQUIRED_COLUMNS = (TYPE, STEM, ANSWER, CATEGORY)
COLUMN_ALIASES = {
    "type": TYPE,
    "stem": STEM,
    "question": STEM,
    "answer": ANSWER,
    "explanation": EXPLANATION,
    "difficulty": DIFFICULTY,
    "category": CATEGORY,
    "knowledge points": KNOWLEDGE,
    "points": POINTS,
    "name": NAME,
    "weights": WEIGHTS,
    **{f"option {letter.lower()}": f"选项{letter}" for letter in LETTERS},
}
# How the templates of Chinese exam systems (and trainers) spell the columns, lower-cased
# and without spaces.
COLUMN_SYNONYMS = {
    **{alias.replace(" ", ""): column for alias, column in COLUMN_ALIASES.items()},
    **{column: column for column in COLUMNS},
    **dict.fromkeys(["题目类型", "试题类型", "类型", "题类"], TYPE),
    **dict.fromkeys(["试题内容", "题目", "题目内容", "试题", "试题题干", "题目题干", "问题"], STEM),
    **dict.fromkeys(["正确答案", "参考答案", "标准答案"], ANSWER),
    **dict.fromkeys(["答案解析", "试题解析", "题目解析", "解释"], EXPLANATION),
    **dict.fromkeys(["难易程度", "难易度", "难度等级", "难度系数"], DIFFICULTY),
    **dict.fromkeys(["分数", "试题分数", "题目分值", "试题分值", "分值(分)"], POINTS),
    **dict.fromkeys(["所属分类", "题库分类", "试题分类", "章节", "题库", "所属题库"], CATEGORY),
    **dict.fromkeys(["知识点标签", "标签", "考点"], KNOWLEDGE),
    **dict.fromkeys(["试题名称", "题目名称"], NAME),
}
# Columns that only number the rows: read, and rightly not imported.
IGNORED_COLUMNS = {"序号", "题号", "编号", "no", "no."}
# "A. 甲", "A、甲", "A．甲", "(A) 甲", "（A）甲": the letter goes (options may be shuffled).
OPTION_PREFIX = r"^\s*(?:[(（]\s*{letter}\s*[)）]|{letter}\s*[.．、:：)）])\s*"


def cell_text(value) -> str:
    """A cell as text: numbers lose a trailing .0; a text that looks like a formula stays text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def stem_to_text(stem_html: str) -> str:
    """The stem's text, one line per paragraph, as the spreadsheet holds it."""
    text = stem_html.replace("</p>", "\n").replace("<br/>", "\n").replace("<br>", "\n")
    from html import unescape

    lines = unescape(strip_tags(text)).splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())


TAG = re.compile(r"<[^>]+>")


class QuestionRowResult(RowResult):
    """The preview names each row by its stem's first words (cheaply: 20,000 rows happen)."""

    def add_instance_info(self, instance):
        self.object_id = instance.pk
        self.object_repr = TAG.sub("", instance.stem or "")[:60]


class QuestionResource(resources.ModelResource):
    type = fields.Field(column_name=TYPE)
    stem = fields.Field(column_name=STEM)
    answer = fields.Field(column_name=ANSWER)
    explanation = fields.Field(attribute="explanation", column_name=EXPLANATION)
    difficulty = fields.Field(column_name=DIFFICULTY)
    category = fields.Field(column_name=CATEGORY)
    knowledge_points = fields.Field(column_name=KNOWLEDGE)
    points = fields.Field(column_name=POINTS)
    name = fields.Field(column_name=NAME)
    weights = fields.Field(column_name=WEIGHTS)

    class Meta:
        model = Question
        fields = ("type", "stem", "answer", "explanation", "difficulty", "category",
                  "knowledge_points", "points", "name", "weights")  # fmt: skip
        force_init_instance = True  # every row is a new question
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_html_diff = True
        report_skipped = False
        clean_model_instances = False  # rows are checked in import_instance

    @staticmethod
    def read_upload(content, *, name):
        """Question spreadsheets as trainers make them (see ``workbooks``)."""
        from .workbooks import read_question_upload

        return read_question_upload(content, name=name)

    def __init__(self, *, acting_user=None, category=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user
        self.default_category = category
        for column in OPTION_COLUMNS:
            self.fields[column] = fields.Field(column_name=column)

    def get_queryset(self):
        return Question.objects.select_related("category")

    def get_row_result_class(self):
        return QuestionRowResult

    def get_export_order(self):
        return ["type", "stem", *OPTION_COLUMNS, "answer", "explanation", "difficulty",
                "category", "knowledge_points", "points", "name", "weights"]  # fmt: skip

    def get_export_headers(self, selected_fields=None):
        return list(COLUMNS)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        options = list(instance.options or []) + [""] * (len(LETTERS) - len(instance.options or []))
        return [
            answers.TYPE_EXPORT[instance.type],
            stem_to_text(instance.stem),
            *options,
            answers.render_answer(instance.type, instance.answer),
            instance.explanation,
            instance.difficulty,
            instance.category.full_path,
            ",".join(instance.knowledge_points or []),
            f"{instance.points.normalize():f}",
            instance.name,
            "|".join(str(w) for w in instance.weights or []),
        ]

    def export(self, queryset=None, **kwargs):
        import tablib

        queryset = self.get_queryset() if queryset is None else queryset
        dataset = tablib.Dataset(headers=list(COLUMNS))
        categories = {}
        for question in queryset.select_related("category"):
            # One ancestors query per category, not per question.
            if question.category_id not in categories:
                categories[question.category_id] = question.category.full_path
            question.category._full_path = categories[question.category_id]
            dataset.append(self.export_resource(question))
        return dataset

    # -- import ---------------------------------------------------------------------------

    def get_import_fields(self):
        return [self.fields[name] for name in ("type", "stem")] + [
            self.fields[c] for c in OPTION_COLUMNS
        ] + [self.fields[n] for n in ("answer", "explanation", "difficulty", "category",
                                       "knowledge_points", "points", "name",
                                       "weights")]  # fmt: skip

    def before_import(self, dataset, **kwargs):
        dataset.headers = [
            COLUMN_ALIASES.get(str(h).strip().lower(), str(h).strip()) for h in dataset.headers
        ]
        required = REQUIRED_COLUMNS if self.default_category is None else REQUIRED_COLUMNS[:3]
        missing = [c for c in required if c not in dataset.headers]
        if missing:
            raise ValidationError(
                _("The sheet lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
            )
        self.acting_user = kwargs.get("user") or self.acting_user
        self._categories = {}

    def init_instance(self, row=None):
        return Question()

    def import_instance(self, instance, row, **kwargs):
        errors = {}

        def read(column, parse, default=None):
            raw = row.get(column)
            if raw in (None, "") and default is not None:
                return default
            try:
                return parse(raw)
            except (ValueError, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                errors[column] = [message]
                return None

        instance.type = read(TYPE, answers.parse_type)
        stem = cell_text(row.get(STEM))
        if not stem:
            errors[STEM] = [_("the stem is empty")]
        instance.stem = services.text_to_rich_text(stem)
        options = [
            re.sub(OPTION_PREFIX.format(letter=letter), "", cell_text(row.get(column)), count=1)
            for letter, column in zip(LETTERS, OPTION_COLUMNS, strict=True)
        ]
        while options and not options[-1]:
            options.pop()
        instance.options = options if instance.type in CHOICE_TYPES else []
        if instance.type and instance.type not in CHOICE_TYPES and any(options):
            errors[OPTION_COLUMNS[0]] = [_("only choice questions have options")]
        if instance.type:
            instance.answer = read(
                ANSWER, lambda v: answers.parse_answer(instance.type, v, len(options))
            )
        instance.explanation = cell_text(row.get(EXPLANATION))
        instance.difficulty = read(DIFFICULTY, answers.parse_difficulty, default=3)
        instance.knowledge_points = answers.parse_knowledge_points(row.get(KNOWLEDGE))
        instance.points = read(POINTS, answers.parse_points, default=answers.parse_points(1))
        instance.name = cell_text(row.get(NAME))[:255]
        instance.weights = read(WEIGHTS, answers.parse_weights, default=[]) or []
        category_path = cell_text(row.get(CATEGORY))
        if category_path:
            instance.category = read(
                CATEGORY,
                lambda v: services.category_for_path(
                    cell_text(v), cache=self._categories, acting_user=self.acting_user
                ),
            )
        elif self.default_category is not None:
            instance.category = self.default_category
        else:
            errors[CATEGORY] = [_("the category is missing")]
        if not errors:
            try:
                instance.clean()
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    column = {"options": OPTION_COLUMNS[0], "answer": ANSWER,
                              "weights": WEIGHTS}.get(key, key)  # fmt: skip
                    errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                services.questions_bulk_create(
                    questions=self.create_instances,
                    acting_user=self.acting_user,
                    batch_size=batch_size or self._meta.batch_size,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()


def questions_xlsx(queryset) -> bytes:
    """The questions as an XLSX workbook whose every cell is text or a number, never a formula.

    A stem or answer that begins with ``=`` or ``-`` stays exactly that text (``lms.spreadsheets``
    marks it quote-prefixed rather than changing it), so the workbook re-imports unchanged.
    """
    dataset = QuestionResource().export(queryset=queryset)
    return xlsx_bytes(dataset.headers, dataset, title="题库")
