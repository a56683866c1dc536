"""Signed-in sessions per account: recorded as they start, ended together on deactivation.

Django tells of every sign-in (our sign-in page, Wagtail's, a test's ``force_login``) through
the ``user_logged_in`` signal and of every sign-out through ``user_logged_out``; ``LmsConfig``
connects the two receivers below, the only way to see every path in and out.
"""

import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import UserSession
from .security import LAST_SEEN_KEY, SIGNED_IN_AT_KEY, TRACKED_KEY


def session_track(*, request, user) -> None:
    """Record that the request's session belongs to ``user`` (and forget this user's records
    older than any session can live)."""
    key = request.session.session_key
    if not key or not user.is_authenticated:
        return
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    request.session[TRACKED_KEY] = key
    if settings.SESSION_COOKIE_AGE:
        cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        UserSession.objects.filter(user=user, created_at__lt=cutoff).delete()


def session_started(sender, request, user, **kwargs):
    """On sign-in: stamp the session for the time limits and record whose it is."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    session_track(request=request, user=user)


def session_ended(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


@transaction.atomic
def sessions_end(*, user_ids) -> int:
    """End every recorded session of these accounts at once, in the configured session engine
    (database rows or cache entries); return how many were ended."""
    from .auth import forget_users

    user_ids = list(user_ids)
    forget_users(user_ids)
    rows = UserSession.objects.filter(user_id__in=user_ids)
    keys = list(rows.values_list("session_key", flat=True))
    if not keys:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in keys:
        store.delete(key)
    rows.delete()
    return len(keys)
