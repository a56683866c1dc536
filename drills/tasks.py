from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import run_counting_job

from . import services


@task()
def remind_overdue_actions(job_id: int | None = None):
    """E-mail the owners of overdue corrective actions (run daily, as a background job)."""
    return run_counting_job(
        job_id,
        services.actions_remind_overdue,
        lambda count: (
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count)
            % {"count": count}
        ),
    )
