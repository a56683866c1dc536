"""What every drills service shares: the portal refresh after a write, validation as DrillError."""

import functools

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import (
    DrillError,
)
from ..portal import portal_summaries_changed


def _refreshes_portal(service):
    """After the transaction commits, the portal's "My drills" summaries are recomputed."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        # Now, and again once committed: a visit in between must not keep the old summary.
        portal_summaries_changed()
        transaction.on_commit(portal_summaries_changed)
        return result

    return wrapper


def _validate(instance, **kwargs):
    """full_clean, reporting any problem as a DrillError (a ValidationError) for the caller."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise DrillError(getattr(error, "error_dict", None) or error.messages) from None
