import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from drills import services
from drills.models import CorrectiveAction, DrillError, Finding, PlanRevisionNote
from tests.conftest import login
from tests.drills.queries import with_session
from tests.factories import drills as df


@pytest.fixture
def conducted(drill):
    return df.conduct(drill)


@pytest.fixture
def finding(conducted, people):
    return df.improvement(conducted, by=people["coordinator"])


def test_improvement_needs_a_grade_and_findings_wait_for_the_drill(drill, conducted):
    with pytest.raises(DrillError):
        services.finding_record(drill=conducted, kind="improvement", title="无等级")
    strength = services.finding_record(drill=conducted, kind="strength", title="响应迅速")
    assert strength.grade == ""
    with pytest.raises(DrillError, match="not strengths"):
        df.action(strength, owner=drill.coordinator)


def test_findings_refused_before_the_drill(drill):
    with pytest.raises(DrillError, match="once the drill has been conducted"):
        df.improvement(drill)


def test_recurrence_links_an_earlier_drill(plan, people, finding):
    later = df.conduct(df.drill(plan=plan, coordinator=people["coordinator"]))
    again = services.finding_record(
        drill=later,
        kind="improvement",
        grade="deficiency",
        title="信息报送不及时（再次）",
        recurrence_of=finding,
    )
    assert list(finding.recurrences.all()) == [again]
    with pytest.raises(DrillError, match="earlier drill"):
        services.finding_record(
            drill=finding.drill,
            kind="improvement",
            grade="deficiency",
            title="x",
            recurrence_of=finding,
        )


@pytest.mark.parametrize(("grade", "days"), [("deficiency", 10), ("improvement", 45)])
def test_default_due_date_per_grade_is_a_setting(conducted, people, settings, grade, days):
    settings.DRILLS_ACTION_DUE_DAYS = {**settings.DRILLS_ACTION_DUE_DAYS, grade: days}
    start = datetime.date(2026, 3, 1)
    action = df.action(
        df.improvement(conducted, grade=grade), owner=people["employee"], start_date=start
    )
    assert action.due_date == start + datetime.timedelta(days=days)
    assert action.department == conducted.organising_department


def test_action_life_and_log(finding, people):
    action = df.action(finding, owner=people["employee"])
    with pytest.raises(DrillError, match="Only the action's owner"):
        services.action_start(action=action, by=people["colleague"])
    services.action_start(action=action, by=people["employee"], note="开始")
    services.action_submit(action=action, by=people["employee"], note="已修订流程")
    services.action_verify(
        action=action, by=people["coordinator"], method="查阅文件", result="不完整", passed=False
    )
    assert action.status == CorrectiveAction.Status.IN_PROGRESS
    services.action_submit(action=action, by=people["employee"], note="已补充")
    services.action_verify(
        action=action, by=people["coordinator"], method="查阅文件", result="符合要求"
    )
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.CLOSED
    assert action.verified_by == people["coordinator"] and action.closed_on_time
    assert [e.to_status for e in action.log.all()] == [
        "open",
        "in_progress",
        "awaiting_verification",
        "in_progress",
        "awaiting_verification",
        "closed",
    ]


def test_verifying_your_own_action_is_refused(finding, people):
    action = df.action(finding, owner=people["coordinator"])
    services.action_submit(action=action, by=people["coordinator"], note="完成")
    with pytest.raises(DrillError) as error:
        services.action_verify(action=action, by=people["coordinator"], method="自查", result="好")
    assert error.value.messages == ["You own this action; someone else must verify it."]
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.AWAITING_VERIFICATION


def test_closing_a_plan_action_without_a_revision_is_refused(finding, people, plan):
    action = df.action(finding, owner=people["employee"], element="plan")
    services.action_submit(action=action, by=people["employee"], note="已起草修订")
    with pytest.raises(DrillError) as error:
        services.action_verify(action=action, by=people["coordinator"], method="审查", result="好")
    assert "link the plan revision" in error.value.messages[0]
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.AWAITING_VERIFICATION
    note = services.plan_revise(
        plan=plan,
        reason=PlanRevisionNote.Reason.DRILL_FINDING,
        changes={"response": "<p>增加信息报送时限</p>"},
        closes_actions=[action],
    )
    action.refresh_from_db()
    assert action.plan_revision == note
    services.action_verify(action=action, by=people["coordinator"], method="审查", result="好")
    assert action.status == CorrectiveAction.Status.CLOSED


def test_reject_needs_a_reason_and_is_final(finding, people):
    action = df.action(finding, owner=people["employee"])
    with pytest.raises(DrillError, match="reason for rejecting"):
        services.action_reject(action=action, by=people["coordinator"], reason=" ")
    services.action_reject(action=action, by=people["coordinator"], reason="与另一措施重复")
    with pytest.raises(DrillError, match="cannot be rejected"):
        services.action_reject(action=action, by=people["coordinator"], reason="再次")


def test_overdue_owners_are_reminded_once_per_interval(
    finding, people, django_capture_on_commit_callbacks
):
    people["employee"].email = "e1@example.com"
    people["employee"].save()
    today = timezone.localdate()
    action = df.action(
        finding,
        owner=people["employee"],
        start_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=1),
    )
    df.action(finding, owner=people["employee"])  # not due yet
    assert action.is_overdue()
    assert list(CorrectiveAction.objects.overdue()) == [action]
    from drills.tasks import remind_overdue_actions

    # The reminder goes out through the notification service once the run commits.
    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_actions.enqueue()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["e1@example.com"]
    assert reverse("drills:action", args=[action.pk]) in mail.outbox[0].body
    assert services.actions_remind_overdue() == 0  # reminded already this week


