"""The question bank: a category tree and versioned questions of six types."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet
from wagtail.fields import RichTextField

from lms.validators import limited

from ..draw_generation import DrawSourceQuerySet, draw_plan_changed

LETTERS = "ABCDEFGH"


def option_letter(position: int) -> str:
    """The letter an option is shown under: its position (from 0) in the order the candidate
    sees, which is the attempt snapshot's order when options are shuffled."""
    return LETTERS[position]


def shown_letters(options) -> dict[str, str]:
    """Each option's key → the letter it is shown under, for options in their shown order."""
    return {option["key"]: option_letter(i) for i, option in enumerate(options)}


MIN_OPTIONS = 2
MAX_OPTIONS = 8


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "truefalse", _("True/false")
    FILL = "fill", _("Fill in the blank")
    SHORT = "short", _("Short answer")
    ESSAY = "essay", _("Essay")
    NUMERICAL = "numerical", _("Numerical")
    MATCHING = "matching", _("Matching")
    DESCRIPTION = "description", pgettext_lazy("assessments", "Description")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
# Types that hold no answer and earn no points: text shown between questions.
UNSCORED_TYPES = (QuestionType.DESCRIPTION,)


class CategoryQuerySet(DrawSourceQuerySet, MP_NodeQuerySet):
    def subtree_of(self, category):
        return self.filter(path__startswith=category.path)

    def full_paths(self) -> dict[int, str]:
        """Each category's ``full_path`` by id, from one query (not one per category)."""
        rows = list(self.model.objects.values_list("pk", "path", "name"))
        names = {path: name for _pk, path, name in rows}
        step = self.model.steplen
        return {
            pk: "/".join(
                names[path[:end]] for end in range(step, len(path) + 1, step) if path[:end] in names
            )
            for pk, path, _name in rows
        }


class CategoryManager(MP_NodeManager):
    def get_queryset(self):
        return CategoryQuerySet(self.model, using=self._db).order_by("path")


class QuestionCategory(MP_Node):
    """A folder of the question bank (安全规程 / 电气安全 …)."""

    name = models.CharField(pgettext_lazy("assessments", "name"), max_length=100)
    confidential = models.BooleanField(
        _("confidential pool"),
        default=False,
        help_text=_(
            "Questions in this category (and the categories below it) are kept for formal "
            "exams: practice quizzes never draw them."
        ),
    )
    node_order_by = ["name"]
    objects = CategoryManager()

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self):
        return self.full_path

    def move(self, target, pos=None):
        """treebeard moves with raw SQL (no signal): the draw plans read categories' paths."""
        super().move(target, pos)
        draw_plan_changed()

    @property
    def full_path(self) -> str:
        """The path of names from the root, such as 安全规程/电气安全."""
        cached = getattr(self, "_full_path", None)
        if cached is None:
            ancestors = list(self.get_ancestors().values_list("name", flat=True))
            cached = "/".join([*ancestors, self.name])
            self._full_path = cached
        return cached


class QuestionQuerySet(DrawSourceQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_category(self, category):
        """Questions in the category or any category below it."""
        return self.filter(category__path__startswith=category.path)


class Question(models.Model):
    """A question of the bank. Editing it (``services.question_update``) makes a new version;
    attempts keep a snapshot of the version they were given."""

    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=pgettext_lazy("assessments", "category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    name = models.CharField(
        pgettext_lazy("assessments", "name"),
        max_length=255,
        blank=True,
        help_text=_("A short name, such as the one another system gave the question."),
    )
    stem = RichTextField(
        _("stem"),
        help_text=_("The question text; it may hold images."),
        **limited(20000, rich=True),
    )
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("Option texts A, B, C … in order.")
    )
    answer = models.JSONField(
        pgettext_lazy("assessments", "answer"),
        default=list,
        blank=True,
        help_text=_(
            "Letters for choices, true or false, the accepted answers of each blank, "
            "or the keywords of a short answer."
        ),
    )
    weights = models.JSONField(
        _("option weights"),
        default=list,
        blank=True,
        help_text=_(
            "Per option, the percentage of the points it earns (negative to take points away); "
            "empty when the right options earn everything and the others nothing."
        ),
    )
    explanation = models.TextField(
        pgettext_lazy("assessments", "explanation"), blank=True, **limited(5000)
    )
    feedback = models.JSONField(
        _("feedback"),
        default=dict,
        blank=True,
        help_text=_("Feedback for a right, partly right or wrong response, and per option."),
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (easy) to 5 (hard)."),
    )
    knowledge_points = models.JSONField(_("knowledge points"), default=list, blank=True)
    points = models.DecimalField(
        pgettext_lazy("assessments", "points"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
    )
    is_active = models.BooleanField(pgettext_lazy("assessments", "active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    flagged = models.BooleanField(
        _("flagged for review"),
        default=False,
        help_text=_("Set by the item statistics when the question discriminates poorly."),
    )
    flag_note = models.CharField(_("flag note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("assessments", "created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = pgettext_lazy("assessments", "questions")
        ordering = ["category__path", "pk"]
        indexes = [models.Index(fields=["type", "difficulty", "is_active"])]

    def __str__(self):
        return Truncator(self.stem_text).chars(60)

    def category_name(self) -> str:
        return self.category.name

    category_name.short_description = pgettext_lazy("assessments", "category")

    @property
    def stem_text(self) -> str:
        return strip_tags(self.stem or "").strip()

    def clean(self):
        from ..answers import validate_answer, validate_weights

        errors = {}
        if self.type in CHOICE_TYPES:
            options = [str(o).strip() for o in self.options or []]
            if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or not all(options):
                errors["options"] = _("A choice question needs 2 to 8 non-empty options.")
        elif self.options:
            errors["options"] = _("Only choice questions have options.")
        if "options" not in errors:
            try:
                validate_answer(self.type, self.answer, len(self.options or []))
            except ValidationError as error:
                errors["answer"] = error.messages
        if self.weights:
            try:
                validate_weights(self.type, self.answer, self.weights, len(self.options or []))
            except ValidationError as error:
                errors["weights"] = error.messages
        if errors:
            raise ValidationError(errors)

    def content(self) -> dict:
        """What a version holds (and what an attempt snapshots)."""
        return {
            "type": self.type,
            "name": self.name,
            "stem": self.stem,
            "options": list(self.options or []),
            "answer": self.answer,
            "weights": list(self.weights or []),
            "explanation": self.explanation,
            "feedback": dict(self.feedback or {}),
            "difficulty": self.difficulty,
            "knowledge_points": list(self.knowledge_points or []),
            "points": str(self.points),
            "category_id": self.category_id,
        }


class QuestionVersion(models.Model):
    """A frozen copy of one version of a question."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("assessments", "created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_unique")
        ]

    def __str__(self):
        return f"{self.question_id} v{self.number}"
