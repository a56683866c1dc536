from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets.button import MenuItem

from lms.roles import Role, has_role

from .models import TRAINING_MANAGER_GROUP, CoursePage, TrainingPlanPage


def page_header_buttons(page, user):
    if not has_role(user, Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP):
        return []
    model = page.specific_class
    if model is TrainingPlanPage:
        return [
            MenuItem(
                _("Export plan (XLSX)"),
                url=reverse("courses_plan_export", args=[page.pk]),
                icon_name="download",
                priority=80,
            )
        ]
    if model is CoursePage:
        return [
            MenuItem(
                _("Effectiveness report"),
                url=reverse("courses:course_report", args=[page.pk]),
                icon_name="table",
                priority=80,
            )
        ]
    return []
