from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from courses.models import (
    Assignment,
    Attendance,
    Completion,
    CoursePage,
    LessonProgress,
    PlanItem,
    QuestionnairePage,
    TrainingSession,
)
from lms.models import Employee
from tests.clock import local_moment
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


def _video_watches():
    """The demo video lesson's watches: QC1001 watched it all (so the lesson is done), two
    colleagues part of it; the stretch one of them watched twice counts once."""
    from courses.models import Lesson
    from courses.video.models import VideoWatch
    from courses.video.services import tracked_videos

    watches = {
        w.employee.number: (w.watched_seconds, w.is_done)
        for w in VideoWatch.objects.select_related("employee")
    }
    assert len(watches) == 3
    assert watches["QC1001"] == (Decimal("240.0"), True)
    assert sorted(watches.values())[:2] == [(Decimal("95.0"), False), (Decimal("150.0"), False)]
    lesson = VideoWatch.objects.get(employee__number="QC1001").lesson
    (video,) = tracked_videos(Lesson.objects.get(pk=lesson.pk))
    assert set(VideoWatch.objects.values_list("block_id", flat=True)) == {video.block_id}
    assert (
        LessonProgress.objects.get(employee__number="QC1001", lesson=lesson).completed_at
        is not None
    )
    return watches


def test_demo_seed_is_idempotent_and_believable(db, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    courses, items, sessions, attendance, completions, assignments = first
    assert courses >= 10 and items >= 12 and sessions >= 4
    assert attendance and completions and assignments
    assert PlanItem.objects.filter(plan__year=2026).count() >= 12
    watches = _video_watches()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first
    assert _video_watches() == watches

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


@pytest.mark.parametrize("today", ["2026-01-02", "2026-12-07", "2028-02-29"])
def test_demo_offers_its_questionnaire_whatever_the_day_it_is_seeded(
    db, client, clock, settings, today
):
    """The demo's dates follow the day it is seeded, so its questionnaire is always within
    COURSES_QUESTIONNAIRE_DAYS of the session QC1001 attended; and that window is a setting."""
    clock.move_to(local_moment(today))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    login(client, Employee.objects.get(number="QC1001"))
    client.cookies["ga_language"] = "zh-hans"
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    page = QuestionnairePage.objects.get()
    assert f'href="{page.url}?session=' in body
    assert "营业厅服务礼仪实训 · 培训效果调查" in body

    settings.COURSES_QUESTIONNAIRE_DAYS = 7  # the demo session was three weeks ago
    body = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert f'href="{page.url}?session=' not in body
