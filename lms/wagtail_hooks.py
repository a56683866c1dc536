from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .viewsets import OrganisationViewSetGroup


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_log_actions")
def register_lms_log_actions(actions):
    actions.register_action("lms.roles_changed", _("Change roles"), _("Roles changed"))
