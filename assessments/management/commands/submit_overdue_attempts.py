from django.core.management.base import BaseCommand

from ...tasks import submit_overdue_attempts


class Command(BaseCommand):
    help = "Queue the task that submits attempts whose time ran out (schedule every minute)."

    def handle(self, *args, **options):
        submit_overdue_attempts.enqueue()
