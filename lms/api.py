"""The REST API at ``/api/v1/`` (django-ninja): one ``NinjaAPI`` object, routers from every app.

Each app owns a router (``courses/api.py``, ``assessments/api.py``, …) and contributes it through
the ``register_api_router`` hook (``lms.hooks.API_ROUTER_HOOK``) with an ``ApiRouter``; this module
mounts them, so no app is named here. What every router shares lives here too:

* ``TokenAuth``: Wagtail's API tokens (``Authorization: Bearer wagtail_…``, created and revoked
  under Settings → API tokens, stored as digests), plus a per-token rate limit
  (``API_RATE_LIMIT_PER_MINUTE``). The request then acts as the token's owner: every router
  scopes its rows with ``visible_to(request.user)`` as the screens do.
* ``SyncCursor``: keyset pagination in a fixed order (``updated_at, id`` for records that say
  when they changed), one query per page however deep: a row never loses its place when others
  change meanwhile (a row changed while a client pages comes again, later in the order).
* ``forbid_unless`` and ``not_found``: the refusals, worded for people.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase
from pydantic import StringConstraints
from wagtail import hooks
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from . import ratelimit
from .hooks import API_ROUTER_HOOK, _flatten
from .middleware import preferred_language

RATE_WINDOW_SECONDS = 60

# A code, an employee number or a verification code in a path: no NUL (PostgreSQL refuses it in
# a query) and no longer than any such column.
PathCode = Annotated[str, StringConstraints(max_length=64, pattern=r"^[^\x00]*$")]


@dataclass(frozen=True)
class ApiRouter:
    """A router an app mounts under ``/api/v1/<prefix>``."""

    prefix: str
    router: Router


class RateLimited(Exception):
    pass


class TokenAuth(BearerTokenAuth):
    """A live Wagtail API token of an active account, within its rate limit. The answer
    speaks the owner's language, as their screens do (``lms.middleware.preferred_language``)."""

    def authenticate(self, request, token: str):
        api_token = (
            APIToken.objects.select_related("user", "user__wagtail_userprofile")
            .filter(key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True)
            .first()
        )
        # Anything else than a live token of an active account is anonymous, whatever session
        # cookie came along.
        user = api_token.user if api_token is not None else None
        request.user = user if user is not None and user.is_active else AnonymousUser()
        if not request.user.is_authenticated:
            return None
        if not ratelimit.allow(
            f"api:{api_token.pk}",
            limit=settings.API_RATE_LIMIT_PER_MINUTE,
            window=RATE_WINDOW_SECONDS,
        ):
            raise RateLimited
        self._touch_last_used(api_token)
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return api_token


class SyncCursor(PaginationBase):
    """Pages in a fixed order with an opaque ``cursor`` to the next page (``next`` is null on
    the last page). One query per page, however deep the client pages."""

    class Input(Schema):
        cursor: str | None = Field(None, description="The `next` cursor of the previous page.")
        page_size: int | None = Field(None, ge=1, description="Rows per page.")

    class Output(Schema):
        next: str | None = Field(description="Cursor of the next page; null on the last page.")
        results: list[Any]

    items_attribute = "results"

    def __init__(self, *, ordering: tuple[str, ...] = ("updated_at", "id"), **kwargs):
        self.ordering = ordering
        super().__init__(**kwargs)

    def _decode(self, cursor: str) -> list:
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        except (ValueError, binascii.Error, UnicodeError):
            values = None
        if not isinstance(values, list) or len(values) != len(self.ordering):
            raise HttpError(400, _("The cursor is not one this API gave out."))
        for index, name in enumerate(self.ordering):
            if name.endswith("_at"):
                values[index] = parse_datetime(str(values[index]))
                if values[index] is None:
                    raise HttpError(400, _("The cursor is not one this API gave out."))
            elif not isinstance(values[index], int | str) or isinstance(values[index], bool):
                raise HttpError(400, _("The cursor is not one this API gave out."))
        return values

    def _after(self, values) -> Q:
        """Rows after ``values`` in the (ascending) ordering: a keyset condition."""
        condition = Q(pk__in=[])
        for index, name in enumerate(self.ordering):
            equal = {field: values[i] for i, field in enumerate(self.ordering[:index])}
            condition |= Q(**equal, **{f"{name}__gt": values[index]})
        return condition

    def _encode(self, item) -> str:
        values = []
        for name in self.ordering:
            value = item[name] if isinstance(item, dict) else getattr(item, name)
            values.append(value.isoformat() if isinstance(value, datetime.datetime) else value)
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode("ascii")

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params
    ):
        size = min(pagination.page_size or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE)
        queryset = queryset.order_by(*self.ordering)
        if pagination.cursor:
            queryset = queryset.filter(self._after(self._decode(pagination.cursor)))
        rows = list(queryset[: size + 1])
        following = None
        if len(rows) > size:
            rows = rows[:size]
            following = self._encode(rows[-1])
        return {"next": following, "results": rows}


class SyncFilter(Schema):
    """``updated_since``, which every list of changing records takes (routers add their own
    filters in subclasses)."""

    updated_since: datetime.datetime | None = Field(
        None, description="Only records changed at or after this instant (ISO 8601)."
    )


def forbid_unless(allowed: bool):
    if not allowed:
        raise HttpError(403, _("Your roles do not allow this."))


def not_found():
    raise HttpError(404, _("No such record, or not one you may see."))


def updated_since_filter(queryset, updated_since, field="updated_at"):
    """Rows changed at or after ``updated_since`` (a sync re-reads its last instant)."""
    if updated_since is None:
        return queryset
    return queryset.filter(**{f"{field}__gte": updated_since})


def _docs_gate(view):
    """The schema and the docs page are for signed-in people (the API itself takes tokens)."""
    return login_required(view)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Grid Academy API",
        version="1",
        description=(
            "Staff, training records, exams, certificates, qualifications, appraisal and "
            "drills. Authenticate with `Authorization: Bearer <API token>` (Wagtail admin → "
            "Settings → API tokens); every list is scoped to what the token's owner may see."
        ),
        urls_namespace="api-v1",
        auth=TokenAuth(),
        docs_decorator=_docs_gate,
        openapi_url="/openapi.json",
        docs_url="/docs/",
    )

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc):
        response = api.create_response(
            request, {"detail": _("Too many requests; try again shortly.")}, status=429
        )
        response["Retry-After"] = str(ratelimit.retry_after(RATE_WINDOW_SECONDS))
        return response

    for fn in hooks.get_hooks(API_ROUTER_HOOK):
        for contribution in _flatten([fn()]):
            api.add_router(contribution.prefix, contribution.router)
    return api


api = build_api()
