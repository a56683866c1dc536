"""Error pages in the portal's frame, in the user's language, each with a way back.

Django's defaults are bare English pages ("403 Forbidden") that leave the user nowhere to go.
"""

import logging
from http import HTTPStatus

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _error_page(request, status, title, explanation):
    back = request.headers.get("referer", "")
    if back == request.build_absolute_uri() or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    context = {"status": status.value, "title": title, "explanation": explanation, "back": back}
    return render(request, "lms/error.html", context, status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error_page(
        request,
        HTTPStatus.FORBIDDEN,
        _("You may not open this page"),
        _("Your role does not give you access to this page. Ask HR if you think it should."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error_page(
        request,
        HTTPStatus.NOT_FOUND,
        pgettext("lms", "Page not found"),
        _(
            "This page does not exist or has been moved. Check the address, or start again "
            "from home."
        ),
    )


@requires_csrf_token
def server_error(request):
    title = _("Something went wrong")
    explanation = _(
        "The error has been recorded. Try again in a moment; if it happens again, tell the IT "
        "help desk."
    )
    try:
        return _error_page(request, HTTPStatus.INTERNAL_SERVER_ERROR, title, explanation)
    except Exception:  # the frame needs the database; the error may be that it is gone
        logger.exception("The error page could not be rendered in the portal frame")
        return HttpResponse(
            f'<!DOCTYPE html><meta charset="utf-8"><title>{title}</title>'
            f'<h1>{title}</h1><p>{explanation}</p><p><a href="/">⌂</a></p>',
            status=HTTPStatus.INTERNAL_SERVER_ERROR,
        )


@requires_csrf_token
def csrf_failure(request, reason=""):
    return _error_page(
        request,
        HTTPStatus.FORBIDDEN,
        _("The form had expired"),
        _(
            "For your security the form could not be sent: it was open too long, or cookies are "
            "blocked in this browser. Go back, reload the page and send it again."
        ),
    )
