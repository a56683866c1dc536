import time

from django.core.management.base import BaseCommand, CommandError

from lms.scheduling import enqueue_now, schedule_due_jobs, scheduled_jobs


class Command(BaseCommand):
    help = "Enqueue scheduled background jobs when they are due (see lms/scheduling.py)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between checks (default 30)."
        )
        parser.add_argument(
            "--now",
            action="append",
            default=[],
            metavar="NAME",
            help="Enqueue this scheduled job at once and exit (may be given more than once).",
        )

    def handle(self, *args, once=False, interval=30, now=(), **options):
        jobs = scheduled_jobs()
        if now:
            unknown = sorted(set(now) - set(jobs))
            if unknown:
                raise CommandError(f"No scheduled job named {', '.join(unknown)}")
            for name in now:
                self.stdout.write(f"Enqueued {name} (background job {enqueue_now(name).pk})")
            return
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
