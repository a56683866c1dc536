from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.hooks import (
    API_ROUTER_HOOK,
    APPRAISAL_INDICATOR_SOURCE_HOOK,
    ARCHIVE_SOURCE_HOOK,
    AUDIT_TRAIL_ACTIONS_HOOK,
    DASHBOARD_FIGURE_HOOK,
    DEMO_SEED_HOOK,
    NOTIFICATION_KIND_HOOK,
    PORTAL_MENU_HOOK,
    PORTAL_PANEL_HOOK,
    SCHEDULED_JOB_HOOK,
    WORKBENCH_HOOK,
)

from . import integrations
from .viewsets import DrillsViewSetGroup, dashboard_menu_item

hooks.register("after_create_page", integrations.record_plan_revision_note)
hooks.register("after_edit_page", integrations.record_plan_revision_note)
hooks.register(ARCHIVE_SOURCE_HOOK, integrations.drill_archive_entries)
hooks.register(APPRAISAL_INDICATOR_SOURCE_HOOK, integrations.indicator_sources)
hooks.register(PORTAL_PANEL_HOOK, integrations.portal_panels)
hooks.register(WORKBENCH_HOOK, integrations.workbench_items)
hooks.register(PORTAL_MENU_HOOK, integrations.menu_links)
hooks.register(DEMO_SEED_HOOK, integrations.demo_seeder)
hooks.register(SCHEDULED_JOB_HOOK, integrations.scheduled_jobs)
hooks.register("register_admin_menu_item", dashboard_menu_item)


@hooks.register("register_admin_urls")
def register_drills_admin_urls():
    from django.urls import path

    from .viewsets import DashboardView

    return [path("drills/dashboard/", DashboardView.as_view(), name="drills_admin_dashboard")]


@hooks.register("register_admin_viewset")
def register_drills_viewsets():
    return DrillsViewSetGroup()


@hooks.register("register_log_actions")
def register_drills_log_actions(actions):
    for name, label, message in (
        ("drills.plan_revision_reason", _("Record revision reason"), _("Revision reason recorded")),
        ("drills.drill_conducted", _("Record drill conducted"), _("Drill recorded as conducted")),
        ("drills.drill_evaluated", _("Mark drill evaluated"), _("Drill marked evaluated")),
        ("drills.report_approved", _("Approve report"), _("After-action report approved")),
        ("drills.drill_closed", _("Close drill"), _("Drill closed")),
        ("drills.action_status", _("Change action status"), _("Corrective action status changed")),
    ):
        actions.register_action(name, label, message)


@hooks.register(AUDIT_TRAIL_ACTIONS_HOOK)
def register_drills_audit_actions():
    return [
        ("drills.sheet_submitted", _("Evaluation sheet submitted")),
        ("drills.sheet_reopened", _("Evaluation sheet reopened")),
        ("drills.action_verified", _("Corrective action verified")),
        ("drills.action_rejected", _("Corrective action sent back")),
        ("drills.action_changed", _("Corrective action reassigned or rescheduled")),
    ]


@hooks.register(DASHBOARD_FIGURE_HOOK)
def register_drills_dashboard_figure():
    from .integrations import dashboard_figures

    return dashboard_figures()


@hooks.register("before_serve_document")
def plan_attachments_to_staff(document, request):
    """An emergency plan's attachments are for staff (any role beyond employee), not for every
    signed-in employee who guesses a document id."""
    from django.http import Http404

    from lms.roles import Role, has_role

    from .models import PlanAttachment

    staff = (Role.HR, Role.MANAGER, Role.COORDINATOR, Role.TRAINER, Role.EVALUATOR)
    if PlanAttachment.objects.filter(document=document).exists() and not has_role(
        request.user, *staff
    ):
        raise Http404
    return None


@hooks.register(API_ROUTER_HOOK)
def register_api_router():
    from lms.api import ApiRouter

    from .api import router

    return ApiRouter("", router)


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_notification_kinds():
    from .notifications import kinds

    return kinds()
