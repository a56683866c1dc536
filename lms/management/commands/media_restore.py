from django.core.management.base import BaseCommand

from lms.backup import media_restore


class Command(BaseCommand):
    help = "Put every file of a media_backup tar back into the media storage."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the tar file media_backup wrote")

    def handle(self, *args, source, **options):
        files, size = media_restore(source)
        self.stdout.write(f"media_restore: {files} files, {size} bytes ← {source}")