def test_training_action_calls_the_training_hook(
    finding, people, django_capture_on_commit_callbacks
):
    seen = []
    with hooks.register_temporarily(services.TRAINING_ACTION_HOOK, seen.append):
        with django_capture_on_commit_callbacks(execute=True):
            action = df.action(finding, owner=people["employee"], element="training")
    assert seen == [action]


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", HTTPStatus.OK),  # owner
        ("manager", HTTPStatus.OK),  # heads the owner's branch
        ("coordinator", HTTPStatus.OK),
        ("colleague", HTTPStatus.NOT_FOUND),
        ("other_manager", HTTPStatus.NOT_FOUND),
    ],
)
def test_action_page_scope(client, finding, people, who, status):
    action = df.action(finding, owner=people["employee"])
    login(client, people[who])
    assert client.get(reverse("drills:action", args=[action.pk])).status_code == status


def test_owner_completes_and_someone_else_verifies_on_the_page(client, finding, people):
    action = df.action(finding, owner=people["employee"])
    url = reverse("drills:action", args=[action.pk])
    login(client, people["manager"])
    assert client.post(url, {"op": "start"}).status_code == HTTPStatus.FORBIDDEN
    login(client, people["employee"])
    client.post(url, {"op": "start", "note": "开始"})
    client.post(url, {"op": "submit", "note": "完成"})
    response = client.post(url, {"op": "verify", "method": "m", "result": "r", "passed": "1"})
    assert response.status_code == HTTPStatus.FORBIDDEN  # the owner is no verifier
    login(client, people["manager"])
    client.post(url, {"op": "verify", "method": "现场检查", "result": "已落实", "passed": "1"})
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.CLOSED
    assert action.verified_by == people["manager"]


def test_verifying_own_action_on_the_page_shows_the_message(client, finding, people):
    action = df.action(finding, owner=people["coordinator"])
    services.action_submit(action=action, by=people["coordinator"], note="完成")
    login(client, people["coordinator"])
    response = client.post(
        reverse("drills:action", args=[action.pk]),
        {"op": "verify", "method": "m", "result": "r", "passed": "1"},
        follow=True,
    )
    assert "someone else must verify it" in response.content.decode()


def test_coordinator_records_findings_and_actions_in_the_workbench(client, conducted, people):
    login(client, people["coordinator"])
    response = client.post(
        reverse("drills:finding_add", args=[conducted.pk]),
        {
            "kind": "improvement",
            "grade": "deficiency",
            "title": "抢修物资不足",
            "responsible_department": conducted.organising_department_id,
            "criteria": [conducted.template.criteria.first().pk],
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    finding = Finding.objects.get(title="抢修物资不足")
    assert finding.criteria.count() == 1
    response = client.post(
        reverse("drills:action_add", args=[conducted.pk]),
        {
            "finding": finding.pk,
            "description": "补充发电车",
            "element": "equipment",
            "owner": people["employee"].pk,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    action = finding.actions.get()
    assert action.due_date == action.start_date + datetime.timedelta(days=30)


@pytest.mark.parametrize("who", ["manager", "employee", "evaluator"])
def test_only_coordinators_record_findings(client, conducted, people, who):
    login(client, people[who])
    response = client.post(
        reverse("drills:finding_add", args=[conducted.pk]),
        {"kind": "strength", "title": "x"},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Finding.objects.exists()


def test_admin_action_listing_is_scoped(client, finding, people, company):
    mine = df.action(finding, owner=people["employee"])
    df.action(finding, owner=people["outsider"])
    login(client, people["coordinator"])
    response = client.get(reverse("corrective_actions:index"))
    assert len(response.context["object_list"]) == 2
    login(client, people["manager"])
    response = client.get(reverse("corrective_actions:index"))
    assert [a.pk for a in response.context["object_list"]] == [mine.pk]
    login(client, people["employee"])
    response = client.get(reverse("corrective_actions:index"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_admin_action_listing_filters_overdue(client, finding, people):
    today = timezone.localdate()
    late = df.action(
        finding,
        owner=people["employee"],
        start_date=today - datetime.timedelta(days=30),
        due_date=today - datetime.timedelta(days=1),
    )
    df.action(finding, owner=people["employee"])
    login(client, people["coordinator"])
    response = client.get(reverse("corrective_actions:index"), {"overdue": "true"})
    assert [a.pk for a in response.context["object_list"]] == [late.pk]
    response = client.get(reverse("corrective_actions:index"), {"overdue": "false"})
    assert late.pk not in [a.pk for a in response.context["object_list"]]


def test_admin_action_listing_query_count(client, finding, people, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            df.action(finding, owner=people["employee"])

    login(client, people["coordinator"])
    make(3)
    client.get(reverse("corrective_actions:index"))
    with django_assert_num_queries(QUERIES_ACTION_LIST) as ctx:
        client.get(reverse("corrective_actions:index"))
    make(27)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("corrective_actions:index"))
    assert len(response.context["object_list"]) == 30


# The admin shell looks up the explorable page tree (training and exam index pages included).
QUERIES_ACTION_LIST = with_session(10)


def test_overdue_reminder_is_a_scheduled_job():
    from drills.integrations import scheduled_jobs
    from drills.tasks import remind_overdue_actions
    from lms.scheduling import scheduled_jobs as registered_jobs

    job = scheduled_jobs()
    assert job.task is remind_overdue_actions
    assert job.every == datetime.timedelta(hours=24)
    assert registered_jobs()[job.name] == job
