from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Queue the daily training jobs now (re-apply required-training rules, send reminders); "
        "run_scheduler does this every day by itself."
    )

    def handle(self, *args, **options):
        call_command(
            "run_scheduler",
            "--now",
            "courses.refresh_required_training",
            "--now",
            "courses.send_training_reminders",
            stdout=self.stdout,
        )
