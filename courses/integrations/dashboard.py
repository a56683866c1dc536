"""Training compliance per employee for the careers dashboard (``register_dashboard_figure``).

One query whatever the number of employees.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import DashboardFigure

from ..models import Assignment


def compliance(employee_ids, today=None):
    """{employee id: assigned, done and overdue} for assignments due this year or still open."""
    today = today or timezone.localdate()
    rows = (
        Assignment.objects.filter(employee_id__in=list(employee_ids))
        .filter(Q(due_on__year=today.year) | Q(completion__isnull=True, due_on__lt=today))
        .values("employee_id")
        .annotate(
            assigned=Count("pk"),
            done=Count("pk", filter=Q(completion__isnull=False)),
            overdue=Count("pk", filter=Q(completion__isnull=True, due_on__lt=today)),
        )
    )
    return {
        row["employee_id"]: {
            "assigned": row["assigned"],
            "done": row["done"],
            "overdue": row["overdue"],
        }
        for row in rows
    }


def dashboard_figures():
    return DashboardFigure(
        key="training-compliance",
        label=_("Training compliance"),
        columns=(("assigned", _("Assigned")), ("done", _("Done")), ("overdue", _("Overdue"))),
        compute=compliance,
        rate=("done", "assigned", _("Completion rate")),
        order=10,
    )
