"""Every admin screen and portal page runs under the Content-Security-Policy.

The demo company is seeded (every kind of record the admin and the portal show), then each
screen is fetched and scanned (``csp_scan``) for script the policy would refuse: inline
``<script>`` without the response's nonce, ``on…=`` attributes, ``javascript:`` URLs.

Admin: as a superuser, every admin URL that takes no argument (listings, dashboards, reports,
settings, chooser modals…) plus every admin link found on those pages (edit and create screens
with real objects, the page editor for every page type), one of each URL route.
Portal: every link found from the home page, as each demo role.
"""

import io
import re
from collections import Counter, deque
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from wagtail.images import get_image_model
from wagtail.models import Page

from tests.factories import assessments as af

from .csp_scan import page_offences, response_nonce
from .matrix import all_url_patterns

# failwhale is Wagtail's deliberate server error, for testing error reporting.
SKIPPED_PREFIXES = (
    "/static/",
    "/media/",
    "/documents/",
    "/accounts/logout",
    "/admin/logout",
    "/admin/failwhale/",
)
PER_ROUTE = 1
INITIALISER = re.compile(r"data-grid-init-call-value='(\w+)'")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href.split("#")[0])


def _links(html):
    parser = _Links()
    parser.feed(html)
    return parser.links


def _route_key(path):
    """Pages of one URL route count as one, except that each page type in the admin, each
    portal section and each published page count on their own."""
    match = resolve(path)
    key = match.route
    if match.url_name == "wagtail_serve" or "section" in match.kwargs:
        return f"{key} {path}"
    page_id = match.kwargs.get("page_id") or match.kwargs.get("parent_page_id")
    if page_id:
        page = Page.objects.filter(pk=page_id).first()
        key += f" {page.specific_class.__name__ if page else '?'}"
    return key


def csp_problems(response):
    """What the policy would refuse on one page (every HTML page carries the nonce)."""
    if response.get("Content-Type", "").startswith("text/html"):
        assert response_nonce(response), (
            f"{response.request['PATH_INFO']}: no nonce in the CSP header"
        )
    return page_offences(response)


def crawl(client, starts, *, inspect=csp_problems, stay_in=None, avoid=None, max_pages=700):
    """Fetch ``starts`` and the same-site links they lead to, and ``inspect`` every 200 response.

    Returns the pages visited, the problems ``inspect`` lists by URL and the ``lms.admin_csp``
    initialisers seen.
    """
    queue = deque(starts)
    seen, per_route, found, visited, initialisers = set(), Counter(), {}, [], set()
    while queue and len(visited) < max_pages:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED_PREFIXES):
            continue
        if (stay_in and not path.startswith(stay_in)) or (avoid and path.startswith(avoid)):
            continue
        seen.add(url)
        try:
            key = _route_key(path)
        except Resolver404:
            continue
        if per_route[key] >= PER_ROUTE:
            continue
        per_route[key] += 1
        response = client.get(url)
        visited.append((url, key, response.status_code))
        if response.status_code != HTTPStatus.OK:
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            queue.extend(_links(html))
            initialisers.update(INITIALISER.findall(html))
        problems = inspect(response)
        if problems:
            found[url] = problems
    return visited, found, initialisers


def _admin_urls_without_arguments():
    urls = []
    for pattern in all_url_patterns():
        if not pattern.route.startswith("admin/") or pattern.argument_names or not pattern.name:
            continue
        try:
            urls.append(reverse(pattern.name))
        except NoReverseMatch:
            continue
    return urls


@pytest.fixture(scope="module")
def seeded(module_db, module_media):
    """The demo company, seeded once for the module's two crawls (read-only GETs)."""
    with module_db.unblock(), override_settings(MEDIA_ROOT=module_media):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo(seeded, db):
    return None


