"""The question bank: categories and questions, one by one or imported in bulk."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import (
    Question,
    QuestionCategory,
    QuestionVersion,
)

QUESTION_CONTENT_FIELDS = (
    "category",
    "type",
    "name",
    "stem",
    "options",
    "answer",
    "weights",
    "explanation",
    "feedback",
    "difficulty",
    "knowledge_points",
    "points",
)


def text_to_rich_text(text: str) -> str:
    """Plain text (from a spreadsheet) as rich text paragraphs."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


# -- categories -----------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    name: str,
    parent: QuestionCategory | None = None,
    confidential: bool = False,
    acting_user=None,
):
    category = QuestionCategory(name=name.strip(), confidential=confidential)
    category.full_clean(exclude=["path", "depth", "numchild"])
    # The tree's path column holds this many levels (treebeard would fail with PathOverflow).
    deepest = QuestionCategory._meta.get_field("path").max_length // QuestionCategory.steplen
    if parent is not None and parent.depth >= deepest:
        raise ValidationError(
            _("Categories nest at most %(levels)s levels deep.") % {"levels": deepest}
        )
    if parent is None:
        category = QuestionCategory.add_root(instance=category)
    else:
        category = QuestionCategory.objects.get(pk=parent.pk).add_child(instance=category)
    log(category, "wagtail.create", user=acting_user)
    return category


@transaction.atomic
def category_update(*, category: QuestionCategory, name: str, confidential: bool, acting_user=None):
    """Rename a category or flag it as a confidential pool (practice never draws from it)."""
    category.name = name.strip()
    category.confidential = confidential
    category.full_clean(exclude=["path", "depth", "numchild"])
    category.save(update_fields=["name", "confidential"])
    log(category, "wagtail.edit", user=acting_user, data={"confidential": confidential})
    return category


def category_for_path(path: str, *, cache: dict | None = None, acting_user=None):
    """The category at ``path`` (names separated by /), created where missing."""
    names = [part.strip() for part in str(path or "").replace("／", "/").split("/") if part.strip()]
    if not names:
        raise ValidationError(_("The category is missing."))
    cache = {} if cache is None else cache
    parent = None
    for depth in range(1, len(names) + 1):
        key = "/".join(names[:depth])
        category = cache.get(key)
        if category is None:
            # By path, not get_children(): a cached parent's numchild may be stale.
            siblings = QuestionCategory.objects.filter(depth=depth, name=names[depth - 1])
            if parent is not None:
                siblings = siblings.filter(path__startswith=parent.path)
            category = siblings.first() or category_create(
                name=names[depth - 1], parent=parent, acting_user=acting_user
            )
            category._full_path = key
            cache[key] = category
        parent = category
    return parent


# -- questions ------------------------------------------------------------------------------


def _clean_question(question: Question):
    question.options = [str(option).strip() for option in question.options or []]
    question.knowledge_points = [str(k).strip() for k in question.knowledge_points or []]
    question.full_clean(exclude=["created_by"])


@transaction.atomic
def question_create(
    *,
    category: QuestionCategory,
    type: str,
    stem: str,
    options=(),
    answer=None,
    explanation: str = "",
    difficulty: int = 3,
    knowledge_points=(),
    points=Decimal(1),
    is_active: bool = True,
    name: str = "",
    weights=(),
    feedback: dict | None = None,
    acting_user=None,
) -> Question:
    """Add a question to the bank as its version 1."""
    question = Question(
        category=category,
        type=type,
        name=name,
        stem=stem,
        options=list(options),
        answer=[] if answer is None else answer,
        weights=list(weights or []),
        explanation=explanation,
        feedback=dict(feedback or {}),
        difficulty=difficulty,
        knowledge_points=list(knowledge_points),
        points=points,
        is_active=is_active,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _clean_question(question)
    question.save()
    QuestionVersion.objects.create(
        question=question, number=1, content=question.content(), created_by=question.created_by
    )
    log(question, "wagtail.create", user=acting_user)
    return question


@transaction.atomic
def question_update(*, question: Question, acting_user=None, **fields) -> Question:
    """Change a question. A change of content makes a new version; taken attempts keep theirs."""
    before = question.content()
    for name, value in fields.items():
        setattr(question, name, value)
    _clean_question(question)
    if question.content() != before:
        question.version = (
            QuestionVersion.objects.filter(question=question).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        question.save()
        QuestionVersion.objects.create(
            question=question,
            number=question.version,
            content=question.content(),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
    else:
        question.save()
    log(question, "wagtail.edit", user=acting_user, data={"version": question.version})
    return question


@transaction.atomic
def questions_bulk_create(*, questions: list[Question], acting_user=None, batch_size=1000):
    """Save many new (already validated) questions and their first versions in bulk."""
    user = acting_user if getattr(acting_user, "pk", None) else None
    for question in questions:
        question.created_by = user
        question.version = 1
    created = Question.objects.bulk_create(questions, batch_size=batch_size)
    QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(question=q, number=1, content=q.content(), created_by=user)
            for q in created
        ],
        batch_size=batch_size,
    )
    return created
