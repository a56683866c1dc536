from django.urls import path, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.staticfiles import versioned_static

from . import audit
from .auth import forget_users
from .hooks import JOB_KIND_HOOK
from .sessions import sessions_end
from .viewsets import OrganisationViewSetGroup


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_admin_viewset")
def register_background_jobs_viewset():
    from .job_views import BackgroundJobViewSet

    return BackgroundJobViewSet("lms_jobs", url_prefix="jobs")


@hooks.register(JOB_KIND_HOOK)
def register_lms_job_kinds():
    from .jobs import JobKind

    return JobKind("lms.spreadsheet_import", _("Spreadsheet import"))


@hooks.register("register_scheduled_job")
def register_directory_sync():
    """The directory sync, while directory sign-in is on (``DIRECTORY_LDAP_URI``)."""
    from datetime import timedelta

    from django.conf import settings

    from .scheduling import ScheduledJob
    from .tasks import sync_directory

    if not settings.DIRECTORY_LDAP_URI:
        return []
    return ScheduledJob(
        name="lms.sync_directory",
        task=sync_directory,
        every=timedelta(minutes=settings.DIRECTORY_SYNC_MINUTES),
        label=_("Directory sync"),
    )


@hooks.register("register_log_actions")
def register_lms_log_actions(actions):
    actions.register_action("lms.roles_changed", _("Change roles"), _("Roles changed"))
    # Every audit trail action, whichever app declares it, gets its label on history screens.
    for name, label in audit.trail_actions().items():
        actions.register_action(name, label, label)


@hooks.register("after_edit_user")
def end_sessions_of_deactivated_user(request, user):
    """An account switched off in the admin's user screen is signed out everywhere at once."""
    if not user.is_active:
        sessions_end(user_ids=[user.pk])


@hooks.register("after_bulk_action")
def end_sessions_of_bulk_deactivated_users(request, action_type, objects, action):
    if action_type != "set_active_state":
        return
    if action.cleaned_form.cleaned_data["mark_as_active"]:
        # The bulk action writes without signals: forget the cached accounts (lms.auth).
        forget_users([user.pk for user in objects])
    else:
        sessions_end(user_ids=[user.pk for user in objects])


@hooks.register("insert_global_admin_js")
def admin_csp_initialisers():
    """Starts what Wagtail would start with inline scripts (see lms/templates/wagtailadmin/)."""
    return format_html('<script src="{}"></script>', versioned_static("lms/admin/csp-init.js"))


@hooks.register("register_admin_urls")
def register_audit_trail_urls():
    from .audit_views import AuditTrailView

    return [
        path("audit-trail/", AuditTrailView.as_view(), name="lms_audit_trail"),
        path(
            "audit-trail/results/",
            AuditTrailView.as_view(results_only=True),
            name="lms_audit_trail_results",
        ),
    ]


class AuditTrailMenuItem(MenuItem):
    def is_shown(self, request):
        from .audit_views import can_read_audit_trail

        return can_read_audit_trail(request.user)


@hooks.register("register_admin_menu_item")
def register_audit_trail_menu_item():
    return AuditTrailMenuItem(
        _("Audit trail"), reverse_lazy("lms_audit_trail"), icon_name="history", order=1000
    )


@hooks.register("before_serve_document", order=-100)
def documents_need_sign_in(document, request):
    """No document is served to anonymous visitors (course materials, plan attachments);
    the apps' own hooks then check scope (drills: plan attachments to staff)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None
