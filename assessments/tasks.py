from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import job_run, run_counting_job


@task()
def submit_overdue_attempts(job_id: int | None = None):
    """Submit and grade every attempt whose time ran out (run every minute)."""
    from . import services

    with job_run(job_id) as job:
        count = services.attempts_submit_overdue(progress=job.progress)
        if not count:
            job.discard()  # a minute with nothing to do leaves no row in the job list
        job.finish(
            ngettext("%(count)s attempt submitted.", "%(count)s attempts submitted.", count)
            % {"count": count}
        )
        return count


@task()
def build_certificate_bundle(job_id: int):
    """Build the zip of an exam's certificates as a background job with progress."""
    from . import services

    with job_run(job_id) as job:
        count = services.certificate_bundle_build(exam_id=job.params["exam_id"], job=job)
        job.finish(
            ngettext("%(count)s certificate.", "%(count)s certificates.", count) % {"count": count}
        )


@task()
def remind_expiring_certificates(job_id: int | None = None):
    """E-mail the holders of certificates about to expire (run daily)."""
    from . import services

    return run_counting_job(
        job_id,
        services.certificates_remind_expiring,
        lambda count: (
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count)
            % {"count": count}
        ),
    )


@task()
def announce_qualifications(job_id: int | None = None):
    """Tell people (and webhooks) whose qualifications became expiring or lapsed (run daily)."""
    from . import services

    return run_counting_job(
        job_id,
        services.qualifications_announce,
        lambda count: (
            ngettext(
                "%(count)s qualification change announced.",
                "%(count)s qualification changes announced.",
                count,
            )
            % {"count": count}
        ),
    )


@task()
def fill_exam_papers(job_id: int | None = None, exam_id: int | None = None):
    """Draw papers ahead for formal exams that open soon (run every few minutes), or for one
    exam (its publication, or a start that found its pool empty)."""
    from . import services

    if exam_id is not None:
        exam = services.exams_due_for_papers().filter(pk=exam_id).first()
        return services.papers_fill(exam) if exam is not None else 0
    with job_run(job_id) as job:
        count = services.papers_fill_due(progress=job.progress)
        if not count:
            job.discard()  # nothing drawn leaves no row in the job list
        job.finish(
            ngettext("%(count)s paper drawn.", "%(count)s papers drawn.", count) % {"count": count}
        )
        return count
