"""What the platform runs for drills: the demo story and the scheduled overdue-action reminder."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def demo_seeder():
    from ..demo import DrillsDemoSeeder

    return DrillsDemoSeeder()


def scheduled_jobs():
    """The overdue-action reminder as a job for the lms scheduler (``run_scheduler``)."""
    import datetime

    from lms.scheduling import ScheduledJob

    from ..tasks import remind_overdue_actions

    return ScheduledJob(
        name="drills.remind_overdue_actions",
        task=remind_overdue_actions,
        every=datetime.timedelta(hours=settings.DRILLS_REMINDER_RUN_HOURS),
        label=_("Overdue corrective action reminders"),
    )
