"""No 500 anywhere: hostile values in every form and filter, as every role (issue #14, 7).

The demo company is seeded once; then, as each demo role, the portal and the admin are crawled
(one page per URL route) and every form found is submitted, and every listing's filters are
requested, with each hostile value of ``hostile.HOSTILE`` (NUL, a lone surrogate, 100,000
characters, wrong types, SQL and full-text-search syntax, huge numbers) in every field at once.
Any server error fails the test with the URL, the value and the exception, Wagtail's and
modelcluster's own form handling included (their server errors are fixed in lms/compat and
lms.wagtail_hooks; tests/security/test_server_errors.py has one test each). Forms that delete,
sign out or carry no field at all are left alone (they take no value to be hostile with).
Runs on SQLite and on PostgreSQL (CI runs the suite on both)."""

import io
import time
import traceback
from collections import Counter, deque
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404

from lms import audit
from lms.models import Employee

from .hostile import HOSTILE, encode, forms_and_filters
from .test_csp_pages import SKIPPED_PREFIXES, _links, _route_key

pytestmark = pytest.mark.django_db

ROLES = {
    "superuser": "admin",
    "employee": "QC1001",
    "trainer": "QC9001",
    "hr": "QC9002",
    "manager": "QC9003",
    "coordinator": "QC9004",
    "evaluator": "QC9005",
}
STARTS = ["/", "/exams/", "/drills/", "/careers/archive/", "/careers/dashboard/", "/admin/"]
LEFT_ALONE = ("delete", "logout", "/erase/", "/unpublish", "/revisions/")
PAGES_PER_ROLE = 160


def _request(client, method, url, body=None):
    """One request in a savepoint (a database error must not poison the next one); returns
    the status, or the exception a server error raised."""
    try:
        with transaction.atomic():
            if method == "get":
                return client.get(url).status_code
            return client.generic(
                "POST", url, body or "", content_type="application/x-www-form-urlencoded"
            ).status_code
    except Exception as error:  # noqa: BLE001 — every server error is what this test reports
        where = [
            f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            for frame in traceback.extract_tb(error.__traceback__)
            if "/django/" not in frame.filename
        ][-2:]
        return f"{type(error).__name__}: {str(error)[:160]} at {' < '.join(reversed(where))}"


def crawl(client):
    """GET pages of the role, one per route; returns ``(pages, forms, filters)``."""
    queue, seen, per_route = deque(STARTS), set(), Counter()
    pages, forms, filters = [], {}, {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED_PREFIXES) or any(x in path for x in LEFT_ALONE):
            continue
        seen.add(url)
        try:
            key = _route_key(path)
        except Resolver404:
            continue
        if per_route[key]:
            continue
        per_route[key] += 1
        response = client.get(url)
        pages.append((url, response.status_code))
        if response.status_code != HTTPStatus.OK:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        queue.extend(_links(html))
        page_forms, page_filters = forms_and_filters(html, path)
        for form in page_forms:
            action = urlsplit(form.action).path
            if not form.fields or any(x in action for x in LEFT_ALONE):
                continue
            try:
                route = _route_key(action)
            except Resolver404:
                continue
            forms.setdefault((route, form.method), form)
        for target, names in page_filters.items():
            try:
                filters.setdefault(_route_key(target), (target, set())).__getitem__(1).update(names)
            except Resolver404:
                continue
    return pages, forms, filters


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    # A personal-data list export on the trail (site history once failed on its "*").
    audit.record_export(Employee, user=None, what="employees", rows=3, fields=["phone"])


def test_no_hostile_value_in_any_form_or_filter_causes_a_server_error(demo, capsys):
    started = time.monotonic()
    errors, counts, tried = [], Counter(), set()
    for role, username in ROLES.items():
        client = Client(raise_request_exception=True)
        client.force_login(get_user_model().objects.get(username=username))
        pages, forms, filters = crawl(client)
        counts["pages"] += len(pages)
        errors += [f"{role} GET {url}: {status}" for url, status in pages if status == 500]
        for (route, method), form in forms.items():
            # The same form (route and fields) as another role ran the same code: once is enough.
            if (route, method, tuple(form.fields)) in tried:
                continue
            tried.add((route, method, tuple(form.fields)))
            counts["forms"] += 1
            for label, value in HOSTILE.items():
                body = encode(form.fields, value)
                url = form.action if method == "post" else f"{urlsplit(form.action).path}?{body}"
                outcome = _request(client, method, url, body if method == "post" else None)
                counts["requests"] += 1
                if not isinstance(outcome, int) or outcome >= 500:
                    errors.append(f"{role} {method.upper()} {form.action} [{label}]: {outcome}")
        for route, (path, names) in filters.items():
            # As with forms: the same listing and filters as another role parse the same values.
            if (route, "filters", tuple(sorted(names))) in tried:
                continue
            tried.add((route, "filters", tuple(sorted(names))))
            counts["filters"] += 1
            for label, value in HOSTILE.items():
                outcome = _request(client, "get", f"{path}?{encode(sorted(names | {'q'}), value)}")
                counts["requests"] += 1
                if not isinstance(outcome, int) or outcome >= 500:
                    errors.append(f"{role} GET {path} filters [{label}]: {outcome}")
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nhostile crawl: {counts['pages']} pages, {counts['forms']} forms, "
            f"{counts['filters']} filtered listings, {counts['requests']} hostile requests "
            f"as {len(ROLES)} roles in {seconds:.0f} s"
        )
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)
    assert counts["forms"] > 50 and counts["filters"] > 20
