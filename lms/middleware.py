from django.conf import settings
from django.utils import translation


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
