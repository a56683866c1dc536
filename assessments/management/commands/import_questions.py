"""Import questions from a spreadsheet: all or nothing, every problem named by its row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.importing import ImportFileError, run_import

from ... import formats, services
from ...resources import QuestionResource

FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".xml": "moodle-xml", ".gift": "gift", ".txt": "gift"}


class Command(BaseCommand):
    help = "Import questions from XLSX, CSV, Moodle XML or GIFT (nothing is saved if any is wrong)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["xlsx", "csv", "moodle-xml", "gift"])
        parser.add_argument("--category", help="Category path for rows without one (A/B/C).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="Moodle XML/GIFT: import what can be held, list each question left out.",
        )

    def handle(
        self,
        *args,
        file,
        format=None,
        category=None,
        dry_run=False,
        skip_unsupported=False,
        **options,
    ):
        path = Path(file)
        if not path.exists():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        file_format = format or FORMATS.get(path.suffix.lower())
        if file_format not in ("xlsx", "csv", "moodle-xml", "gift"):
            raise CommandError(
                _("The format of %(file)s is not known; give --format.") % {"file": file}
            )
        if file_format in ("moodle-xml", "gift"):
            return self._import_question_file(
                path, file_format, category, dry_run, skip_unsupported
            )
        try:
            dataset = QuestionResource.read_upload(path.read_bytes(), name=f"upload.{file_format}")
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            default_category = services.category_for_path(category) if category else None
            resource = QuestionResource(category=default_category)
            report = run_import(resource, dataset, dry_run=True)
            if report.ok and not dry_run:
                report = run_import(resource, dataset, dry_run=False)
            if dry_run or not report.ok:
                transaction.set_rollback(True)
        for note in report.notes:
            self.stdout.write(note)
        for problem in report.file_problems:
            self.stderr.write(problem)
        for problem in report.problems:
            for message in problem.messages:
                self.stderr.write(
                    _("Row %(row)s: %(message)s") % {"row": problem.row, "message": message}
                )
        if not report.ok:
            raise CommandError(
                _("%(count)s row(s) have problems; nothing was saved.")
                % {"count": len(report.problems) + len(report.file_problems)}
            )
        if dry_run:
            self.stdout.write(
                _("Dry run: %(count)s question(s) would be created.") % {"count": report.new}
            )
        else:
            self.stdout.write(_("Created %(count)s question(s).") % {"count": report.new})

    def _import_question_file(self, path, file_format, category, dry_run, skip_unsupported):
        parse = formats.parse_moodle_xml if file_format == "moodle-xml" else formats.parse_gift
        try:
            with path.open("rb") as handle:
                questions = parse(formats.read_question_file(handle, name=path.name))
        except formats.QuestionFileError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            default_category = services.category_for_path(category) if category else None
            report = formats.import_question_file(
                questions,
                default_category=default_category,
                dry_run=dry_run,
                skip_unsupported=skip_unsupported,
            )
            if dry_run or not report.ok:
                transaction.set_rollback(True)
        for problem in report.problems:
            self.stderr.write(formats.problem_label(problem))
        if not report.ok:
            raise CommandError(
                _("%(count)s problem(s); nothing was saved.") % {"count": len(report.problems)}
            )
        for skipped in report.skipped:
            label = formats.problem_label(skipped)
            self.stdout.write(_("Skipped: %(question)s") % {"question": label})
        if report.removed:
            self.stdout.write(
                _("%(count)s HTML element(s) were removed from the imported text.")
                % {"count": report.removed}
            )
        if dry_run:
            self.stdout.write(
                _("Dry run: %(count)s question(s) would be created.") % {"count": report.created}
            )
        else:
            self.stdout.write(_("Created %(count)s question(s).") % {"count": report.created})
