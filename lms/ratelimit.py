"""Fixed-window rate limits kept in the cache (shared between app servers when it is Redis)."""

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one request under ``key``; False once more than ``limit`` arrive in one window of
    ``window`` seconds. A limit of 0 switches the check off."""
    if limit <= 0:
        return True
    bucket = f"rate:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, window + 1)
        count = 1
    return count <= limit


def retry_after(window: int) -> int:
    """Seconds until the current window ends."""
    return max(1, window - int(time.time()) % window)
