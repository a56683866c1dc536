from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .deletion import refusal_message


def preferred_language(request):
    """The language to show: the user's saved choice, then the cookie, then the default.

    The browser's Accept-Language is deliberately ignored: the product speaks Simplified
    Chinese unless a person chooses otherwise.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        profile = getattr(user, "wagtail_userprofile", None)
        if profile is not None and profile.preferred_language in supported:
            return profile.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class ProtectedDeleteMiddleware:
    """A delete that records depend on (``on_delete=PROTECT``) is refused with a message that
    names them, on whichever page asked for it, instead of a server error.

    Records that hold results (attempts, certificates, completions, appraisal values, sheets)
    are never deleted with their owner; the owner is deactivated or archived instead, and a
    personal-data erasure is its own action (``lms.services.employee_erase``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProtectedError | RestrictedError):
            return None
        objects = getattr(exception, "protected_objects", None) or getattr(
            exception, "restricted_objects", ()
        )
        message = refusal_message(objects)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"ok": False, "error": message}, status=HTTPStatus.CONFLICT)
        messages.error(request, message)
        path = request.path
        target = path[: path.index("delete/")] if "delete/" in path else path
        referer = request.headers.get("Referer", "")
        if (
            referer
            and "delete/" not in referer
            and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
        ):
            target = referer
        return redirect(target)
