from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .kinds import NOTIFICATION_KIND_HOOK


@hooks.register("register_admin_viewset")
def register_notification_viewsets():
    from .viewsets import NotificationsViewSetGroup

    return NotificationsViewSetGroup()


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_workflow_kinds():
    from .workflow import kinds

    return kinds()


@hooks.register("register_scheduled_job")
def register_retry_job():
    from lms.scheduling import ScheduledJob

    from .tasks import retry_deliveries

    return ScheduledJob(
        "notifications.retry_deliveries",
        retry_deliveries,
        timedelta(minutes=1),
        _("Send notifications again"),
    )
