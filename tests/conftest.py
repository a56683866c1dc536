import hashlib
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from lms.models import Department
from lms.roles import Role
from tests import factories as f

MIGRATED_CACHE = Path(__file__).resolve().parent.parent / ".pytest-db"


def _migrations_key() -> str:
    """Changes whenever any installed app's migrations (or the app list) change."""
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256(repr(settings.INSTALLED_APPS).encode())
    digest.update(sqlite3.sqlite_version.encode())
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        digest.update(
            Path(sys.modules[loader.disk_migrations[key].__module__].__file__).read_bytes()
        )
    return digest.hexdigest()[:20]


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's, plus a cache of the migrated SQLite database (``.pytest-db/``).

    Migrating takes most of a run's start (250 migrations); on SQLite the migrated database is
    copied to a file keyed by every migration's source, and later runs (and the other xdist
    workers) make the tables without migrations and copy that file in. PostgreSQL migrates.
    """
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    cached = None
    if (
        connection.vendor == "sqlite"
        and connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
        and django_db_use_migrations
        and not django_db_keepdb
    ):
        with django_db_blocker.unblock():
            cached = MIGRATED_CACHE / f"{_migrations_key()}.sqlite3"
    restore = cached is not None and cached.exists()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if restore:
        test_settings["MIGRATE"] = False
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=set() if restore else serialized_aliases,
        )
        connection.ensure_connection()
        if restore:
            source = sqlite3.connect(cached)
            source.backup(connection.connection)
            source.close()
            if connection.alias in serialized_aliases:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        elif cached is not None:
            cached.parent.mkdir(exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            target = sqlite3.connect(partial)
            connection.connection.backup(target)
            target.close()
            os.replace(partial, cached)
    if restore:
        test_settings.pop("MIGRATE")
    yield
    with django_db_blocker.unblock():
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session", autouse=True)
def migrated_baseline(request):
    """The rows migrations create (role groups and permissions, the Wagtail root page, Site…).

    Read once, before any test runs, so that a transactional test's flush can be undone.
    """
    if not any(
        item.get_closest_marker("django_db") or _uses_db(item) for item in request.session.items
    ):
        return None
    request.getfixturevalue("django_db_setup")
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    from django.db import connection

    with django_db_blocker.unblock():
        baseline = connection.creation.serialize_db_to_string()
        _warm_content_types()
        return baseline


def _warm_content_types():
    """Every model's content type in Django's per-process cache, so that a query count never
    depends on which test happened to run first in this process (xdist changes the order)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


def _uses_db(item):
    return bool({"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _restore_migrated_rows(request, migrated_baseline):
    """Transactional tests (browser tests, threads) end with a flush that also removes the rows
    migrations made; put them back before the next such test."""
    if migrated_baseline is None or not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=Role.EMPLOYEE).exists():
        _restore(migrated_baseline)


def _restore(baseline):
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.db import connection, transaction

    # The flush's post_migrate signal made content types and permissions afresh under other
    # keys: replace them with the baseline's, first, so that nothing saved after them (and the
    # signals those saves send) creates content types of its own.
    objects = list(serializers.deserialize("json", baseline))
    objects.sort(key=lambda obj: obj.object._meta.label != "contenttypes.ContentType")
    with transaction.atomic(), connection.constraint_checks_disabled():
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        for obj in objects:
            obj.save()
    ContentType.objects.clear_cache()
    _warm_content_types()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_company():
    """A small company: root → branch → two teams, and a second branch."""
    root = f.department(code="C", name="公司", kind=Department.Kind.COMPANY)
    branch = f.department(code="C-A", name="运检部", parent=root, kind=Department.Kind.BRANCH)
    team_a = f.department(code="C-A-1", name="变电班", parent=branch)
    team_b = f.department(code="C-A-2", name="线路班", parent=branch)
    other = f.department(code="C-B", name="营销部", parent=root, kind=Department.Kind.BRANCH)
    return {"root": root, "branch": branch, "team_a": team_a, "team_b": team_b, "other": other}


def make_people(company):
    """One employee per role, plus a colleague and an outsider (another branch)."""
    pos = f.position(code="POS-1", name="配电线路工")
    made = {
        "employee": f.employee(
            number="E1", name="员工甲", department=company["team_a"], position=pos
        ),
        "colleague": f.employee(
            number="E2", name="员工乙", department=company["team_b"], position=pos
        ),
        "outsider": f.employee(
            number="E3", name="员工丙", department=company["other"], position=pos
        ),
        "manager": f.employee(
            number="M1", department=company["branch"], position=pos, roles=[Role.MANAGER]
        ),
        "other_manager": f.employee(
            number="M2", department=company["other"], position=pos, roles=[Role.MANAGER]
        ),
        "trainer": f.employee(
            number="T1", department=company["root"], position=pos, roles=[Role.TRAINER]
        ),
        "hr": f.employee(number="H1", department=company["root"], position=pos, roles=[Role.HR]),
        "coordinator": f.employee(
            number="C1", department=company["root"], position=pos, roles=[Role.COORDINATOR]
        ),
        "evaluator": f.employee(
            number="V1", department=company["root"], position=pos, roles=[Role.EVALUATOR]
        ),
    }
    from lms import services

    services.department_update(department=company["branch"], manager=made["manager"])
    services.department_update(department=company["other"], manager=made["other_manager"])
    return made


def make_superuser():
    return get_user_model().objects.create_superuser("root", "root@example.com", f.PASSWORD)


@pytest.fixture
def company(db):
    return make_company()


@pytest.fixture
def people(company):
    return make_people(company)


@pytest.fixture
def superuser(db):
    return make_superuser()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole module, for read-mostly rows built once per module.

    Module-scoped fixtures build their rows inside ``with module_db.unblock():``; every test's
    own transaction nests inside as a savepoint and is rolled back as usual, and the module's
    rows are rolled back when the module is done. Not for modules with transactional tests.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield django_db_blocker
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def login(client, employee_or_user):
    user = getattr(employee_or_user, "user", employee_or_user)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (Redis in CI outlives a test and a run), and with
    no ids remembered in the process: a transactional test's flush deletes the rows that
    production never deletes (SCORM's element names)."""
    from django.core.cache import cache

    from courses.scorm import services as scorm_services

    cache.clear()
    scorm_services._ELEMENT_IDS.clear()


def api_client(employee_or_user):
    """A test client that calls the REST API with a new API token of this person."""
    from django.test import Client
    from wagtail.models import APIToken

    user = getattr(employee_or_user, "user", employee_or_user)
    _token, key = APIToken.create_token(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def with_session(queries: int) -> int:
    """Add the session read that database-backed sessions cost (cache sessions cost none)."""
    from django.conf import settings

    return queries + (0 if settings.SESSION_ENGINE.endswith(".cache") else 1)


@pytest.fixture
def directory(company, settings, tmp_path):
    """A real slapd on loopback with ``tests.slapd.company_people()``, and the application
    pointed at it (directory sign-in on); stopped when the test ends."""
    from tests import slapd

    if slapd.MISSING:
        pytest.skip(slapd.MISSING)
    f.position(code="DIR-P", name="供电服务员")
    server = slapd.Slapd(tmp_path / "slapd", slapd.company_people(), slapd.GROUPS_SEEDED)
    server.start()
    try:
        slapd.directory_settings(settings, server)
        yield server
    finally:
        server.stop()
