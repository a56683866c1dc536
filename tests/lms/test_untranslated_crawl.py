"""No page shows English where the catalogues have Chinese, nor English they have nothing for.

The demo company is seeded once for the module, then every admin screen and portal page the CSP
crawl reaches (``tests/security/test_csp_pages.crawl``: the admin URLs without arguments and every
link found from them, one page per route and per page type; every portal link from the role's
starting pages) is fetched in Chinese as each demo role, and its visible text is read: HTML text
outside ``<script>``/``<style>``, the ``title``/``placeholder``/``aria-label``/``alt`` attributes,
the admin sidebar's labels (JSON Wagtail's JavaScript draws) and the HTML of chooser modals.

A string is reported, with the page and the role, when it is

* verbatim an English msgid that a catalogue (ours, Wagtail's or Django's zh_Hans) translates:
  English shown where Chinese exists (a missing ``gettext``, a missing catalogue entry); or
* English words (two or more, ASCII letters only) that no catalogue translates: a string that
  never went through gettext, or one Wagtail's catalogue lacks and ours must supply.

The complement, one msgid translated differently by two apps, is
``tests/lms/test_translation_clashes.py``.
"""

import io
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import pytest
import wagtail
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import assessments as af
from tests.security.csp_scan import _strings
from tests.security.test_csp_pages import (
    PORTAL_STARTS,
    PORTAL_USERS,
    _admin_urls_without_arguments,
    crawl,
)

ROOT = Path(settings.BASE_DIR)
OUR_CATALOGUES = [
    ROOT / "locale",
    *(ROOT / app / "locale" for app in ("courses", "assessments", "drills", "careers")),
]
THEIR_PACKAGES = [Path(wagtail.__file__).parent, Path(django.__file__).parent]
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
CJK = re.compile(r"[\u3400-\u9fff]")
# English words amid Chinese; not parts of codes such as "drills.participation".
ENGLISH_RUN = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z][A-Za-z ]*[A-Za-z](?![A-Za-z0-9_.])")
WORD = re.compile(r"^[A-Za-z]+(?:'[a-z]+)?$")
# Addresses shown as they are typed (a robot's webhook URL): not words to translate.
URL = re.compile(r"https?://\S+")
EDGE_PUNCTUATION = ".,:;!?…\"'“”‘’()（）[]<>«»*#&+=-"

# English that is right on a Chinese page. Keep this short: each entry says why.
ALLOWED = [
    # The language picker names each language in itself (简体中文, English).
    re.compile(r"^English$"),
    # Keyboard keys in Wagtail's shortcut list ("Ctrl + Shift + v"): printed on the keys.
    re.compile(r"^(Ctrl|Shift|Alt|Cmd|Option|Esc|Enter|Tab)( \+ \S+)+$"),
]


def _catalogue_files():
    for catalogue in OUR_CATALOGUES:
        yield catalogue / "zh_Hans/LC_MESSAGES/django.po"
    for package in THEIR_PACKAGES:
        yield from package.glob("**/locale/zh_Hans/LC_MESSAGES/django*.po")


def translated_msgids():
    """Every msgid (singular and plural) that some zh_Hans catalogue translates into other text."""
    found = set()
    for po_path in _catalogue_files():
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            text = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if text and text != entry.msgid:
                found.add(entry.msgid)
                if entry.msgid_plural:
                    found.add(entry.msgid_plural)
    return found


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self._skip = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in VISIBLE_ATTRIBUTES & attributes.keys():
            self.texts.append(attributes[name] or "")
        if tag in ("script", "style"):
            self._skip = (tag, attributes.get("id"))

    def handle_endtag(self, tag):
        if self._skip and tag == self._skip[0]:
            self._skip = None

    def handle_data(self, data):
        if self._skip is None:
            self.texts.append(data)
        elif self._skip == ("script", "wagtail-sidebar-props"):
            self.texts.extend(_sidebar_labels(json.loads(data)))


