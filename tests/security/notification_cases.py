"""The notification service's URLs in the authorisation matrix.

The inbox is its owner's alone: a notification of ``world["employee"]`` is opened or marked by
that employee only (everyone else, superusers included, gets a 404). Robots, webhook
subscriptions and the delivery log are superusers' (model permissions nobody else holds).
"""

import datetime

from django.urls import reverse

from .matrix import DENY, OK, Case, expect


def notification(world):
    from drills.notifications import ACTION_OVERDUE, ActionOverdue
    from lms.notifications.models import Notification
    from lms.notifications.services import emit

    employee = world["employee"]
    emit(
        ACTION_OVERDUE,
        ActionOverdue(1, "整改", "演练", employee.number, employee.name, datetime.date(2026, 1, 5)),
        recipients=[employee],
    )
    return Notification.objects.filter(recipient_id=employee.user_id).latest("pk")


def robot(world):
    from lms.notifications.models import Robot

    return Robot.objects.create(
        name="矩阵机器人", vendor="wecom", webhook_url="https://qyapi.weixin.qq.com/x?key=k"
    )


def subscription(world):
    from lms.notifications.models import WebhookSubscription

    return WebhookSubscription.objects.create(
        name="矩阵订阅", url="https://hr.example.cn/hook", secret="s", kinds=[]
    )


def delivery(world):
    from lms.notifications.models import Delivery, Event

    event = Event.objects.create(kind="drills.action_overdue", payload={})
    return Delivery.objects.create(event=event, channel="webhook", kind=event.kind, target="x")


def on(name, make):
    return lambda world: reverse(name, args=[make(world).pk])


SIGNED_IN = expect(OK)
OWNER_ONLY = expect(DENY, employee=OK, superuser=DENY)
SUPERUSER_ONLY = expect(DENY)

CASES = {
    "notifications:inbox": Case(lambda w: reverse("notifications:inbox"), SIGNED_IN),
    "notifications:unread": Case(lambda w: reverse("notifications:unread"), SIGNED_IN),
    "notifications:preferences": Case(lambda w: reverse("notifications:preferences"), SIGNED_IN),
    "notifications:mark_all": Case(
        lambda w: reverse("notifications:mark_all"), SIGNED_IN, method="POST"
    ),
    "notifications:open": Case(on("notifications:open", notification), OWNER_ONLY),
    "notifications:mark": Case(
        on("notifications:mark", notification), OWNER_ONLY, method="POST", data=lambda w: {}
    ),
}
for viewset, make in (("notification_robots", robot), ("notification_webhooks", subscription)):
    CASES.update(
        {
            f"{viewset}:index": Case(lambda w, v=viewset: reverse(f"{v}:index"), SUPERUSER_ONLY),
            f"{viewset}:index_results": Case(
                lambda w, v=viewset: reverse(f"{v}:index_results"), SUPERUSER_ONLY
            ),
            f"{viewset}:add": Case(lambda w, v=viewset: reverse(f"{v}:add"), SUPERUSER_ONLY),
            **{
                f"{viewset}:{screen}": Case(on(f"{viewset}:{screen}", make), SUPERUSER_ONLY)
                for screen in ("edit", "delete", "history", "history_results", "usage")
            },
        }
    )
CASES.update(
    {
        "notification_deliveries:index": Case(
            lambda w: reverse("notification_deliveries:index"), SUPERUSER_ONLY
        ),
        "notification_deliveries:index_results": Case(
            lambda w: reverse("notification_deliveries:index_results"), SUPERUSER_ONLY
        ),
        "notification_deliveries:inspect": Case(
            on("notification_deliveries:inspect", delivery), SUPERUSER_ONLY
        ),
    }
)
