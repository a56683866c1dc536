import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from drills import services
from drills.integrations import indicator_sources
from lms.hooks import appraisal_indicator_sources, archive_entries
from tests import factories as f
from tests.conftest import login
from tests.drills.queries import with_session
from tests.factories import drills as df


@pytest.fixture
def approved(drill, people):
    df.conduct(drill)
    first, second = drill.sheets.order_by("pk")
    df.fill_sheet(first)
    df.fill_sheet(second, psmu="P", yes_no="no", points=Decimal("60"))
    services.drill_mark_evaluated(drill=drill)
    finding = df.improvement(drill)
    services.finding_record(drill=drill, kind="strength", title="指挥有序")
    df.action(finding, owner=people["employee"])
    services.report_approve(drill=drill, acting_user=people["coordinator"].user)
    return drill


def test_approval_freezes_scores_and_reapproval_adds_a_snapshot(approved, people):
    first = approved.snapshots.get()
    assert first.overall == Decimal("64.38")
    assert first.data["by_role"]["commander"] == "50.00"
    assert first.approved_by == people["coordinator"]
    again = services.report_approve(drill=approved)
    assert again.version == 2
    assert approved.snapshots.count() == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", HTTPStatus.OK),
        ("manager", HTTPStatus.OK),
        ("employee", HTTPStatus.OK),  # a participant reads the report
        ("evaluator", HTTPStatus.OK),
        ("colleague", HTTPStatus.NOT_FOUND),
        ("other_manager", HTTPStatus.NOT_FOUND),
    ],
)
def test_report_access(client, approved, people, who, status):
    login(client, people[who])
    response = client.get(reverse("drills:report", args=[approved.pk]))
    assert response.status_code == status
    if status == HTTPStatus.OK:
        body = response.content.decode()
        assert "64.38" in body and "指挥有序" in body and "修订信息报送流程" in body


def test_report_pdf_is_chinese_pdf(client, approved, people):
    login(client, people["coordinator"])
    response = client.get(reverse("drills:report_pdf", args=[approved.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    # Chinese, whatever the reader's interface language: the PDF is the company's record.
    assert "演练评估报告" in text and "指挥有序" in text and "64.38" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("CJK" in font for font in fonts)
    login(client, people["colleague"])
    assert client.get(reverse("drills:report_pdf", args=[approved.pk])).status_code == 404


def test_coordinator_approves_report_on_the_workbench(client, drill, people):
    df.conduct(drill)
    first, second = drill.sheets.all()
    df.fill_sheet(first)
    services.drill_mark_evaluated(drill=drill)
    login(client, people["coordinator"])
    url = reverse("drills:transition", args=[drill.pk, "approve"])
    response = client.post(url, follow=True)
    assert "1 evaluation sheet is still outstanding" in response.content.decode()
    df.fill_sheet(second)
    client.post(url)
    drill.refresh_from_db()
    assert drill.status == "report_approved" and drill.snapshots.count() == 1


def _approved_drill(plan, people, n_people, template):
    """An approved drill with n participants, one evaluator, one finding with n actions."""
    participants = [
        (f.employee(department=plan.owning_department), "player") for _ in range(n_people)
    ]
    drill = df.drill(
        plan=plan,
        coordinator=people["coordinator"],
        evaluators=[people["evaluator"]],
        participants=participants,
        template=template,
    )
    df.conduct(drill)
    df.fill_sheet(drill.sheets.get())
    services.drill_mark_evaluated(drill=drill)
    finding = df.improvement(drill)
    for employee, _role in participants:
        df.action(finding, owner=employee)
    services.report_approve(drill=drill)
    return drill


def test_report_query_count_is_constant(client, plan, people, django_assert_num_queries):
    template = df.template()
    small = _approved_drill(plan, people, 2, template)
    large = _approved_drill(plan, people, 20, template)
    login(client, people["coordinator"])
    client.get(reverse("drills:report", args=[small.pk]))
    with django_assert_num_queries(QUERIES_REPORT):
        response = client.get(reverse("drills:report", args=[small.pk]))
    assert len(response.context["participants"]) == 3
    with django_assert_num_queries(QUERIES_REPORT):
        response = client.get(reverse("drills:report", args=[large.pk]))
    assert len(response.context["actions"]) == 20


QUERIES_REPORT = with_session(5)


# --- dashboard --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", HTTPStatus.OK),
        ("manager", HTTPStatus.FORBIDDEN),
        ("evaluator", HTTPStatus.FORBIDDEN),
        ("employee", HTTPStatus.FORBIDDEN),
    ],
)
def test_dashboard_access(client, people, who, status):
    login(client, people[who])
    assert client.get(reverse("drills:dashboard")).status_code == status


def test_dashboard_shows_work_and_coverage(client, drill, plan, people, company):
    undrilled = df.plan(department=company["other"], code="YA-KF-01", title="群体性投诉预案")
    df.conduct(drill)
    finding = df.improvement(drill)
    today = timezone.localdate()
    df.action(
        finding,
        owner=people["employee"],
        start_date=today - datetime.timedelta(days=30),
        due_date=today - datetime.timedelta(days=2),
    )
    upcoming = df.drill(plan=plan, coordinator=people["coordinator"])
    login(client, people["coordinator"])
    response = client.get(reverse("drills:dashboard"))
    context = response.context
    assert [d.pk for d in context["upcoming"]] == [upcoming.pk]
    assert len(context["outstanding"]) == 2  # the conducted drill's two sheets
    assert len(context["overdue"]) == 1
    assert [row["plan"].pk for row in context["not_drilled"]] == [undrilled.pk]
    coverage = {row["plan"].pk: row for row in context["coverage"]}
    assert [s.value for s in coverage[plan.pk]["covered"]] == ["response", "disposal"]
    assert [s.value for s in coverage[plan.pk]["missing"]] == ["organisation", "resources"]


def test_coverage_window_is_a_setting(client, drill, plan, people, settings):
    df.conduct(drill, start=timezone.now() - datetime.timedelta(days=100))
    login(client, people["coordinator"])
    settings.DRILLS_COVERAGE_MONTHS = 12
    assert not client.get(reverse("drills:dashboard")).context["not_drilled"]
    settings.DRILLS_COVERAGE_MONTHS = 3
    assert client.get(reverse("drills:dashboard")).context["not_drilled"]


def dashboard_rows(n, *, plan, people, company, template, batch):
    """``n`` more of each dashboard row: a plan, a conducted drill with its sheets and an overdue
    action, and an upcoming drill."""
    for i in range(n):
        df.plan(department=company["branch"], code=f"Q-{batch}-{i}")
        drill = df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=[people["evaluator"]],
            template=template,
        )
        df.conduct(drill)
        today = timezone.localdate()
        df.action(
            df.improvement(drill),
            owner=people["employee"],
            start_date=today - datetime.timedelta(days=30),
            due_date=today - datetime.timedelta(days=1),
        )
        df.drill(plan=plan, coordinator=people["coordinator"], template=template)


