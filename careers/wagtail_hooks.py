from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_careers_log_actions(actions):
    actions.register_action(
        "careers.calculated", _("Calculate appraisal"), _("Appraisal calculated")
    )
    actions.register_action(
        "careers.values_imported", _("Import indicator values"), _("Indicator values imported")
    )
