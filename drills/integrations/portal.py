"""The portal's "My drills" panel, the drills items of the workbench and the menu link."""

from django.db.models import Count, Exists, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import (
    MenuLink,
    WorkItem,
)
from lms.models import Employee
from lms.portal import PanelSummary, PortalPanel
from lms.roles import Role, get_employee, has_role, user_roles

from ..models import (
    CorrectiveAction,
    Drill,
    DrillParticipant,
    EvaluationSheet,
)
from ..models.evaluation import EDITABLE_DRILL_STATUSES
from ..portal import cached_summary


class MyDrillsPanel(PortalPanel):
    section = "drills"
    title = _("My drills")
    order = 10
    template_name = "drills/portal/my_drills.html"

    def _data(self, employee):
        cached = getattr(employee, "_drills_panel", None)
        if cached is None:
            sheets = list(
                EvaluationSheet.objects.filter(
                    evaluator=employee,
                    status=EvaluationSheet.Status.DRAFT,
                    drill__status__in=EDITABLE_DRILL_STATUSES,
                ).select_related("drill")
            )
            participations = list(
                DrillParticipant.objects.filter(employee=employee)
                .exclude(drill__status=Drill.Status.CLOSED)
                .select_related("drill")
                .order_by("drill__planned_start")
            )
            actions = list(
                CorrectiveAction.objects.filter(owner=employee)
                .unfinished()
                .select_related("finding__drill")
            )
            cached = {"sheets": sheets, "participations": participations, "actions": actions}
            employee._drills_panel = cached
        return cached

    def get_context_data(self, request, employee):
        data = self._data(employee)
        today = timezone.localdate()
        return {
            **data,
            "overdue_ids": {a.pk for a in data["actions"] if a.is_overdue(today)},
            "is_coordinator": has_role(request.user, Role.COORDINATOR),
        }

    def summary(self, request, employee):
        count, attention, involved = cached_summary(employee, lambda: self._summary(employee))
        if not count and not involved:
            return None
        return PanelSummary(
            count=count, label=_("sheets to fill and actions to finish"), attention=attention
        )

    @staticmethod
    def _summary(employee):
        """(things to do, needs attention, takes part in an open drill) in one query."""
        today = timezone.localdate()
        sheets = EvaluationSheet.objects.filter(
            evaluator=employee,
            status=EvaluationSheet.Status.DRAFT,
            drill__status__in=EDITABLE_DRILL_STATUSES,
        )
        actions = CorrectiveAction.objects.filter(owner=employee).unfinished()
        participations = DrillParticipant.objects.filter(employee=employee).exclude(
            drill__status=Drill.Status.CLOSED
        )

        def count(queryset, group):
            # Grouped by the one employee: a single row holding the count (none when zero).
            return Coalesce(
                Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]),
                0,
            )

        row = (
            Employee.objects.filter(pk=employee.pk)
            .annotate(
                sheets=count(sheets, "evaluator"),
                actions=count(actions, "owner"),
                overdue=Exists(actions.filter(due_date__lt=today)),
                involved=Exists(participations),
            )
            .values("sheets", "actions", "overdue", "involved")
            .get()
        )
        return (
            row["sheets"] + row["actions"],
            bool(row["sheets"]) or row["overdue"],
            row["involved"],
        )


def portal_panels():
    return MyDrillsPanel()


def workbench_items(request):
    """Coordinators: drills to prepare, sheets outstanding, actions overdue; evaluators: the
    sheets they still have to fill in."""
    user = request.user
    items = []
    if has_role(user, Role.COORDINATOR):
        dashboard = reverse("drills:dashboard")
        items += [
            WorkItem(
                Role.COORDINATOR,
                _("drills to prepare"),
                dashboard,
                Drill.objects.visible_to(user).filter(status=Drill.Status.PLANNED).count(),
            ),
            WorkItem(
                Role.COORDINATOR,
                _("evaluation sheets outstanding"),
                dashboard,
                EvaluationSheet.objects.outstanding()
                .filter(drill__status__in=EDITABLE_DRILL_STATUSES)
                .count(),
            ),
            WorkItem(
                Role.COORDINATOR,
                _("corrective actions overdue"),
                reverse("corrective_actions:index"),
                CorrectiveAction.objects.visible_to(user).overdue().count(),
                attention=True,
            ),
        ]
    employee = get_employee(user)
    if employee is not None and Role.EVALUATOR in user_roles(user):
        items.append(
            WorkItem(
                Role.EVALUATOR,
                _("evaluation sheets to fill in"),
                reverse("portal:section", args=["drills"]),
                EvaluationSheet.objects.filter(evaluator=employee)
                .outstanding()
                .filter(drill__status__in=EDITABLE_DRILL_STATUSES)
                .count(),
                attention=True,
            )
        )
    return items


def menu_links():
    return MenuLink(_("Emergency plans"), "drills:plan_library", "📕", order=30)
