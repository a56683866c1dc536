"""What careers announces through the notification service (``lms.notifications``)."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.notifications.kinds import EventKind

APPRAISAL_PUBLISHED = "careers.appraisal_published"


@dataclass(frozen=True)
class AppraisalPublished:
    period_id: int
    period: str
    start: datetime.date
    end: datetime.date
    results: int
    published_at: datetime.datetime | None


def kinds():
    return [
        EventKind(
            APPRAISAL_PUBLISHED,
            payload=AppraisalPublished,
            label=gettext_lazy("Appraisal results published"),
            title=lambda p: _("Appraisal results published: %(period)s") % {"period": p.period},
            body=lambda p: (
                _(
                    "The appraisal results of %(period)s (%(start)s to %(end)s) are published; "
                    "yours is in My development."
                )
                % {"period": p.period, "start": p.start.isoformat(), "end": p.end.isoformat()}
            ),
            url=lambda p: reverse("portal:section", args=["development"]),
            webhook=True,
            order=50,
        )
    ]
