from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_courses_log_actions(actions):
    actions.register_action(
        "courses.attendance_recorded", _("Record attendance"), _("Attendance recorded")
    )
    actions.register_action(
        "courses.rule_applied", _("Apply training rule"), _("Training assignments created")
    )
