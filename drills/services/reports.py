"""The after-action report: approving it freezes the drill's scores (see ``drills.scoring``)."""

from django.db import transaction
from django.db.models import Max
from wagtail.log_actions import log

from ..models import (
    Drill,
    ScoreSnapshot,
)
from ..scoring import drill_scores
from ._common import _refreshes_portal


@_refreshes_portal
@transaction.atomic
def report_approve(*, drill: Drill, acting_user=None) -> ScoreSnapshot:
    """Approve the after-action report and freeze the scores; re-approval adds a new snapshot."""
    # Lock the row so that two approvals cannot take the same snapshot version.
    drill.status = (
        Drill.objects.select_for_update().values_list("status", flat=True).get(pk=drill.pk)
    )
    drill.mark_report_approved()
    drill.save(update_fields=["status"])
    scores = drill_scores(drill)
    last = drill.snapshots.aggregate(last=Max("version"))["last"] or 0
    snapshot = ScoreSnapshot.objects.create(
        drill=drill,
        version=last + 1,
        overall=scores["overall"],
        data=scores_to_json(scores),
        approved_by=getattr(acting_user, "employee", None) if acting_user else None,
    )
    log(drill, "drills.report_approved", user=acting_user)
    return snapshot


def scores_to_json(scores: dict) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {
        "overall": num(scores["overall"]),
        "by_phase": {k: num(v) for k, v in scores["by_phase"].items()},
        "by_capability": {k: num(v) for k, v in scores["by_capability"].items()},
        "by_role": {k: num(v) for k, v in scores["by_role"].items()},
        "by_department": {
            str(k): {"name": v["name"], "score": num(v["score"])}
            for k, v in scores["by_department"].items()
        },
        "participants": {
            str(k): {"role": v["role"], "attendance": v["attendance"], "score": num(v["score"])}
            for k, v in scores["participants"].items()
        },
    }
