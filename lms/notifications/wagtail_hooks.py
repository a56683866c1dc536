from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.hooks import NOTIFICATION_KIND_HOOK, SCHEDULED_JOB_HOOK


@hooks.register("register_admin_viewset")
def register_notification_viewsets():
    from .viewsets import NotificationsViewSetGroup

    return NotificationsViewSetGroup()


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_workflow_kinds():
    from .workflow import kinds

    return kinds()


@hooks.register(SCHEDULED_JOB_HOOK)
def register_retry_job():
    from lms.scheduling import ScheduledJob

    from .tasks import retry_deliveries

    return ScheduledJob(
        "notifications.retry_deliveries",
        retry_deliveries,
        timedelta(minutes=1),
        _("Send notifications again"),
    )
