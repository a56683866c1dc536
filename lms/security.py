"""Security middleware: the Content-Security-Policy header and session time limits.

The policy itself is in settings (``CONTENT_SECURITY_POLICY``); this module only decides the
per-response parts. Nothing here adds nonces to scripts in a response: a script runs only if
our own template gave it ``nonce="{{ request.csp_nonce }}"`` or it comes from a static file.
"""

import re
import time

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from .hooks import SESSION_KEEPALIVE_HOOK

LAST_SEEN_KEY = "_last_seen"
SIGNED_IN_AT_KEY = "_signed_in_at"
TRACKED_KEY = "_tracked_session_key"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with two project rules.

    * Every response's ``script-src`` carries a fresh nonce, whether or not the page used it,
      so that a template can always rely on ``request.csp_nonce``.
    * ``frame-ancestors`` follows the response's X-Frame-Options: ``'none'`` for DENY (the
      default), ``'self'`` for SAMEORIGIN, which Wagtail sets on its preview views so that the
      editor can show the preview in a frame.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        parts.nonce = self._make_nonce(request)
        frame_options = response.get("X-Frame-Options", "").upper()
        if frame_options:
            ancestors = [SELF] if frame_options == "SAMEORIGIN" else [NONE]
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ancestors}
        return parts


def user_is_busy(user) -> bool:
    """Whether a registered ``register_session_keepalive`` hook says the user has work in
    progress that a session time limit must not cut off (an exam attempt, say)."""
    return any(fn(user) for fn in hooks.get_hooks(SESSION_KEEPALIVE_HOOK))


class SessionTimeoutMiddleware:
    """End a signed-in session after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and
    ``SESSION_COOKIE_AGE`` seconds after sign-in at the latest, unless the user is busy.

    Sign-in stamps the session (``lms.sessions.session_started``); a session without the stamp
    is not a signed-in one and costs nothing here. The last-seen time is rewritten at most every
    ``SESSION_ACTIVITY_WRITE_SECONDS``. A session whose key changed (a password change cycles
    it) is recorded again under the new key, so that deactivation still finds it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if LAST_SEEN_KEY in session:
            self._enforce_limits(request, session)
        response = self.get_response(request)
        tracked = session.get(TRACKED_KEY)
        if tracked and session.session_key and tracked != session.session_key:
            from .sessions import session_track

            session_track(request=request, user=request.user)
        return response

    def _enforce_limits(self, request, session):
        now = int(time.time())
        idle_limit = settings.SESSION_IDLE_TIMEOUT
        age_limit = settings.SESSION_COOKIE_AGE
        last_seen = session[LAST_SEEN_KEY]
        idle = bool(idle_limit) and now - last_seen > idle_limit
        too_old = bool(age_limit) and now - session.get(SIGNED_IN_AT_KEY, now) > age_limit
        if (idle or too_old) and not (request.user.is_authenticated and user_is_busy(request.user)):
            logout(request)
            return
        if now - last_seen >= settings.SESSION_ACTIVITY_WRITE_SECONDS:
            session[LAST_SEEN_KEY] = now


# A value no field of the product takes: a NUL character (PostgreSQL cannot store it in text),
# an integer beyond what a 64-bit column holds, or a query-string value longer than any search.
_NUL = "\x00"
_HUGE_INTEGER = re.compile(r"[+-]?\d{19,}")


def refused_parameter(request) -> str | None:
    """Why a request's query-string parameters (searches, filters, ids) cannot be served, or
    None. Posted forms are left to their own validation, which names the field."""
    limit = settings.REQUEST_MAX_QUERY_VALUE
    for key, items in request.GET.lists():
        for value in [key, *items]:
            if _NUL in value:
                return _("The request contains a NUL character, which no field accepts.")
            if len(value) > limit:
                return _("A search or filter value is longer than %(limit)s characters.") % {
                    "limit": limit
                }
            if _HUGE_INTEGER.fullmatch(value.strip()):
                return _("A number in the request is too large.")
    return None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _usable_next(value: str) -> bool:
    """A "next" address the product itself would give: a path on this site."""
    return value.startswith("/") and not value.startswith(("//", "/\\"))


def drop_unusable_next(request) -> None:
    """Forget a ``next`` parameter that is not a path on this site. Wagtail's views accept any
    value their host check lets through ("abc" is a relative address) and hand it to
    ``redirect()``, which looks a bare word up as a URL name: a server error after the form was
    saved. Without it the view goes where it goes by default."""
    sources = ["GET"]
    # Posted forms only in the admin (Wagtail's views), which reads no raw body: a view of ours
    # that reads JSON from the body could not once the form parser had read the stream.
    if (
        request.method == "POST"
        and request.content_type in _FORM_TYPES
        and request.path.startswith(reverse("wagtailadmin_home"))
    ):
        sources.append("POST")
    for source in sources:
        params = getattr(request, source)
        values = params.getlist("next")
        if values and not all(_usable_next(value) for value in values):
            params = params.copy()
            params.pop("next")
            setattr(request, source, params)


class HostileValueMiddleware:
    """Refuse, with 400 and a readable reason, query-string values that no search or filter of
    the product accepts, before any view (ours or the framework's) hands them to the
    database; and forget a ``next`` address that is not a path on this site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = refused_parameter(request)
        if reason is not None:
            return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")
        drop_unusable_next(request)
        return self.get_response(request)
