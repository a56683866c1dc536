"""A trainer takes attendance for 200 people on a phone: Select all, untick the absent, Save."""

import pytest
from playwright.sync_api import expect

from courses import services
from courses.models import Attendance, Completion
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PEOPLE = 200


@pytest.fixture
def session(live_server):
    cf.restore_migrated_rows_if_flushed()
    station = f.department(code="QC-CG", name="城关供电所")
    lineman = f.position(code="P12", name="配电线路工")
    trainer = f.employee(number="QC9001", name="李培华", department=station, roles=[Role.TRAINER])
    course = cf.course(title="配网故障抢修应急处置", code="KC-YJ01", lessons=1)
    session = cf.past_session(course=course, trainer=trainer, capacity=PEOPLE)
    for n in range(PEOPLE):
        employee = f.employee(
            number=f"QC{3000 + n}", name=f"学员{n:03d}", department=station, position=lineman
        )
        services.enrollment_create(session=session, employee=employee)
    return session


def test_trainer_records_attendance_for_200_people_in_a_few_taps(phone, live_server, session):
    phone.context.add_cookies([{"name": "ga_language", "value": "en", "url": live_server.url}])
    sign_in(phone, "QC9001", f.PASSWORD)
    phone.goto("/my/learning/")
    phone.locator("[data-testid=teaching]").get_by_role("link", name="Attendance roster").click()
    # The click's navigation may still be parsing 200 rows: wait for them all, never count early.
    expect(phone.locator("#roster input[name=present]")).to_have_count(PEOPLE)

    phone.get_by_label("Select all").check()  # tap 1
    phone.get_by_label("学员007").uncheck()  # one tap per absent person
    phone.get_by_label("学员123").uncheck()
    assert phone.locator("#present-count").inner_text() == str(PEOPLE - 2)
    phone.locator(".roster-bar button[type=submit]").click()  # last tap: save
    phone.wait_for_load_state()

    assert "198 present, 2 absent" in phone.locator(".messages").inner_text()
    assert Attendance.objects.filter(present=True).count() == PEOPLE - 2
    assert Attendance.objects.filter(present=False).count() == 2
    assert Completion.objects.filter(session=session).count() == PEOPLE - 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
