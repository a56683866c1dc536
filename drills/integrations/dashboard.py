"""Drill participation and role scores per employee for the careers dashboard
(``register_dashboard_figure``), in a fixed number of queries whatever the number of employees.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import DashboardFigure

from .records import compute_participation, compute_role_score


def drill_scores(employee_ids, today=None):
    """{employee id: drills attended, scored roles and score sum} this year."""
    today = today or timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    employee_ids = list(employee_ids)
    result = {}
    for pk, reading in compute_participation(start, today, employee_ids).items():
        result.setdefault(pk, {"attended": 0, "scored": 0, "score_sum": 0})
        result[pk]["attended"] = reading.value
    for pk, reading in compute_role_score(start, today, employee_ids).items():
        result.setdefault(pk, {"attended": 0, "scored": 0, "score_sum": 0})
        result[pk]["scored"] = 1
        result[pk]["score_sum"] = reading.value
    return result


def dashboard_figures():
    return DashboardFigure(
        key="drill-scores",
        label=_("Drill scores"),
        columns=(("attended", _("Drills attended")), ("scored", _("People scored"))),
        compute=drill_scores,
        rate=("score_sum", "scored", _("Average score")),
        percent=False,
        order=40,
    )
