from http import HTTPStatus

from django.core.management import call_command
from django.urls import reverse

from courses.models import (
    Assignment,
    Attendance,
    Completion,
    CoursePage,
    PlanItem,
    TrainingSession,
)
from lms.models import Employee
from tests.conftest import login


def _counts():
    return (
        CoursePage.objects.count(),
        PlanItem.objects.count(),
        TrainingSession.objects.count(),
        Attendance.objects.count(),
        Completion.objects.count(),
        Assignment.objects.count(),
    )


def test_demo_seed_is_idempotent_and_believable(db, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    courses, items, sessions, attendance, completions, assignments = first
    assert courses >= 10 and items >= 12 and sessions >= 4
    assert attendance and completions and assignments
    assert PlanItem.objects.filter(plan__year=2026).count() >= 12
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    learner = Employee.objects.get(number="QC1001")
    assert Completion.objects.filter(employee=learner).count() >= 2
    login(client, learner)
    client.cookies["ga_language"] = "zh-hans"
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert "《电力安全工作规程（配电部分）》精讲" in body
    for course in CoursePage.objects.all()[:3]:
        assert client.get(course.url).status_code == HTTPStatus.OK

    call_command("seed_demo", "--reset", stdout=open("/dev/null", "w"))
    assert _counts()[0] == first[0]
