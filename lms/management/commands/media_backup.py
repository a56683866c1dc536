from django.core.management.base import BaseCommand

from lms.backup import media_backup


class Command(BaseCommand):
    help = "Write every media file (MEDIA_ROOT or S3, whatever the storage is) into a tar file."

    def add_arguments(self, parser):
        parser.add_argument("target", help="the tar file to write")

    def handle(self, *args, target, **options):
        files, size = media_backup(target)
        self.stdout.write(f"media_backup: {files} files, {size} bytes → {target}")
