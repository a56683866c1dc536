import time

from django.core.management.base import BaseCommand

from lms.scheduling import schedule_due_jobs, scheduled_jobs


class Command(BaseCommand):
    help = "Enqueue scheduled background jobs when they are due (see lms/scheduling.py)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between checks (default 30)."
        )

    def handle(self, *args, once=False, interval=30, **options):
        jobs = scheduled_jobs()
        self.stdout.write(
            "Scheduled jobs: "
            + (
                ", ".join(f"{name} every {job.every}" for name, job in sorted(jobs.items()))
                or "none"
            )
        )
        while True:
            for name in schedule_due_jobs():
                self.stdout.write(f"Enqueued {name}")
            if once:
                return
            time.sleep(interval)
