"""What drills announce through the notification service (``lms.notifications``)."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.notifications.kinds import Channel, EventKind

ACTION_OVERDUE = "drills.action_overdue"


@dataclass(frozen=True)
class ActionOverdue:
    action_id: int
    action: str
    drill: str
    owner_number: str
    owner: str
    due_date: datetime.date


def kinds():
    return [
        EventKind(
            ACTION_OVERDUE,
            payload=ActionOverdue,
            label=gettext_lazy("Corrective action overdue"),
            title=lambda p: _("Overdue corrective action: %(action)s") % {"action": p.action},
            body=lambda p: (
                _(
                    "%(name)s,\n\nThe corrective action “%(action)s” from the drill "
                    "“%(drill)s” was due on %(due)s and is not finished yet."
                )
                % {
                    "name": p.owner,
                    "action": p.action,
                    "drill": p.drill,
                    "due": p.due_date.isoformat(),
                }
            ),
            url=lambda p: reverse("drills:action", args=[p.action_id]),
            channels=(Channel.INBOX, Channel.EMAIL),
            webhook=True,
            order=40,
        )
    ]
