"""One stylesheet a page (lms/bundles.py): the portal's and the exam's bundles are made from
their sources, collected with hashed names, and the exam pages fetch nothing they do not need."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_a_bundle_is_its_sources_in_order():
    path = finders.find("bundles/exam.css")
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    positions = []
    for source in settings.STATIC_BUNDLES["bundles/exam.css"]:
        body = Path(finders.find(source)).read_text(encoding="utf-8").strip()
        assert body in text
        positions.append(text.index(body))
    assert positions == sorted(positions)


def test_collectstatic_gives_each_bundle_a_hashed_name(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_BUNDLE_DIR = tmp_path / "bundles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = {p.name for p in (tmp_path / "static" / "bundles").iterdir()}
    assert "portal.css" in collected and "exam.css" in collected
    assert any(re.fullmatch(r"exam\.[0-9a-f]{12}\.css", name) for name in collected)


def test_the_exam_pages_fetch_one_stylesheet_and_no_inbox_count(client, people):
    exam = af.exam(questions=[af.question()], audience=[people["employee"]])
    login(client, people["employee"])
    detail = client.get(reverse("assessments:exam_detail", args=[exam.pk])).content.decode()
    assert [a for a in _assets(detail) if a.endswith(".css")] == ["/static/bundles/portal.css"]
    assert "inbox-badge" not in detail
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    page = client.get(reverse("assessments:attempt_page", args=[attempt.pk])).content.decode()
    assert _assets(page) == ["/static/bundles/exam.css", "/static/assessments/exam.js"]
    for asset in _assets(page):
        assert finders.find(asset.removeprefix(settings.STATIC_URL))
    home = client.get("/").content.decode()
    assert "/static/bundles/portal.css" in home and "inbox-badge" in home
