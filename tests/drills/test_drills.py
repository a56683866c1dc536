import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from drills import services
from drills.models import Drill, DrillError, EvaluationSheet, PlanRevisionNote
from tests.conftest import login
from tests.drills.queries import with_session
from tests.factories import drills as df


def test_schedule_pins_the_live_revision_and_makes_a_sheet_per_evaluator(drill, plan, people):
    assert drill.plan_revision == plan.live_revision
    assert set(drill.sheets.values_list("evaluator__number", flat=True)) == {"V1", "V2"}
    assert all(sheet.results.count() == 3 for sheet in drill.sheets.all())
    services.plan_revise(
        plan=plan, reason=PlanRevisionNote.Reason.PERIODIC_REVIEW, changes={"summary": "新"}
    )
    drill.refresh_from_db()
    assert drill.plan_revision == plan.live_revision  # a later draft does not move the pin


def test_full_cycle(drill, people):
    df.conduct(drill)
    assert drill.status == Drill.Status.CONDUCTED
    for sheet in drill.sheets.all():
        df.fill_sheet(sheet)
    services.drill_mark_evaluated(drill=drill)
    snapshot = services.report_approve(drill=drill)
    drill.refresh_from_db()
    assert drill.status == Drill.Status.REPORT_APPROVED
    assert snapshot.version == 1
    services.drill_close(drill=drill)
    assert drill.status == Drill.Status.CLOSED


def test_evaluating_a_drill_not_yet_conducted_is_refused(drill):
    with pytest.raises(DrillError) as error:
        services.drill_mark_evaluated(drill=drill)
    assert "has not been conducted yet" in error.value.messages[0]
    sheet = drill.sheets.first()
    df.fill_sheet(sheet, submit=False)
    with pytest.raises(DrillError, match="has not been conducted yet"):
        services.sheet_submit(sheet=sheet)
    drill.refresh_from_db()
    assert drill.status == Drill.Status.PLANNED


def test_conducting_twice_is_refused(drill):
    df.conduct(drill)
    with pytest.raises(DrillError, match="Only a planned drill"):
        df.conduct(drill)


def test_evaluated_needs_a_submitted_sheet(drill):
    df.conduct(drill)
    with pytest.raises(DrillError, match="No evaluation sheet has been submitted"):
        services.drill_mark_evaluated(drill=drill)


def test_approving_a_report_with_sheets_outstanding_is_refused(drill):
    df.conduct(drill)
    first, second = drill.sheets.all()
    df.fill_sheet(first)
    services.drill_mark_evaluated(drill=drill)
    with pytest.raises(DrillError) as error:
        services.report_approve(drill=drill)
    assert error.value.messages == [
        "1 evaluation sheet is still outstanding; the report can be approved once every "
        "evaluator has submitted."
    ]
    drill.refresh_from_db()
    assert drill.status == Drill.Status.EVALUATED
    assert not drill.snapshots.exists()


def test_approving_before_evaluation_is_refused(drill):
    df.conduct(drill)
    with pytest.raises(DrillError, match="only after the drill has been evaluated"):
        services.report_approve(drill=drill)


def test_closing_with_open_actions_is_refused(drill, people):
    df.conduct(drill)
    for sheet in drill.sheets.all():
        df.fill_sheet(sheet)
    services.drill_mark_evaluated(drill=drill)
    df.action(df.improvement(drill), owner=people["employee"])
    services.report_approve(drill=drill)
    with pytest.raises(DrillError, match="1 corrective action is still open"):
        services.drill_close(drill=drill)


def test_refusal_message_is_translated(drill):
    from django.utils import translation

    with pytest.raises(DrillError) as error:
        drill.mark_evaluated()
    with translation.override("zh-hans"):
        assert error.value.messages[0] == "该演练尚未实施；请先登记为已实施，再进行评估。"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("coordinator", True),
        ("evaluator", True),  # assigned evaluator
        ("employee", True),  # participant
        ("manager", True),  # heads the organising branch
        ("colleague", False),
        ("other_manager", False),
        ("hr", False),
    ],
)
def test_drill_visibility(drill, people, who, sees):
    assert Drill.objects.visible_to(people[who].user).filter(pk=drill.pk).exists() is sees


# --- admin ------------------------------------------------------------------------------------


def admin_form(plan, template, people, **overrides):
    data = {
        "title": "迎峰度夏桌面推演",
        "plan": plan.pk,
        "form": "tabletop",
        "exercise_type": "tabletop",
        "scope": "single",
        "purpose": "inspection",
        "scenario": "台风",
        "objectives": "检验",
        "announced": "on",
        "planned_start": "2030-06-01 09:00",
        "planned_end": "2030-06-01 11:00",
        "location": "会议室",
        "organising_department": plan.owning_department_id,
        "coordinator": people["coordinator"].pk,
        "template": template.pk,
        "participants": inline_formset(
            [
                {"employee": people["evaluator"].pk, "role": "evaluator", "attendance": "expected"},
                {"employee": people["employee"].pk, "role": "player", "attendance": "expected"},
            ]
        ),
    }
    data.update(overrides)
    data = nested_form_data(data)
    data["covered_sections"] = ["response", "disposal"]
    return data


