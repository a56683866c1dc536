"""Sending in the background: one task per delivery, and a scheduled sweep for retries."""

from django.utils.translation import ngettext
from django_tasks import task

from lms.jobs import job_run


@task()
def deliver(delivery_id: int):
    """Try one delivery (an e-mail, a robot message, a webhook call) once."""
    from .services import delivery_attempt

    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else None


@task()
def emit_event(kind_name: str, data: dict, user_ids: list[int], dedupe_key: str | None = None):
    """The background half of ``services.emit_later``."""
    from django.contrib.auth import get_user_model

    from .kinds import event_kind, load_payload
    from .services import emit

    kind = event_kind(kind_name)
    if kind is None:  # the app that declared it is gone: nothing to say
        return None
    users = list(get_user_model().objects.filter(pk__in=user_ids))
    event = emit(kind_name, load_payload(kind, data), recipients=users, dedupe_key=dedupe_key)
    return event.pk if event is not None else None


@task()
def retry_deliveries(job_id: int | None = None):
    """Queue every delivery whose next attempt is due (run every minute by the scheduler)."""
    from .services import deliveries_due

    with job_run(job_id) as job:
        due = deliveries_due()
        for delivery_id in due:
            deliver.enqueue(delivery_id)
        if not due:
            job.discard()  # a minute with nothing to retry leaves no row in the job list
        job.progress(len(due), len(due))
        job.finish(
            ngettext(
                "%(count)s message queued again.", "%(count)s messages queued again.", len(due)
            )
            % {"count": len(due)}
        )
        return len(due)
