"""What careers gives other apps through the lms hooks (registered in wagtail_hooks.py): the
portal's "My appraisal", "Training hours" and "My plans and rotations" panels, the workbench
items of HR and managers, and the archive entries of appraisal results, plans and rotations."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import ArchiveCategory, ArchiveEntry, WorkItem
from lms.portal import PanelSummary, PortalPanel
from lms.roles import Role, has_role, managed_department_paths, user_roles

from .archive import archive_context
from .models import (
    AppraisalPeriod,
    AppraisalResult,
    DevelopmentGoal,
    DevelopmentPlan,
    Recognition,
    RotationAssignment,
)


class AppraisalPanel(PortalPanel):
    section = "development"
    title = _("My appraisal")
    order = 30
    template_name = "careers/portal/development_panel.html"

    def _results(self, employee):
        return list(
            AppraisalResult.objects.for_employee(employee)
            .published()
            .select_related("period")
            .order_by("-period__start")
        )

    def get_context_data(self, request, employee):
        if employee is None:
            return {"results": [], "recognitions": []}
        return {
            "results": self._results(employee),
            "recognitions": list(
                Recognition.objects.for_employee(employee).select_related("period")
            ),
        }

    def summary(self, request, employee):
        latest = (
            AppraisalResult.objects.for_employee(employee)
            .published()
            .order_by("-period__start")
            .values_list("grade", flat=True)
            .first()
        )
        if latest is None:
            return None
        return PanelSummary(1, _("latest appraisal grade %(grade)s") % {"grade": latest})


def appraisal_archive_entries(employee, *, year=None):
    """Published appraisal results as archive entries."""
    results = AppraisalResult.objects.for_employee(employee).published().select_related("period")
    if year is not None:
        results = results.filter(period__end__year=year)
    return [
        ArchiveEntry(
            date=result.period.end,
            category=ArchiveCategory.APPRAISAL,
            title=str(result.period),
            detail=_("grade %(grade)s, rank %(rank)s of %(size)s")
            % {
                "grade": result.grade,
                "rank": result.rank_in_department,
                "size": result.department_size,
            },
            score=result.total_score,
            url=reverse("careers:result", args=[result.pk]),
            source="careers",
        )
        for result in results
    ]


class ArchivePanel(PortalPanel):
    """This year's training hours against the minimums, with links to the archive and its PDF."""

    section = "archive"
    title = _("Training hours")
    order = 10
    template_name = "careers/portal/archive_panel.html"

    def is_shown(self, request, employee):
        return employee is not None

    def get_context_data(self, request, employee):
        context = archive_context(employee, year=timezone.localdate().year)
        return {"ledger": context["ledger"], "ledger_year": context["ledger_year"]}

    def summary(self, request, employee):
        ledger = archive_context(employee, year=timezone.localdate().year)["ledger"]
        total = ledger[0]
        return PanelSummary(
            int(total.hours),
            _("training hours this year (minimum %(minimum)s)") % {"minimum": total.minimum},
            attention=not total.met,
        )


class PlansPanel(PortalPanel):
    """The employee's development plans, rotations and the plans they mentor."""

    section = "development"
    title = _("My plans and rotations")
    order = 10
    template_name = "careers/portal/plans_panel.html"

    def is_shown(self, request, employee):
        return employee is not None

    def get_context_data(self, request, employee):
        return {
            "plans": list(
                DevelopmentPlan.objects.for_employee(employee).select_related("target_position")
            ),
            "rotations": list(
                RotationAssignment.objects.for_employee(employee).select_related(
                    "programme", "to_department", "to_position"
                )
            ),
            "mentoring": list(
                DevelopmentPlan.objects.filter(mentor=employee)
                .exclude(status="reviewed")
                .select_related("employee")
            ),
            "to_approve": list(_plans_to_approve(request.user, employee)),
        }

    def summary(self, request, employee):
        waiting = _plans_to_approve(request.user, employee).count()
        if waiting:
            return PanelSummary(waiting, _("development plans await your approval"), True)
        open_goals = DevelopmentGoal.objects.filter(
            plan__employee=employee, status__in=["not_started", "in_progress"]
        ).count()
        if not open_goals:
            return None
        return PanelSummary(open_goals, _("open development goals"))