def test_dashboard_query_count_is_constant(
    client, plan, people, company, django_assert_num_queries
):
    template = df.template()

    def make(n):
        dashboard_rows(
            n, plan=plan, people=people, company=company, template=template, batch=make.count
        )
        make.count += 1

    make.count = 0
    login(client, people["coordinator"])
    make(1)
    client.get(reverse("drills:dashboard"))
    with django_assert_num_queries(QUERIES_DASHBOARD):
        response = client.get(reverse("drills:dashboard"))
    assert len(response.context["overdue"]) == 1
    make(10)
    with django_assert_num_queries(QUERIES_DASHBOARD):
        response = client.get(reverse("drills:dashboard"))
    assert len(response.context["overdue"]) == 11
    assert len(response.context["coverage"]) == 12


QUERIES_DASHBOARD = with_session(5)


@pytest.mark.parametrize(
    ("who", "status", "sent_to"),
    [
        ("coordinator", HTTPStatus.OK, None),
        # Refused in the admin: sent to the admin's home with Wagtail's "no permission".
        ("manager", HTTPStatus.FOUND, "wagtailadmin_home"),
        ("evaluator", HTTPStatus.FOUND, "login"),  # no admin access at all
    ],
)
def test_admin_dashboard_access(client, people, who, status, sent_to):
    login(client, people[who])
    response = client.get(reverse("drills_admin_dashboard"))
    assert response.status_code == status
    if sent_to:
        assert response["Location"].startswith(reverse(sent_to))


def test_admin_dashboard_shows_what_the_portal_shows(client, drill, plan, people, company):
    df.plan(department=company["other"], code="YA-KF-01", title="群体性投诉预案")
    df.conduct(drill)
    login(client, people["coordinator"])
    portal = client.get(reverse("drills:dashboard")).context
    response = client.get(reverse("drills_admin_dashboard"))
    assert response.status_code == HTTPStatus.OK
    for key in ("upcoming", "outstanding", "overdue", "not_drilled"):
        assert response.context[key] == portal[key]
    html = response.content.decode()
    assert 'class="ga-portal-body"' in html and "YA-KF-01" in html


@pytest.mark.parametrize("size", [1, 10])
def test_admin_dashboard_query_count(
    client, plan, people, company, django_assert_num_queries, size
):
    # Each size adds drills, sheets, overdue actions and plans: the count stays the same.
    template = df.template()
    dashboard_rows(size, plan=plan, people=people, company=company, template=template, batch=0)
    login(client, people["coordinator"])
    url = reverse("drills_admin_dashboard")
    client.get(url)
    with django_assert_num_queries(QUERIES_ADMIN_DASHBOARD):
        response = client.get(url)
    assert len(response.context["overdue"]) == size


