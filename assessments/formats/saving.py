"""Saving parsed questions: all or nothing, files stored, problems named."""

import re
from html import escape
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.uploads import stored_name

from .. import services
from ..models import Question
from ..models.questions import CHOICE_TYPES
from .common import (
    PLUGINFILE,
    ParsedQuestion,
    Problem,
    QuestionImportReport,
    _text,
)


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
