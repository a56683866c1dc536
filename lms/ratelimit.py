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


def failures(key: str) -> int:
    """How many failures ``note_failure`` has counted under ``key`` and still remembers."""
    return cache.get(f"failures:{key}", 0)


def note_failure(key: str, *, forget_after: int) -> int:
    """Count one failure under ``key``; the count is forgotten ``forget_after`` seconds after
    the latest failure (so a slow, steady attack keeps its count). Returns the count."""
    bucket = f"failures:{key}"
    cache.add(bucket, 0, forget_after)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, forget_after)
        return 1
    cache.touch(bucket, forget_after)
    return count


def retry_after(window: int) -> int:
    """Seconds until the current window ends."""
    return max(1, window - int(time.time()) % window)
