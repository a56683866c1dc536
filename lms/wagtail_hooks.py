from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .viewsets import OrganisationViewSetGroup


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_admin_viewset")
def register_background_jobs_viewset():
    from .job_views import BackgroundJobViewSet

    return BackgroundJobViewSet("lms_jobs", url_prefix="jobs")


@hooks.register("register_background_job_kind")
def register_lms_job_kinds():
    from .jobs import JobKind

    return JobKind("lms.spreadsheet_import", _("Spreadsheet import"))


@hooks.register("register_log_actions")
def register_lms_log_actions(actions):
    actions.register_action("lms.roles_changed", _("Change roles"), _("Roles changed"))
