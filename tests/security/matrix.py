"""The authorisation matrix: every URL pattern × every role, each with a declared outcome.

``all_url_patterns()`` walks the URL configuration. Every pattern must be covered by a
declaration (``tests/security/declarations.py``): either a ``Case`` for one URL name, or a
``Rule`` for a family of framework URLs (Wagtail's own admin screens) matched by name prefix.
A new URL without a declaration fails ``test_every_url_is_declared``.

Outcomes, judged from the response to the declared method:

* ``OK``     — 2xx, or a redirect somewhere other than the sign-in page;
* ``LOGIN``  — a redirect to the sign-in page (anonymous visitors);
* ``DENY``   — 403 or 404, or (for a signed-in user) a redirect to sign-in or to the admin
  home, which is how Wagtail refuses a screen;
* ``ANY``    — not asserted for this role (the view's own tests cover it).

API cases (``Case(token=True)``) are requested with the role's API token instead of a session;
the API's 401 counts as ``LOGIN`` for anonymous callers and ``DENY`` for anyone else.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from django.urls import URLPattern, URLResolver, get_resolver

OK, LOGIN, DENY, ANY = "ok", "login", "deny", "any"

ROLES = (
    "anonymous",
    "employee",  # the record's own employee
    "other_employee",  # a peer in another team of the same branch
    "other_manager",  # manager of another department
    "manager",  # manager of the subtree the employee works in
    "trainer",
    "hr",
    "coordinator",
    "evaluator",
    "superuser",
)


def expect(default=DENY, **overrides):
    """An expectation for every role: ``default`` unless overridden; anonymous → LOGIN."""
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table["superuser"] = OK if default != ANY else ANY
    table.update(overrides)
    return table


@dataclass(frozen=True)
class Case:
    """How to reach one URL name and what each role gets."""

    url: Callable[[dict], str]
    outcomes: dict
    method: str = "GET"
    data: Callable[[dict], dict] | None = None
    token: bool = False  # an API endpoint: sign in with an API token, send data as JSON


@dataclass(frozen=True)
class Rule:
    """A family of URLs (by route prefix) with the outcomes every member must show.

    Members are requested with made-up arguments, so a rule speaks for the roles that are
    refused whatever the object is; ``ANY`` leaves a role to the view's own tests.
    """

    route_prefix: str
    outcomes: dict

    def covers(self, pattern):
        return pattern.route.startswith(self.route_prefix)


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    pattern: URLPattern

    @property
    def argument_names(self):
        return tuple(self.pattern.pattern.regex.groupindex) or tuple(
            re.findall(r"<(?:\w+:)?(\w+)>", self.route)
        )


def all_url_patterns(patterns=None, prefix="", namespace=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from all_url_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Pattern(prefix + str(entry.pattern), name, entry)


def judge(response, *, signed_in: bool) -> str:
    status = response.status_code
    if status in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND):
        return DENY
    if status == HTTPStatus.UNAUTHORIZED:
        return DENY if signed_in else LOGIN
    if status in (HTTPStatus.FOUND, HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.SEE_OTHER):
        location = response.get("Location", "")
        to_login = "/accounts/login/" in location or "/login/" in location
        if to_login:
            return DENY if signed_in else LOGIN
        if signed_in and location.rstrip("/").endswith("/admin"):
            return DENY  # Wagtail: "Sorry, you do not have permission to access this area."
        return OK
    if 200 <= status < 300:
        return OK
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return DENY
    return f"status {status}"


def check(client_for, case: Case, world) -> list[str]:
    """Request ``case`` as every role; return the mismatches as readable lines."""
    problems = []
    url = case.url(world)
    for role, wanted in case.outcomes.items():
        if wanted == ANY:
            continue
        client = client_for(role, token=case.token)
        data = case.data(world) if case.data else {}
        if case.method == "POST" and case.token:
            response = client.post(url, json.dumps(data), content_type="application/json")
        elif case.method == "POST":
            response = client.post(url, data)
        else:
            response = client.get(url)
        got = judge(response, signed_in=role != "anonymous")
        if got not in (wanted if isinstance(wanted, tuple) else (wanted,)):
            problems.append(f"{case.method} {url} as {role}: expected {wanted}, got {got}")
    return problems
