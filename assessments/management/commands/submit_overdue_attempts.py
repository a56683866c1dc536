from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Queue the job that submits attempts whose time ran out, now; run_scheduler does this "
        "every minute by itself."
    )

    def handle(self, *args, **options):
        call_command(
            "run_scheduler", "--now", "assessments.submit_overdue_attempts", stdout=self.stdout
        )