@pytest.fixture
def media(demo):
    """A document and an image, which the demo company does not have."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images.tests.utils import get_test_image_file

    get_document_model().objects.create(
        title="安规", file=ContentFile(b"%PDF-1.4 demo", name="rules.pdf")
    )
    get_image_model().objects.create(title="现场", file=get_test_image_file())


def _report(found):
    return "\n".join(f"{url}\n    " + "\n    ".join(sorted(set(p))) for url, p in found.items())


def test_every_admin_screen_runs_under_the_policy(media):
    # Server errors are other tests' business here; the crawl notes them and goes on.
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="admin"))
    visited, found, initialisers = crawl(
        client, ["/admin/", *_admin_urls_without_arguments()], stay_in="/admin/"
    )
    assert not found, "Script the CSP refuses:\n" + _report(found)
    routes = {key for _url, key, status in visited if status == HTTPStatus.OK}
    # The screens this project leans on were really scanned, with real objects.
    for expected in (
        "admin/pages/<int:page_id>/edit/ CoursePage",
        "admin/pages/<int:page_id>/edit/ TrainingPlanPage",
        "admin/pages/<int:page_id>/edit/ EmergencyPlanPage",
        "admin/employees/edit/<int:pk>/",
        "admin/documents/edit/<int:document_id>/",
        "admin/images/<int:image_id>/",
        "admin/users/edit/<int:pk>/",
        "admin/reports/site-history/",
        "admin/users/",
    ):
        assert expected in routes, f"{expected} not reached; reached: {sorted(routes)}"
    assert len(visited) > 150
    # Wagtail's inline-script widgets were on those screens, started the CSP-safe way.
    assert {
        "InlinePanel",
        "initDateChooser",
        "initDateTimeChooser",
        "PageChooser",
        "DocumentChooser",
        "createTaskChooser",
    } <= initialisers, initialisers


PORTAL_USERS = ("QC1001", "QC9001", "QC9002", "QC9003", "QC9004", "QC9005")
PORTAL_STARTS = ("/", "/drills/", "/exams/", "/careers/archive/", "/careers/dashboard/")


def test_every_portal_page_runs_under_the_policy(demo):
    from lms.models import Employee

    employee = Employee.objects.get(number="QC1001")
    attempt = af.attempt_in_progress(employee)
    found, pages = {}, set()
    for number in PORTAL_USERS:
        client = Client(raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=number))
        starts = list(PORTAL_STARTS)
        if number == "QC1001":
            starts.append(reverse("assessments:attempt_page", args=[attempt.pk]))
        visited, problems, _ = crawl(client, starts, avoid="/admin/", max_pages=250)
        found.update(problems)
        pages.update(url for url, _key, status in visited if status == HTTPStatus.OK)
    assert not found, "Script the CSP refuses:\n" + _report(found)
    routes = {resolve(urlsplit(url).path).url_name for url in pages}
    for expected in ("attempt_page", "roster", "sheet", "exam_detail", "archive", "plan"):
        assert expected in routes, f"{expected} not reached; reached: {sorted(routes)}"


def test_the_scan_finds_what_the_policy_refuses():
    from .csp_scan import offences

    html = (
        '<script nonce="abc">ok()</script><script src="/static/x.js"></script>'
        '<script type="application/json">{"a": 1}</script>'
        '<script>bad()</script><script nonce="zzz">stolen()</script>'
        '<button onclick="bad()">x</button><a href="javascript:bad()">y</a>'
        "<template><script>later()</script></template>"
    )
    assert offences(html, "abc") == [
        "inline <script> without the nonce: bad()",
        "inline <script> without the nonce: stolen()",
        "<button onclick=…> event-handler attribute",
        "<a href=javascript:…>",
        "inline <script> without the nonce: later()",
    ]


def test_wagtail_widgets_render_without_inline_script(db):
    from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminPageChooser

    from lms import admin_csp

    from .csp_scan import offences

    chooser = AdminPageChooser()
    wagtails_own = admin_csp._original_chooser_render(chooser, "page", None, {"id": "id_page"})
    assert offences(wagtails_own, None)  # what Wagtail renders the policy would refuse
    ours = chooser.render("page", None, {"id": "id_page"})
    assert offences(ours, None) == []
    assert "data-grid-init-call-value='PageChooser'" in ours
    assert 'data-grid-init-args-value=\'["id_page", {' in ours and '"/admin/choose-page/"' in ours
    for widget, call in (
        (AdminDateInput(), "initDateChooser"),
        (AdminDateTimeInput(), "initDateTimeChooser"),
    ):
        html = widget.render("when", None, {"id": "id_when"})
        assert offences(html, None) == [] and f"data-grid-init-call-value='{call}'" in html
