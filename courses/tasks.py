"""Daily background work for training, run by the scheduler (``lms.scheduling``) as background
jobs (``lms.jobs``), so every run shows its outcome under "Background jobs"."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import job_run, run_counting_job

from . import services


@task()
def send_training_reminders(job_id: int | None = None):
    """E-mail reminders before sessions and before required training falls due."""
    with job_run(job_id) as job:
        sent = services.reminders_send()
        count = sent["sessions"] + sent["assignments"]
        job.progress(count, count)
        job.finish(
            _("%(sessions)s session reminders and %(assignments)s due-date reminders sent.") % sent
        )
        return sent


@task()
def refresh_required_training(job_id: int | None = None):
    """Apply every active rule: new people in scope and expiring completions get assignments."""
    return run_counting_job(
        job_id,
        services.rules_apply_all,
        lambda count: (
            ngettext("%(count)s assignment made.", "%(count)s assignments made.", count)
            % {"count": count}
        ),
    )
