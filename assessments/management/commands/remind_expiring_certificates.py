from django.core.management.base import BaseCommand

from ...tasks import remind_expiring_certificates


class Command(BaseCommand):
    help = "Queue the task that reminds holders of certificates about to expire (run daily)."

    def handle(self, *args, **options):
        remind_expiring_certificates.enqueue()
