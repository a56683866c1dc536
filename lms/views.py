import logging
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import auth
from .auth import sso_enabled
from .forms import ArchiveYearForm, EmployeeLoginForm, LanguageForm
from .portal import SECTIONS_BY_SLUG, section_context

logger = logging.getLogger(__name__)


@login_required
def portal_section(request, section):
    try:
        section = SECTIONS_BY_SLUG[section]
    except KeyError:
        raise Http404 from None
    context = section_context(request, section)
    form = ArchiveYearForm(request.GET or None, years=context["years"])
    if form.is_valid() and form.cleaned_data["year"]:
        context = section_context(request, section, year=form.cleaned_data["year"])
    context["year_form"] = form
    return render(request, "lms/portal/section.html", context)


class SignInView(LoginView):
    """The sign-in page; a signed-in user is sent on to where they were going.

    Wagtail sends a signed-in user who may not use the admin back to sign-in with ``next``
    pointing into the admin, and sending them on would send them straight back: a redirect loop.
    Such a user is told why, and given the way home, instead.
    """

    authentication_form = EmployeeLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["directory_sign_in"] = bool(settings.DIRECTORY_LDAP_URI)
        context["single_sign_on"] = bool(settings.OIDC_RP_CLIENT_ID)
        context["single_sign_on_failed"] = self.request.GET.get("sso") == "failed"
        return context

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and self.get_success_url().startswith(reverse("wagtailadmin_home"))
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "lms/admin_refused.html", status=HTTPStatus.FORBIDDEN)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # An address that has failed too often is refused before any password is checked.
        if auth.address_paused(request):
            return locked_out(request, None, address=True)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            auth.address_failed(self.request)
        return super().form_invalid(form)


class LocalPasswordChangeView(PasswordChangeView):
    """Change one's own password here, unless the directory or the OpenID provider owns it
    (then only the break-glass superuser has a password here)."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and sso_enabled() and not user.is_superuser:
            return render(
                request, "registration/password_managed.html", status=HTTPStatus.FORBIDDEN
            )
        return super().dispatch(request, *args, **kwargs)


def locked_out(request, credentials, *args, address=False, **kwargs):
    """What django-axes answers while an employee number is paused at this address, and the
    sign-in page while the address itself is paused (``address``)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "address_paused": address},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )


@require_POST
def set_language(request):
    """Switch the interface language and remember it on the user's profile."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            from wagtail.users.models import UserProfile

            profile = UserProfile.get_for_user(request.user)
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 60 * 60,
            samesite="Lax",
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
    return response


def _check(name, probe):
    try:
        probe()
        return True
    except Exception:  # a health check reports, it does not raise
        logger.exception("Health check %s failed", name)
        return False


def _probe_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _probe_cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def _probe_tasks():
    from django_tasks import default_task_backend

    backend_path = f"{type(default_task_backend).__module__}.{type(default_task_backend).__name__}"
    if backend_path.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    elif backend_path.startswith("django_tasks_rq"):
        import django_rq

        django_rq.get_connection("default").ping()


@never_cache
def healthz(request):
    checks = {
        "database": _check("database", _probe_database),
        "cache": _check("cache", _probe_cache),
        "tasks": _check("tasks", _probe_tasks),
    }
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
