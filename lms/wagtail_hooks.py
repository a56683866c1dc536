from django.urls import path, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.staticfiles import versioned_static

from . import audit
from .auth import forget_users
from .hooks import API_ROUTER_HOOK, JOB_KIND_HOOK, SCHEDULED_JOB_HOOK
from .sessions import sessions_end
from .viewsets import OrganisationViewSetGroup


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_admin_viewset")
def register_api_tokens_viewset():
    """Wagtail's own API token screens (Settings → API tokens): made and revoked there, the
    key shown once and kept as a digest. Registered here because the app that normally does
    it, wagtail.api.v3, would also publish Wagtail's page API, which we do not serve."""
    from wagtail.users.views.api_tokens import APITokenViewSet

    return APITokenViewSet("wagtailusers_api_tokens", url_prefix="api-tokens")


@hooks.register(SCHEDULED_JOB_HOOK)
def register_hr_sync_job():
    from datetime import timedelta

    from django.conf import settings

    from .scheduling import ScheduledJob
    from .tasks import hr_sync

    return ScheduledJob(
        "lms.hr_sync",
        hr_sync,
        timedelta(minutes=settings.HR_SYNC_INTERVAL_MINUTES),
        _("HR staff file"),
    )


@hooks.register(API_ROUTER_HOOK)
def register_organisation_api():
    from .api import ApiRouter
    from .org_api import router

    return ApiRouter("", router)


@hooks.register("register_admin_viewset")
def register_background_jobs_viewset():
    from .job_views import BackgroundJobViewSet

    return BackgroundJobViewSet("lms_jobs", url_prefix="jobs")


@hooks.register(JOB_KIND_HOOK)
def register_lms_job_kinds():
    from .jobs import JobKind

    return JobKind("lms.spreadsheet_import", _("Spreadsheet import"))


@hooks.register(SCHEDULED_JOB_HOOK)
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


@hooks.register("before_copy_page")
def page_copy_names_an_existing_parent(request, page):
    """Wagtail's copy view reads the posted parent page (``Page.objects.get(id=…)``) before
    its form validates it, so a parent that is not a page id was a server error. Such a post
    is sent back to the copy form with a message; a real id goes on to Wagtail's own checks."""
    if request.method != "POST":
        return None
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext
    from wagtail.models import Page

    value = request.POST.get("new_parent_page", "")
    if value.isascii() and value.isdigit() and Page.objects.filter(pk=int(value)).exists():
        return None
    messages.error(request, gettext("Choose the page the copy goes under."))
    return redirect(request.get_full_path())


@hooks.register("before_delete_page")
def page_delete_names_what_depends_on_it(request, page):
    """A page that records depend on (a course's completions, a plan's drills), itself or below
    it, is not deleted: its delete page says what depends on it, with no delete button."""
    from http import HTTPStatus

    from django.shortcuts import render
    from django.urls import reverse

    from .deletion import delete_refusal

    pages = [p.specific for p in page.get_descendants(inclusive=True)]
    refusal = delete_refusal(*pages)
    if not refusal:
        return None
    back = reverse("wagtailadmin_explore", args=[page.get_parent().pk])
    status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
    return render(
        request,
        "lms/admin/page_delete_refused.html",
        {"page": page, "refusal": refusal, "back_url": back},
        status=status,
    )


@hooks.register("insert_global_admin_css")
def global_admin_css():
    """The design tokens, the bar chart and the few admin extras (lms/static/lms/admin.css)."""
    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">'
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">',
        versioned_static("lms/tokens.css"),
        versioned_static("lms/charts.css"),
        versioned_static("lms/charts-screen.css"),
        versioned_static("lms/admin.css"),
    )


@hooks.register("register_admin_viewset")
def register_employee_chooser():
    from .choosers import employee_chooser_viewset

    return employee_chooser_viewset
