"""The careers screens of the Wagtail admin menu: the training-archive list and the careers
dashboard in the admin's layout. They show what the portal pages show (the same queries and
the same template includes) to the same people: HR and department managers."""

from django.utils.translation import gettext_lazy

from lms.admin_views import RoleScreenView
from lms.roles import Role

from .dashboards import dashboard_context
from .views import archive_search, period_param, year_param


class _CareersScreen(RoleScreenView):
    roles = (Role.HR, Role.MANAGER)


class ArchiveIndexView(_CareersScreen):
    """Employees whose archive the user may open (HR: all; managers: their subtree)."""

    template_name = "careers/admin/archive_index.html"
    page_title = gettext_lazy("Training archives")
    header_icon = "folder-open-1"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **archive_search(self.request)}


class DashboardView(_CareersScreen):
    """Grades, overdue rectifications and the dashboard figures, scoped by role."""

    template_name = "careers/admin/dashboard.html"
    page_title = gettext_lazy("Careers dashboard")
    header_icon = "view"

    def get_context_data(self, **kwargs):
        request = self.request
        context = dashboard_context(
            request.user, year=year_param(request), period_id=period_param(request)
        )
        return {**super().get_context_data(**kwargs), **context}
