"""Clean the stems already in the bank with the allow-list imports now use.

Questions imported before imports cleaned their HTML may hold <style>, <script> or frames that
the exam page would show; each changed stem becomes a new version of its question (attempts keep
the version they were given) and is logged like any edit.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from ... import services
from ...formats import clean_db_html
from ...models import Question


class Command(BaseCommand):
    help = "Clean question stems with the import allow-list (each change is a new version)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; save nothing.")

    def handle(self, *args, dry_run=False, **options):
        changed = removed = 0
        with transaction.atomic():
            for question in Question.objects.order_by("pk").iterator(chunk_size=500):
                cleaned, count = clean_db_html(question.stem)
                if cleaned == question.stem:
                    continue
                changed += 1
                removed += count
                if not dry_run:
                    services.question_update(question=question, stem=cleaned)
        message = _(
            "%(changed)s question stem(s) cleaned, %(removed)s HTML element(s) removed."
        ) % {"changed": changed, "removed": removed}
        self.stdout.write((_("Dry run: ") if dry_run else "") + message)
