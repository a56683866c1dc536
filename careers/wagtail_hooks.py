from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.hooks import (
    API_ROUTER_HOOK,
    ARCHIVE_SOURCE_HOOK,
    AUDIT_TRAIL_ACTIONS_HOOK,
    DEMO_SEED_HOOK,
    JOB_KIND_HOOK,
    NOTIFICATION_KIND_HOOK,
    PORTAL_PANEL_HOOK,
    WORKBENCH_HOOK,
)
from lms.roles import Role, has_role

from .admin_panels import add_careers_panel
from .demo import CareersDemoSeeder
from .integrations import archive_entries, portal_panels, workbench_items
from .viewsets import CareersViewSetGroup


@hooks.register("register_log_actions")
def register_careers_log_actions(actions):
    # Entries written before the audit trail (one per import) keep their label.
    actions.register_action(
        "careers.values_imported", _("Import indicator values"), _("Indicator values imported")
    )


@hooks.register(AUDIT_TRAIL_ACTIONS_HOOK)
def register_careers_audit_actions():
    return [
        ("careers.value_set", _("Indicator value entered")),
        ("careers.value_imported", _("Indicator value imported")),
        ("careers.value_corrected", _("Value corrected")),
        ("careers.value_deleted", _("Indicator value removed")),
        ("careers.calculated", _("Appraisal calculated")),
        ("careers.result_changed", _("Result recalculated")),
        ("careers.period_frozen", _("Appraisal period frozen")),
        ("careers.period_published", _("Appraisal results published")),
        ("careers.period_unpublished", _("Appraisal results withdrawn")),
        ("careers.rotation_evaluated", _("Rotation evaluated")),
        ("careers.rotation_evaluation_changed", _("Rotation evaluation changed")),
    ]


@hooks.register("register_admin_viewset")
def register_careers_viewsets():
    return CareersViewSetGroup()


@hooks.register(WORKBENCH_HOOK)
def register_careers_workbench(request):
    return workbench_items(request)


@hooks.register(PORTAL_PANEL_HOOK)
def register_careers_portal_panels():
    return portal_panels()


@hooks.register(ARCHIVE_SOURCE_HOOK)
def register_careers_archive_source(employee, *, year=None):
    return archive_entries(employee, year=year)


@hooks.register("construct_homepage_panels")
def add_careers_homepage_panel(request, panels):
    add_careers_panel(request, panels)


@hooks.register(DEMO_SEED_HOOK)
def register_careers_demo_seed():
    return CareersDemoSeeder()


class _RoleMenuItem(MenuItem):
    """A menu link shown only to HR and department managers."""

    def is_shown(self, request):
        return has_role(request.user, Role.HR, Role.MANAGER)


@hooks.register("register_admin_urls")
def register_careers_admin_urls():
    from django.urls import path

    from .admin_views import ArchiveIndexView, DashboardView

    return [
        path("careers/archives/", ArchiveIndexView.as_view(), name="careers_admin_archives"),
        path("careers/dashboard/", DashboardView.as_view(), name="careers_admin_dashboard"),
    ]


@hooks.register("register_admin_menu_item")
def register_archive_menu_item():
    return _RoleMenuItem(
        _("Training archives"),
        reverse_lazy("careers_admin_archives"),
        icon_name="folder-open-1",
        order=810,
    )


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return _RoleMenuItem(
        _("Careers dashboard"),
        reverse_lazy("careers_admin_dashboard"),
        icon_name="view",
        order=811,
    )


@hooks.register(JOB_KIND_HOOK)
def register_careers_job_kinds():
    from lms.jobs import JobKind

    return [
        JobKind("careers.archive_zip", _("Archive zip")),
        JobKind("careers.appraisal_calculation", _("Appraisal calculation")),
    ]


@hooks.register(API_ROUTER_HOOK)
def register_api_router():
    from lms.api import ApiRouter

    from .api import router

    return ApiRouter("", router)


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_notification_kinds():
    from .notifications import kinds

    return kinds()
