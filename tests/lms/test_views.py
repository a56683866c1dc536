import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse
from wagtail import hooks

from lms.hooks import ARCHIVE_SOURCE_HOOK, ArchiveCategory, ArchiveEntry
from lms.portal import SECTIONS
from tests import factories as f
from tests.conftest import login, with_session


@pytest.fixture
def employee(company):
    return f.employee(number="QC1001", name="王小明", department=company["team_a"])


def test_sign_in_with_employee_number_in_any_case(client, employee):
    response = client.post(
        "/accounts/login/", {"username": " qc1001 ", "password": f.PASSWORD}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["user"] == employee.user
    assert "你好，王小明" in response.content.decode()


def test_wrong_password_is_explained_in_chinese(client, employee):
    response = client.post("/accounts/login/", {"username": "QC1001", "password": "nope"})
    assert response.status_code == HTTPStatus.OK
    assert "工号或密码错误。" in response.content.decode()


def test_left_employee_cannot_sign_in_and_existing_session_ends(client, employee):
    from lms import services
    from lms.models import Employee

    login(client, employee)
    assert client.get("/my/learning/").status_code == HTTPStatus.OK
    services.employee_update(employee=employee, status=Employee.Status.LEFT)
    response = client.get("/my/learning/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "QC1001", "password": f.PASSWORD})
    assert response.context["user"].is_anonymous


def test_anonymous_sees_the_welcome_and_is_sent_to_sign_in_for_sections(client, db):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert reverse("login") in response.content.decode()
    response = client.get("/my/exams/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/accounts/login/?next=/my/exams/"


@pytest.mark.parametrize("section", [s.slug for s in SECTIONS])
def test_each_section_shows_the_employees_empty_state(client, employee, section):
    login(client, employee)
    response = client.get(f"/my/{section}/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    section_obj = next(s for s in SECTIONS if s.slug == section)
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(section_obj.empty_text) in page


def test_unknown_section_is_404(client, employee):
    login(client, employee)
    assert client.get("/my/salary/").status_code == HTTPStatus.NOT_FOUND


def _log_entries_source(employee, *, year=None):
    """An archive source backed by a table: the employee's audit log entries."""
    from wagtail.models import ModelLogEntry

    return [
        ArchiveEntry(
            date=entry.timestamp.date(),
            category=ArchiveCategory.TRAINING,
            title=f"学习记录#{entry.pk}",
            hours=2,
        )
        for entry in ModelLogEntry.objects.filter(object_id=str(employee.pk), action="test.record")
    ]


def _add_records(employee, count):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import ModelLogEntry

    content_type = ContentType.objects.get_for_model(employee)
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=content_type,
            object_id=str(employee.pk),
            label="x",
            action="test.record",
            timestamp=timezone.now(),
        )
        for _ in range(count)
    )


def test_archive_entries_from_hooks_appear_in_their_sections(client, employee):
    _add_records(employee, 3)
    login(client, employee)
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, _log_entries_source):
        learning = client.get("/my/learning/").content.decode()
        drills = client.get("/my/drills/").content.decode()
        home = client.get("/").content.decode()
    assert learning.count("2 学时") == 3
    assert "学习记录#" not in drills
    assert "3 条记录" in home


def test_archive_year_filter(client, employee):
    def source(employee, *, year=None):
        return [
            ArchiveEntry(date=datetime.date(2025, 5, 1), category="training", title="旧课程"),
            ArchiveEntry(date=datetime.date(2026, 5, 1), category="training", title="新课程"),
        ]

    login(client, employee)
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, source):
        page = client.get("/my/archive/?year=2025").content.decode()
    assert "旧课程" in page
    assert "新课程" not in page


@pytest.fixture
def only_test_sources(monkeypatch):
    """Leave out the domain apps' panels and archive sources: what lms itself costs."""
    from lms import hooks as lms_hooks
    from lms import portal

    real_get_hooks = lms_hooks.hooks.get_hooks
    monkeypatch.setattr(portal, "registered_panels", lambda section_slug=None: [])
    monkeypatch.setattr(
        lms_hooks.hooks,
        "get_hooks",
        lambda name: [_log_entries_source] if name == ARCHIVE_SOURCE_HOOK else real_get_hooks(name),
    )


@pytest.mark.parametrize("records", [4, 40])
def test_portal_home_query_count_is_constant(
    client, employee, records, only_test_sources, django_assert_num_queries
):
    _add_records(employee, records)
    login(client, employee)
    client.get("/")  # warm the site-root cache
    # session, user, language profile, site, page, ancestors, view restrictions, employee,
    # the archive source's one query, roles (admin link)
    with django_assert_num_queries(with_session(5)):
        response = client.get("/")
    assert response.content.decode().count("条记录") >= 1


def _home_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get("/").status_code == HTTPStatus.OK
    return len(context)


def test_portal_home_with_every_app_costs_the_same_at_n_and_10n(client, employee):
    """Every registered panel and archive source together: N and 10×N records cost the same."""
    login(client, employee)
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, _log_entries_source):
        _add_records(employee, 5)
        client.get("/")
        at_n = _home_queries(client)
        _add_records(employee, 45)
        at_10n = _home_queries(client)
    assert at_n == at_10n


def test_language_switch_is_remembered_on_the_profile(client, employee):
    login(client, employee)
    response = client.post("/language/", {"language": "en", "next": "/my/learning/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/my/learning/"
    client.cookies.clear()
    login(client, employee)
    page = client.get("/my/learning/").content.decode()
    assert "My learning" in page


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "status": "ok",
        "checks": {"database": True, "cache": True, "tasks": True},
    }


def test_healthz_reports_a_broken_cache(client, db, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["cache"] is False


def test_healthz_reports_a_broken_database(client, db, monkeypatch):
    from lms import views

    def broken():
        raise connection.Database.OperationalError("database down")

    monkeypatch.setattr(views, "_probe_database", broken)
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["checks"]["database"] is False


def test_password_change_page(client, employee):
    login(client, employee)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": f.PASSWORD,
            "new_password1": "Grid-2026-pass!",
            "new_password2": "Grid-2026-pass!",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    employee.user.refresh_from_db()
    assert employee.user.check_password("Grid-2026-pass!")
