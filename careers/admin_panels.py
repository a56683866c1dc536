"""A panel on the Wagtail admin dashboard: the latest appraisal's grades, scoped by role."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from lms.roles import Role, has_role

from .dashboards import grade_distribution, latest_period, overdue_rectifications


class CareersSummaryPanel(Component):
    name = "careers_summary"
    order = 150
    template_name = "careers/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        period = latest_period()
        return {
            "title": _("Appraisal and rectification"),
            "period": period,
            "distribution": grade_distribution(self.request.user, period),
            "overdue_count": len(overdue_rectifications(self.request.user)),
        }


def add_careers_panel(request, panels):
    if has_role(request.user, Role.HR, Role.MANAGER):
        panels.append(CareersSummaryPanel(request))
