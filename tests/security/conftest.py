import datetime

import pytest
from django.test import Client, override_settings

from careers import services as careers_services
from lms import services as lms_services
from lms.jobs import job_run
from tests import factories as f
from tests.conftest import make_company, make_people, make_superuser
from tests.factories import careers as cf

from .object_cases import object_world


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, module_media):
    """The module's rows and their files are made once, so the files live once per module."""
    settings.MEDIA_ROOT = module_media


@pytest.fixture(scope="module")
def module_world(module_db, module_media):
    """The world below, built once per module (the matrix reads it some 540 times); each test's
    writes are rolled back as usual."""
    from tests.assessments.security_cases import assessment_world

    with module_db.unblock(), override_settings(MEDIA_ROOT=module_media):
        company = make_company()
        people = make_people(company)
        made = build_world(people, company, make_superuser())
        object_world(made)
        assessment_world(made)
    return made


@pytest.fixture
def world(module_world, db):
    """A fresh dict per test, so that what a test adds to it goes with the test."""
    return dict(module_world)


@pytest.fixture
def people(world):
    return {key: world[key] for key in PEOPLE}


@pytest.fixture
def company(world):
    return world["company"]


@pytest.fixture
def superuser(world):
    return world["superuser"]


PEOPLE = (
    "employee",
    "colleague",
    "outsider",
    "manager",
    "other_manager",
    "trainer",
    "hr",
    "coordinator",
    "evaluator",
)


def build_world(people, company, superuser):
    """One object of every kind the URLs take, owned by people["employee"]."""
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    careers_services.appraisal_period_calculate(period=period)
    plan = careers_services.development_plan_create(employee=people["employee"], year=2026)
    programme = careers_services.rotation_programme_create(
        name="轮岗", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    rotation = careers_services.rotation_assign(
        programme=programme,
        employee=people["employee"],
        to_department=company["other"],
        to_position=f.position(),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 4, 30),
        objectives=["x"],
    )
    export = careers_services.archive_export_request(
        department=company["branch"], year=2026, acting_user=people["manager"].user
    )
    # A finished job with a result, so that its download can be tried by every role.
    with job_run(export.pk) as run:
        run.save_result("archives.zip", b"PK")
    from wagtail.models import APIToken

    hr_token, _key = APIToken.create_token(user=people["hr"].user, name="HR sync")
    from lms.hr_sync import hr_sync_propose

    # A staff file with problems: applying it (as HR may) changes nothing.
    hr_sync_run = hr_sync_propose(name="staff.csv", content=b"x,y\n1,2\n", source="matrix")
    absence = lms_services.absence_record(
        employee=people["employee"], kind="leave", start_date=datetime.date(2026, 1, 5)
    )
    return {
        **people,
        "absence": absence,
        "hr_token": hr_token,
        "hr_sync_run": hr_sync_run,
        "company": company,
        "superuser": superuser,
        "period": period,
        "result": period.results.get(employee=people["employee"]),
        "plan": plan,
        "rotation": rotation,
        "archive_export": export,
    }


@pytest.fixture
def client_for(people, superuser):
    clients = {}
    users = {
        "employee": people["employee"].user,
        "other_employee": people["colleague"].user,
        "other_manager": people["other_manager"].user,
        "manager": people["manager"].user,
        "trainer": people["trainer"].user,
        "hr": people["hr"].user,
        "coordinator": people["coordinator"].user,
        "evaluator": people["evaluator"].user,
        "superuser": superuser,
    }

    def get(role, token=False):
        """A client signed in as ``role``: with a session, or with an API token."""
        if (role, token) not in clients:
            if token and role != "anonymous":
                from wagtail.models import APIToken

                _token, key = APIToken.create_token(user=users[role], name="matrix")
                client = Client(headers={"Authorization": f"Bearer {key}"})
            else:
                client = Client()
                if role != "anonymous" and not token:
                    client.force_login(users[role])
            clients[role, token] = client
        return clients[role, token]

    return get


def pytest_terminal_summary(terminalreporter):
    from tests.security.test_authorization_matrix import COUNTED

    if COUNTED["cases"]:
        terminalreporter.write_line(
            f"authorisation matrix: {COUNTED['cases']} (URL, role) cases checked"
        )