def _plans_to_approve(user, employee):
    """Submitted plans of people below the departments this manager heads."""
    paths = managed_department_paths(user)
    if not paths:
        return DevelopmentPlan.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(employee__department__path__startswith=path)
    return (
        DevelopmentPlan.objects.filter(condition, status=DevelopmentPlan.Status.SUBMITTED)
        .exclude(employee=employee)
        .select_related("employee")
    )


def development_archive_entries(employee, *, year=None):
    """Development plans and rotations as archive entries."""
    plans = DevelopmentPlan.objects.for_employee(employee).select_related("target_position")
    rotations = RotationAssignment.objects.for_employee(employee).select_related(
        "programme", "to_department", "to_position"
    )
    entries = [
        ArchiveEntry(
            date=timezone.localdate(plan.approved_at or plan.created_at),
            category=ArchiveCategory.DEVELOPMENT,
            title=str(plan),
            detail=f"{plan.target_position or ''} · {plan.get_status_display()}",
            url=reverse("careers:plan", args=[plan.pk]),
            source="careers",
        )
        for plan in plans
    ]
    entries += [
        ArchiveEntry(
            date=rotation.start,
            category=ArchiveCategory.ROTATION,
            title=f"{rotation.programme}: {rotation.to_department} · {rotation.to_position}",
            detail=f"{rotation.start:%Y-%m-%d} – {rotation.end:%Y-%m-%d} · "
            f"{rotation.get_status_display()}",
            score=rotation.average_score
            if rotation.status == RotationAssignment.Status.COMPLETED
            else None,
            url=reverse("careers:rotation", args=[rotation.pk]),
            source="careers",
        )
        for rotation in rotations.prefetch_related("objectives")
        if rotation.status != RotationAssignment.Status.CANCELLED
    ]
    if year is not None:
        entries = [entry for entry in entries if entry.date.year == year]
    return entries


def workbench_items(request):
    """HR: the appraisal period in progress and the places of HR's routine; managers: plans and
    rotations waiting for their approval or evaluation."""
    user = request.user
    items = []
    if has_role(user, Role.HR):
        period = (
            AppraisalPeriod.objects.exclude(status=AppraisalPeriod.Status.PUBLISHED)
            .order_by("-end", "-pk")
            .first()
        )
        if period is not None:
            items.append(
                WorkItem(
                    Role.HR,
                    _("Appraisal %(period)s: %(status)s")
                    % {"period": period.name, "status": period.get_status_display()},
                    reverse("careers_periods:edit", args=[period.pk]),
                )
            )
        items += [
            WorkItem(Role.HR, _("Import employees"), reverse("employees:import")),
            WorkItem(Role.HR, _("Training archives"), reverse("careers:archive_index")),
            WorkItem(Role.HR, _("Dashboards"), reverse("careers:dashboard")),
        ]
    if Role.MANAGER in user_roles(user):
        plans = DevelopmentPlan.objects.visible_to(user).filter(
            status=DevelopmentPlan.Status.SUBMITTED
        )
        paths = managed_department_paths(user)
        rotations = RotationAssignment.objects.filter(
            status=RotationAssignment.Status.ACTIVE, end__lte=timezone.localdate()
        )
        in_my_departments = Q()
        for path in paths:
            in_my_departments |= Q(to_department__path__startswith=path)
        rotations = rotations.filter(in_my_departments) if paths else rotations.none()
        items += [
            WorkItem(
                Role.MANAGER,
                _("development plans to approve"),
                reverse("careers_plans:index"),
                plans.count(),
                attention=True,
            ),
            WorkItem(
                Role.MANAGER,
                _("rotations ended, to evaluate"),
                reverse("careers_rotations:index"),
                rotations.count(),
                attention=True,
            ),
        ]
    return items


def archive_entries(employee, *, year=None):
    """Everything careers adds to an employee's archive: appraisal results, plans, rotations."""
    return appraisal_archive_entries(employee, year=year) + development_archive_entries(
        employee, year=year
    )


def portal_panels():
    return [PlansPanel(), AppraisalPanel(), ArchivePanel()]