def test_coordinator_schedules_drill_in_admin(client, plan, people):
    template = df.template()
    login(client, people["coordinator"])
    assert client.get(reverse("drill_admin:add")).status_code == HTTPStatus.OK
    response = client.post(reverse("drill_admin:add"), admin_form(plan, template, people))
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    drill = Drill.objects.get()
    assert response["Location"] == reverse("drills:drill", args=[drill.pk])
    assert drill.plan_revision == plan.live_revision
    assert drill.covered_sections == ["response", "disposal"]
    assert EvaluationSheet.objects.get().evaluator == people["evaluator"]


def test_admin_refuses_end_before_start(client, plan, people):
    login(client, people["coordinator"])
    response = client.post(
        reverse("drill_admin:add"),
        admin_form(plan, df.template(), people, planned_end="2030-06-01 08:00"),
    )
    assert response.status_code == HTTPStatus.OK
    assert not Drill.objects.exists()


@pytest.mark.parametrize("who", ["employee", "evaluator", "hr"])
def test_admin_drill_screens_refused(client, drill, people, who):
    login(client, people[who])
    for url in (reverse("drill_admin:index"), reverse("drill_admin:add")):
        response = client.get(url)
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        if response.status_code == HTTPStatus.FOUND:
            assert not response["Location"].startswith("/admin/drill_admin")


def test_manager_sees_only_scoped_drills_and_cannot_edit(client, drill, plan, people, company):
    other = df.drill(plan=plan, coordinator=people["coordinator"], department=company["other"])
    login(client, people["manager"])
    response = client.get(reverse("drill_admin:index"))
    assert response.status_code == HTTPStatus.OK
    assert [d.pk for d in response.context["object_list"]] == [drill.pk]
    assert client.get(reverse("drill_admin:edit", args=[other.pk])).status_code in (
        HTTPStatus.NOT_FOUND,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.FOUND,
    )
    login(client, people["other_manager"])
    response = client.get(reverse("drill_admin:index"))
    assert [d.pk for d in response.context["object_list"]] == [other.pk]


def test_drill_list_query_count_is_constant(client, plan, people, django_assert_num_queries):
    template = df.template()
    login(client, people["coordinator"])
    url = reverse("drill_admin:index")

    def make(n):
        for _ in range(n):
            df.drill(plan=plan, coordinator=people["coordinator"], template=template)

    make(3)
    client.get(url)  # warm caches (content types, site)
    with django_assert_num_queries(QUERIES_DRILL_LIST) as ctx:
        response = client.get(url)
    assert len(response.context["object_list"]) == 3
    make(27)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 30


# The admin shell looks up the explorable page tree (training and exam index pages included).
QUERIES_DRILL_LIST = with_session(9)


# --- workbench --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", HTTPStatus.OK),
        ("manager", HTTPStatus.OK),
        ("other_manager", HTTPStatus.NOT_FOUND),
        ("employee", HTTPStatus.FORBIDDEN),
        ("evaluator", HTTPStatus.FORBIDDEN),
    ],
)
def test_workbench_access(client, drill, people, who, status):
    login(client, people[who])
    assert client.get(reverse("drills:drill", args=[drill.pk])).status_code == status


def test_workbench_refuses_evaluating_unconducted_drill_with_message(client, drill, people):
    login(client, people["coordinator"])
    response = client.post(reverse("drills:transition", args=[drill.pk, "evaluate"]), follow=True)
    assert "has not been conducted yet" in response.content.decode()
    drill.refresh_from_db()
    assert drill.status == Drill.Status.PLANNED


def test_workbench_records_conducted(client, drill, people):
    login(client, people["coordinator"])
    start = timezone.localtime() - datetime.timedelta(hours=2)
    response = client.post(
        reverse("drills:transition", args=[drill.pk, "conduct"]),
        {
            "actual_start": start.strftime("%Y-%m-%dT%H:%M"),
            "actual_end": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "absent": [people["employee"].pk],
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    drill.refresh_from_db()
    assert drill.status == Drill.Status.CONDUCTED
    attendance = dict(drill.participants.values_list("employee__number", "attendance"))
    assert attendance["E1"] == "absent" and attendance["M1"] == "present"


@pytest.mark.parametrize("who", ["manager", "employee", "evaluator"])
def test_only_coordinators_move_drills(client, drill, people, who):
    login(client, people[who])
    response = client.post(reverse("drills:transition", args=[drill.pk, "evaluate"]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_evaluated_drill_can_no_longer_be_edited(drill):
    df.conduct(drill)
    for sheet in drill.sheets.all():
        df.fill_sheet(sheet)
    services.drill_mark_evaluated(drill=drill)
    drill.location = "别处"
    with pytest.raises(DrillError, match="can no longer be changed"):
        services.drill_update(drill=drill)


def test_coordinator_opens_the_admin_edit_page(client, drill, people):
    login(client, people["coordinator"])
    response = client.get(reverse("drill_admin:edit", args=[drill.pk]))
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    # The sections covered come back ticked, so saving the page keeps them.
    assert form["covered_sections"].value() == ["response", "disposal"]
    assert re.search(r'value="response"[^>]*checked', response.content.decode())
    assert not re.search(r'value="organisation"[^>]*checked', response.content.decode())
