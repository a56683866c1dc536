from django.core.management.base import BaseCommand

from courses.tasks import refresh_required_training, send_training_reminders


class Command(BaseCommand):
    help = "Queue the daily training jobs: re-apply required-training rules, send reminders."

    def handle(self, *args, **options):
        refresh_required_training.enqueue()
        send_training_reminders.enqueue()
        self.stdout.write("Queued: refresh_required_training, send_training_reminders.")
