from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import job_run

from . import services


@task()
def remind_overdue_actions(job_id: int | None = None):
    """E-mail the owners of overdue corrective actions (run daily, as a background job)."""
    with job_run(job_id) as job:
        count = services.actions_remind_overdue()
        job.progress(count, count)
        job.finish(
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count)
            % {"count": count}
        )
        return count
