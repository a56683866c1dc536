"""The portal's "My drills" summary is read on every portal home visit: it is cached per
employee under a version that every drill write moves on, so a warm home costs no query here."""

import time

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "drills:portal-version"


def portal_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, so a version evicted and made again never meets old entries.
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def portal_summaries_changed():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), None)


def cached_summary(employee, compute):
    """``compute()`` -> a picklable summary tuple, cached per employee and version."""
    key = f"drills:portal:{portal_version()}:{employee.pk}"
    summary = cache.get(key)
    if summary is None:
        summary = compute()
        cache.set(key, summary, settings.DRILLS_PORTAL_CACHE_SECONDS)
    return summary


def known_to_have_no_drills(employee) -> bool:
    """True when a recent look found no drill for this employee (and nothing changed since)."""
    return bool(cache.get(f"drills:none:{portal_version()}:{employee.pk}"))


def remember_no_drills(employee):
    cache.set(
        f"drills:none:{portal_version()}:{employee.pk}", True, settings.DRILLS_PORTAL_CACHE_SECONDS
    )
