"""No catalogue of ours overrides another's words, or Wagtail's and Django's; what we show reads
in Chinese.

Django merges every catalogue into one table per language: a bare msgid translated in two
catalogues is translated by whichever Django reads first (LOCALE_PATHS, then INSTALLED_APPS in
order), everywhere. So "Live" read 实战演练 on Wagtail's page status, and "drills" read 次.
"""

import re
from collections import defaultdict
from http import HTTPStatus
from pathlib import Path

import django
import polib
import pytest
import wagtail
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import drills as df

ROOT = Path(settings.BASE_DIR)
APPS = ("courses", "assessments", "drills", "careers")
OURS = [ROOT / "locale"] + [ROOT / app / "locale" for app in APPS]
THEIRS = [Path(wagtail.__file__).parent, Path(django.__file__).parent]


def _translations(po_path):
    table = {}
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        text = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        if text:
            table[(entry.msgctxt or "", entry.msgid)] = text
    return table


def _ours():
    return {
        catalogue.relative_to(ROOT): _translations(catalogue / "zh_Hans/LC_MESSAGES/django.po")
        for catalogue in OURS
    }


def test_no_msgid_is_translated_differently_by_two_of_our_catalogues():
    seen = defaultdict(dict)
    for catalogue, table in _ours().items():
        for key, text in table.items():
            seen[key][str(catalogue)] = text
    clashes = [f"{key}: {by}" for key, by in seen.items() if len(set(by.values())) > 1]
    assert not clashes, "Give these a pgettext context per app:\n" + "\n".join(clashes)


def test_no_bare_msgid_of_ours_overrides_wagtail_or_django():
    theirs = defaultdict(set)
    for package in THEIRS:
        for po_path in package.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
            for key, text in _translations(po_path).items():
                theirs[key].add(text)
    assert theirs, "Wagtail's and Django's catalogues were not found"
    overrides = [
        f"{catalogue}: {key[1]!r} → {text} (theirs: {'/'.join(sorted(theirs[key]))})"
        for catalogue, table in _ours().items()
        for key, text in table.items()
        if key in theirs and theirs[key] != {text}
    ]
    assert not overrides, "Give these a pgettext context:\n" + "\n".join(overrides)


def test_the_words_that_clashed_mean_what_each_app_means():
    from assessments.models import Attempt
    from careers.models import DevelopmentGoal
    from drills.models import CorrectiveAction, Drill

    with translation.override("zh-hans"):
        assert gettext("Live") == "发布"  # Wagtail's page status
        assert str(Drill.Form.LIVE.label) == "实战演练"
        assert gettext("In progress") == "进行中"
        assert str(Attempt.Status.IN_PROGRESS.label) == "答题中"
        assert str(CorrectiveAction.Status.IN_PROGRESS.label) == "整改中"
        assert str(DevelopmentGoal.Status.IN_PROGRESS.label) == "进行中"
        assert str(Drill._meta.verbose_name_plural) == "演练"
        assert pgettext("drills", "Action") == "整改措施"
        assert pgettext("drills", "Objectives") == "演练目标"
        assert pgettext("careers", "Objectives") == "轮岗目标"
        assert str(settings.WAGTAIL_SITE_NAME) == "电网学院"


ENGLISH_LEFTOVERS = [
    "Grid Academy",
    "Search all pages",
    "created in",
    "Privacy and access",
    "Exploring",
    "Your pages and snippets in a workflow",
    "Moderators approval",
    "Emergency plan approval",
    "Depth",
    "Numchild",
    "Category label",
    "Forbidden",
]


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def admin_world(people, company):
    question = af.question()
    af.exam(questions=[question])
    plan = df.plan(department=company["branch"])
    df.drill(plan=plan, coordinator=people["coordinator"])
    return people


ADMIN_PAGES = [
    "/admin/",
    "/admin/pages/",
    "/admin/pages/<home>/",
    "/admin/careers_hours_rules/",
    "/admin/assessments/categories/",
    "/admin/assessments/exams/",
    "/admin/assessments/questions/",
    "/admin/drill_admin/",
    "/admin/workflows/list/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_we_show_read_in_chinese(client, superuser, admin_world, path):
    from wagtail.models import Page

    login(client, superuser)
    path = path.replace("<home>", str(Page.objects.get(depth=2).pk))
    response = client.get(path, follow=True)
    assert response.status_code == HTTPStatus.OK, path
    text = _visible_text(response.content.decode())
    left = [word for word in ENGLISH_LEFTOVERS if word in text]
    assert not left, f"{path}: English left: {left}"
    assert "True" not in text.split() and "False" not in text.split()


def test_no_admin_listing_prints_a_boolean_as_true_or_false():
    """A bare boolean field in ``list_display`` prints True/False; lms.admin_views.yes_no
    shows 是/否."""
    from django.db import models
    from wagtail.admin.viewsets import viewsets
    from wagtail.admin.viewsets.model import ModelViewSet

    bare = []
    for viewset in viewsets.viewsets:
        if not isinstance(viewset, ModelViewSet):
            continue
        columns = getattr(viewset, "list_display", None)
        for column in columns if isinstance(columns, list | tuple) else []:
            if not isinstance(column, str):
                continue
            try:
                field = viewset.model._meta.get_field(column)
            except Exception:  # a method or property, not a field
                continue
            if isinstance(field, models.BooleanField):
                bare.append(f"{type(viewset).__name__}.{column}")
    assert not bare, "Use lms.admin_views.yes_no for: " + ", ".join(bare)


def test_yes_no_column_reads_in_chinese(client, superuser, admin_world):
    login(client, superuser)
    page = _visible_text(client.get("/admin/assessments/exams/").content.decode())
    assert "是" in page.split()


def test_the_admin_sidebar_counts_new_items_in_chinese(client, superuser):
    """The sidebar's "(2 new items in this menu)" comes from Wagtail's JavaScript catalogue,
    which lacks it in zh_Hans: our translation is added to that catalogue, and nothing else
    (Wagtail's own entries stay as Wagtail has them)."""
    import json

    from django.views.i18n import JavaScriptCatalog

    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with translation.override("zh-hans"):
        body = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    catalog = json.loads(body.split("const newcatalog = ", 1)[1].split(";\n", 1)[0])
    assert catalog["(%(number)s new items in this menu)"] == "（此菜单中有 %(number)s 个新项目）"
    assert catalog["(1 new item in this menu)"] == "（此菜单中有 1 个新项目）"
    plain = JavaScriptCatalog(packages=["wagtail.admin"])
    with translation.override("zh-hans"):
        plain.get(RequestFactory().get("/"))
        theirs = plain.get_catalog()
    added = {key for key in catalog if key not in theirs}
    assert added == {"(%(number)s new items in this menu)", "(1 new item in this menu)"}
