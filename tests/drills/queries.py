def with_session(queries: int) -> int:
    """Add the session read that database-backed sessions cost (cache sessions cost none)."""
    from django.conf import settings

    return queries + (0 if settings.SESSION_ENGINE.endswith(".cache") else 1)
