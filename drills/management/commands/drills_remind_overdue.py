from django.core.management.base import BaseCommand

from drills.tasks import remind_overdue_actions


class Command(BaseCommand):
    help = "Queue the e-mail reminders to owners of overdue corrective actions (run daily)."

    def handle(self, *args, **options):
        remind_overdue_actions.enqueue()
        self.stdout.write("Queued the overdue corrective action reminders.")