# Permissions (2) and roles (1) of the user; the dashboard's five reads (upcoming, sheets,
# overdue actions, plans, their drills); the admin's furniture: the employee behind the user,
# locales, page and collection permissions, whether any page is explorable, the explorer's root.
QUERIES_ADMIN_DASHBOARD = with_session(12)


# --- hooks ------------------------------------------------------------------------------------


def test_archive_entries_show_role_and_score(approved, people):
    entries = [e for e in archive_entries(people["employee"]) if e.source == "drills"]
    assert len(entries) == 1
    assert entries[0].title == approved.title
    assert entries[0].score == Decimal("70.00")
    assert "Player" in entries[0].detail


def test_indicator_sources(approved, people, company):
    sources = appraisal_indicator_sources()
    assert {s.key for s in indicator_sources()} <= set(sources)
    year = timezone.localdate().year
    start, end = datetime.date(year - 1, 1, 1), datetime.date(year + 1, 12, 31)
    branch = company["branch"].pk
    assert sources["drills.department_score"].compute(start, end, [branch])[
        branch
    ].value == Decimal("64.38")
    assert sources["drills.held_vs_planned"].compute(start, end, [branch])[branch].value == 100
    reading = sources["drills.role_score"].compute(start, end, [people["manager"].pk])
    assert reading[people["manager"].pk].value == Decimal("50.00")
    participation = sources["drills.participation"].compute(start, end, [people["employee"].pk])
    assert participation[people["employee"].pk].value == 1
    on_time = sources["drills.actions_on_time"].compute(
        start, datetime.date(year + 2, 12, 31), [branch]
    )
    assert on_time[branch].value == 0  # the one action is still open


def test_portal_my_drills_panel(client, drill, people):
    login(client, people["evaluator"])
    response = client.get(reverse("portal:section", args=["drills"]))
    body = response.content.decode()
    sheet = drill.sheets.get(evaluator=people["evaluator"])
    assert reverse("drills:sheet", args=[sheet.pk]) in body
    login(client, people["employee"])
    body = client.get(reverse("portal:section", args=["drills"])).content.decode()
    participant = drill.participants.get(employee=people["employee"])
    assert reverse("drills:participation", args=[participant.pk]) in body


def test_portal_links_coordinators_to_the_dashboard(client, people):
    login(client, people["coordinator"])
    body = client.get(reverse("portal:section", args=["drills"])).content.decode()
    link = f'href="{reverse("drills:dashboard")}"'
    assert link in body
    login(client, people["employee"])
    body = client.get(reverse("portal:section", args=["drills"])).content.decode()
    assert link not in body


def test_reminder_command_queues_the_task(
    finding_with_overdue_action, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core import mail
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes once this commits
        call_command("drills_remind_overdue", stdout=StringIO())
    assert len(mail.outbox) == 1


@pytest.fixture
def finding_with_overdue_action(drill, people):
    people["employee"].email = "e1@example.com"
    people["employee"].save()
    df.conduct(drill)
    today = timezone.localdate()
    return df.action(
        df.improvement(drill),
        owner=people["employee"],
        start_date=today - datetime.timedelta(days=30),
        due_date=today - datetime.timedelta(days=1),
    )


def test_portal_home_summary_is_cached_until_a_drill_write(
    client, drill, people, django_assert_num_queries
):
    login(client, people["evaluator"])

    def summary():
        cards = {card["section"].slug: card for card in client.get("/").context["cards"]}
        return cards["drills"]["summaries"][0]

    assert summary().count == 1
    with django_assert_num_queries(0):
        from drills.integrations import MyDrillsPanel

        MyDrillsPanel().summary(None, people["evaluator"])
    df.conduct(drill)
    df.fill_sheet(drill.sheets.get(evaluator=people["evaluator"]))
    assert summary().count == 0  # the submitted sheet is no longer to fill


def test_archive_source_costs_nothing_for_people_without_drills(
    drill, people, django_assert_num_queries
):
    from drills.integrations import drill_archive_entries

    assert drill_archive_entries(people["colleague"]) == []
    with django_assert_num_queries(0):
        assert drill_archive_entries(people["colleague"]) == []
    # A drill the colleague takes part in is seen at once.
    df.conduct(
        df.drill(
            plan=drill.plan,
            coordinator=people["coordinator"],
            participants=[(people["colleague"], "observer")],
        )
    )
    assert len(drill_archive_entries(people["colleague"])) == 1


@pytest.mark.parametrize(("who", "shown"), [("coordinator", True), ("manager", False)])
def test_admin_menu_links_the_dashboard(client, people, who, shown):
    login(client, people[who])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert ("drill-dashboard" in body) is shown
    # The menu opens the admin screen, not the portal page.
    assert (reverse("drills_admin_dashboard") in body) is shown
