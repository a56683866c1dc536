import json

from django.core.management.base import BaseCommand

from lms.backup import storage_checksums


class Command(BaseCommand):
    help = "Print the SHA-256 of every media file as JSON (to compare a restore with its source)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(storage_checksums(), sort_keys=True))
