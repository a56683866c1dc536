"""Exam pass rates and qualification status per employee for the careers dashboard
(``register_dashboard_figure``); each figure runs a fixed number of queries whatever the number
of employees.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import DashboardFigure
from lms.models import Employee

from ..models import Attempt
from ..qualifications import EXPIRING, LAPSED, VALID, standings


def pass_rates(employee_ids, today=None):
    """{employee id: graded attempts and passes} this year."""
    today = today or timezone.localdate()
    rows = (
        Attempt.objects.filter(
            employee_id__in=list(employee_ids),
            status=Attempt.Status.GRADED,
            finished_at__year=today.year,
        )
        .values("employee_id")
        .annotate(taken=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    )
    return {row["employee_id"]: {"taken": row["taken"], "passed": row["passed"]} for row in rows}


def qualification_status(employee_ids, today=None):
    """{employee id: required, valid, expiring and lapsed qualifications} under the active rules."""
    employees = Employee.objects.filter(pk__in=list(employee_ids)).only("pk", "position_id")
    result = {}
    for employee_id, rows in standings(employees, today=today).items():
        if not rows:
            continue
        counts = {"required": len(rows), VALID: 0, EXPIRING: 0, LAPSED: 0}
        for standing in rows:
            counts[standing.status] += 1
        result[employee_id] = counts
    return result


def dashboard_figures():
    return [
        DashboardFigure(
            key="exam-pass-rates",
            label=_("Exam pass rates"),
            columns=(("taken", _("Graded attempts")), ("passed", _("Passed"))),
            compute=pass_rates,
            rate=("passed", "taken", _("Pass rate")),
            order=20,
        ),
        DashboardFigure(
            key="qualification-status",
            label=_("Qualification status"),
            columns=(
                ("required", _("Required")),
                (VALID, _("Valid")),
                (EXPIRING, _("Expiring")),
                (LAPSED, _("Lapsed")),
            ),
            compute=qualification_status,
            rate=(VALID, "required", _("Qualified share")),
            order=30,
        ),
    ]
