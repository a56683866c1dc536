"""Every page answers anonymous visitors with the sign-in page, and refuses the roles it is not
for; query counts of the coordinator's workbench and of the indicator sources stay fixed."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from drills import services
from drills.integrations import indicator_sources
from tests import factories as f
from tests.conftest import login
from tests.drills.queries import with_session
from tests.factories import drills as df


@pytest.fixture
def urls(drill, people):
    df.conduct(drill)
    finding = df.improvement(drill)
    action = df.action(finding, owner=people["employee"])
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    result = sheet.results.first()
    participant = drill.participants.get(employee=people["employee"])
    return {
        "get": [
            reverse("drills:dashboard"),
            reverse("drills:drill", args=[drill.pk]),
            reverse("drills:report", args=[drill.pk]),
            reverse("drills:report_pdf", args=[drill.pk]),
            reverse("drills:sheet", args=[sheet.pk]),
            reverse("drills:participation", args=[participant.pk]),
            reverse("drills:action", args=[action.pk]),
        ],
        "post": [
            reverse("drills:transition", args=[drill.pk, "evaluate"]),
            reverse("drills:finding_add", args=[drill.pk]),
            reverse("drills:action_add", args=[drill.pk]),
            reverse("drills:result_save", args=[sheet.pk, result.pk]),
            reverse("drills:sheet_submit", args=[sheet.pk]),
        ],
        "sheet": sheet,
        "finding": finding,
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, urls):
    for url in urls["get"] + urls["post"]:
        response = client.post(url) if url in urls["post"] else client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("who", ["evaluator", "employee", "manager"])
def test_action_add_refused_for_non_coordinators(client, urls, people, who):
    login(client, people[who])
    finding = urls["finding"]
    response = client.post(
        reverse("drills:action_add", args=[finding.drill_id]),
        {
            "finding": finding.pk,
            "description": "x",
            "element": "plan",
            "owner": people["employee"].pk,
        },
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not finding.actions.filter(description="x").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", HTTPStatus.FORBIDDEN), ("evaluator2", HTTPStatus.NOT_FOUND)],
)
def test_only_the_evaluator_submits_their_sheet(client, urls, people, evaluator2, who, status):
    person = evaluator2 if who == "evaluator2" else people[who]
    login(client, person)
    sheet = urls["sheet"]
    assert client.post(reverse("drills:sheet_submit", args=[sheet.pk])).status_code == status
    sheet.refresh_from_db()
    assert not sheet.is_submitted


@pytest.mark.parametrize("who", ["employee", "manager", "evaluator"])
def test_template_admin_refused(client, drill, people, who):
    login(client, people[who])
    for url in (
        reverse("evaluation_templates:index"),
        reverse("evaluation_templates:new_version", args=[drill.template.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN), url
        if response.status_code == HTTPStatus.FOUND:
            assert not response["Location"].startswith("/admin/evaluation_templates")


def test_workbench_query_count_is_constant(client, plan, people, django_assert_num_queries):
    template = df.template()

    def busy_drill(n):
        participants = [(f.employee(department=plan.owning_department), "player") for _ in range(n)]
        evaluators = [f.employee(department=plan.owning_department) for _ in range(n)]
        drill = df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=evaluators,
            participants=participants,
            template=template,
        )
        df.conduct(drill)
        for sheet in drill.sheets.all():
            df.fill_sheet(sheet)
        for _ in range(n):
            df.action(df.improvement(drill), owner=people["employee"])
        return drill

    small, large = busy_drill(2), busy_drill(20)
    login(client, people["coordinator"])
    client.get(reverse("drills:drill", args=[small.pk]))
    with django_assert_num_queries(QUERIES_WORKBENCH):
        client.get(reverse("drills:drill", args=[small.pk]))
    with django_assert_num_queries(QUERIES_WORKBENCH):
        response = client.get(reverse("drills:drill", args=[large.pk]))
    assert len(response.context["findings"]) == 20


QUERIES_WORKBENCH = with_session(17)


@pytest.mark.parametrize("key", [s.key for s in indicator_sources()])
def test_indicator_sources_run_a_fixed_number_of_queries(
    key, plan, people, company, django_assert_max_num_queries
):
    def approved_drill():
        drill = df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=[people["evaluator"]],
            participants=[(people["employee"], "player")],
        )
        df.conduct(drill)
        df.fill_sheet(drill.sheets.get())
        services.drill_mark_evaluated(drill=drill)
        df.action(df.improvement(drill), owner=people["employee"])
        services.report_approve(drill=drill)

    source = {s.key: s for s in indicator_sources()}[key]
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=400), today + datetime.timedelta(days=400)
    subjects = (
        [d.pk for d in company.values()]
        if source.subject == "department"
        else [e.pk for e in people.values()]
    )
    approved_drill()
    with django_assert_max_num_queries(3) as first:
        assert source.compute(start, end, subjects)
    for _ in range(5):
        approved_drill()
    with django_assert_max_num_queries(len(first.captured_queries)):
        source.compute(start, end, subjects)


def test_portal_home_card_counts_sheets_to_fill(client, drill, people):
    login(client, people["evaluator"])
    response = client.get("/")
    cards = {card["section"].slug: card for card in response.context["cards"]}
    summary = cards["drills"]["summaries"][0]
    assert summary.count == 1 and summary.attention