def _sidebar_labels(data):
    """The labels of the packed sidebar's menu items and modules."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "label" and isinstance(value, str):
                yield value
            else:
                yield from _sidebar_labels(value)
    elif isinstance(data, list):
        for value in data:
            yield from _sidebar_labels(value)


def visible_texts(html):
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return {" ".join(text.split()) for text in parser.texts} - {""}


def response_texts(response):
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        return visible_texts(response.content.decode())
    if content_type.startswith("application/json"):
        try:
            data = json.loads(response.content)
        except ValueError:
            return set()
        return set().union(*(visible_texts(value) for value in _strings(data) if "<" in value))
    return set()


def english_words(text):
    """The words of ``text`` if it is two or more English words and nothing else (no Chinese,
    no codes such as "QC-CG" or "courses.coursepage", no numbers), else None."""
    tokens = [token.strip(EDGE_PUNCTUATION) for token in text.split()]
    tokens = [token for token in tokens if token]
    if len(tokens) >= 2 and all(WORD.match(token) for token in tokens):
        return tokens
    return None


def untranslated(text, msgids):
    """Why ``text`` reads as English the catalogues should have turned into Chinese, or None."""
    if any(pattern.match(text) for pattern in ALLOWED):
        return None
    if text in msgids or text.rstrip(":").strip() in msgids:
        return "English msgid shown where a catalogue translates it"
    if english_words(text):
        return "English words no catalogue translates"
    if CJK.search(text) and any(run in msgids for run in ENGLISH_RUN.findall(URL.sub(" ", text))):
        return "English msgid amid Chinese text"
    return None


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def seeded(module_db, module_media):
    """The demo company, seeded once for the module's crawls (read-only GETs), with an exam in
    progress for the employee (the attempt page) as the CSP crawl has it."""
    from lms.models import Employee

    with module_db.unblock(), override_settings(MEDIA_ROOT=module_media):
        call_command("seed_demo", stdout=io.StringIO())
        return af.attempt_in_progress(Employee.objects.get(number="QC1001"))


@pytest.fixture
def demo(seeded, module_media, settings, db):
    settings.MEDIA_ROOT = module_media
    return seeded


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


ROLE_ADMIN_PAGES = 150  # a role's admin crawl after the superuser's: its own screens, capped


def test_every_page_reads_in_chinese_for_every_role(demo):
    """Every admin screen as the superuser and as each demo role that works in the admin, every
    portal page as each demo role, all in Chinese: no English the catalogues should cover."""
    msgids = translated_msgids()
    assert "Live" in msgids and "Search all pages…" in msgids  # Wagtail's and ours were read
    found = defaultdict(set)

    def inspect_as(role):
        def inspect(response):
            for text in response_texts(response):
                reason = untranslated(text, msgids)
                if reason:
                    found[(reason, text)].add(f"{role} {response.request['PATH_INFO']}")
            return []

        return inspect

    User = get_user_model()
    fetched = 0
    for username in ("admin", *PORTAL_USERS):
        user = User.objects.get(username=username)
        if not user.has_perm("wagtailadmin.access_admin"):
            continue
        visited, _problems, _ = crawl(
            _client(user),
            ["/admin/", *_admin_urls_without_arguments()],
            inspect=inspect_as(username),
            stay_in="/admin/",
            max_pages=700 if user.is_superuser else ROLE_ADMIN_PAGES,
        )
        fetched += len(visited)
    for number in PORTAL_USERS:
        starts = list(PORTAL_STARTS)
        if number == "QC1001":
            starts.append(reverse("assessments:attempt_page", args=[demo.pk]))
        visited, _problems, _ = crawl(
            _client(User.objects.get(username=number)),
            starts,
            inspect=inspect_as(number),
            avoid="/admin/",
            max_pages=250,
        )
        fetched += len(visited)
    assert fetched > 1000

    new = found
    report = "\n".join(
        f"{reason}: {text!r}\n    " + "\n    ".join(sorted(where)[:3])
        for (reason, text), where in sorted(new.items())
    )
    assert not new, f"{len(new)} strings in English on Chinese pages:\n{report}"


def test_the_crawl_tells_english_from_chinese():
    msgids = {"Live", "Search all pages…", "Exploring"}
    html = (
        '<h1>Live</h1><p title="Choose a page">页面</p><script>var x = "Not shown"</script>'
        '<input placeholder="搜索"><span aria-label="Search all pages…"></span>'
        "<td>QC1001</td><td>王小明</td><td>Exploring: 课程中心</td><td>KPI 考核</td>"
    )
    texts = visible_texts(html)
    assert "Not shown" not in texts
    assert {text for text in texts if untranslated(text, msgids)} == {
        "Live",
        "Choose a page",
        "Search all pages…",
        "Exploring: 课程中心",
    }


def test_a_page_chooser_for_one_page_type_follows_the_language():
    """Wagtail fixed "Choose a page (Course)" in the language of the first request that built
    the form (the crawl found it English after an English test); lms.compat keeps it lazy."""
    from django.utils import translation
    from wagtail.admin.widgets import AdminPageChooser

    with translation.override("en"):
        widget = AdminPageChooser(target_models=["courses.CoursePage"])
    with translation.override("zh-hans"):
        assert str(widget.choose_one_text) == "选择一个页面 (课程)"
    with translation.override("en"):
        assert str(widget.choose_one_text) == "Choose a page (Course)"
