import datetime
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from wagtail import hooks

from careers import services
from careers.hooks import DASHBOARD_FIGURE_HOOK
from careers.models import CareersError, Recognition
from lms.hooks import APPRAISAL_INDICATOR_SOURCE_HOOK, IndicatorReading, IndicatorSource
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import careers as cf

PAST = datetime.date(2020, 1, 31)
FUTURE = datetime.date(2099, 1, 31)


@pytest.fixture
def period(db):
    return cf.period(name="2026年第三季度")


def rectify(period, employee, deadline=PAST, title="投诉处理超时整改"):
    return services.recognition_create(
        period=period, kind="rectification", employee=employee, title=title, deadline=deadline
    )


def test_rectification_needs_a_deadline_and_others_have_none(people, period):
    with pytest.raises(ValidationError):
        services.recognition_create(
            period=period, kind="rectification", employee=people["employee"], title="x"
        )
    with pytest.raises(ValidationError):
        services.recognition_create(
            period=period,
            kind="commendation",
            employee=people["employee"],
            title="x",
            deadline=FUTURE,
        )
    record = rectify(period, people["employee"], FUTURE)
    assert record.follow_up == "open" and not record.is_overdue
    assert not Recognition.objects.overdue().exists()


def test_overdue_flag_and_follow_up_moves(people, period):
    record = rectify(period, people["employee"])
    assert record.is_overdue
    assert list(Recognition.objects.overdue()) == [record]
    with pytest.raises(CareersError):
        services.rectification_follow_up(record=record, status="verified")
    services.rectification_follow_up(record=record, status="in_progress", note="已制定措施")
    services.rectification_follow_up(record=record, status="done")
    assert not record.is_overdue and not Recognition.objects.overdue().exists()
    services.rectification_follow_up(record=record, status="verified")
    with pytest.raises(CareersError):
        services.rectification_follow_up(record=record, status="open")
    record.refresh_from_db()
    assert "已制定措施" in record.follow_up_note
    award = services.recognition_create(
        period=period, kind="award", employee=people["employee"], title="优质服务标兵"
    )
    with pytest.raises(CareersError):
        services.rectification_follow_up(record=award, status="done")


def test_employee_sees_own_records_in_the_portal(client, people, period):
    rectify(period, people["employee"])
    rectify(period, people["colleague"], title="他人的整改")
    login(client, people["employee"])
    html = client.get(reverse("portal:section", args=["development"])).content.decode()
    assert "投诉处理超时整改" in html and "他人的整改" not in html


def test_hr_issues_and_follows_up_in_admin(client, people, period):
    login(client, people["hr"])
    response = client.post(
        reverse("careers_recognitions:add"),
        {
            "period": period.pk,
            "kind": "rectification",
            "employee": people["employee"].pk,
            "title": "抄表差错整改",
            "description": "",
            "deadline": "",
        },
    )
    assert response.status_code == HTTPStatus.OK  # deadline missing: refused
    assert not Recognition.objects.exists()
    record = rectify(period, people["employee"])
    response = client.post(
        reverse("careers_recognitions:edit", args=[record.pk]),
        {"description": "", "move": "in_progress", "note": "整改中"},
    )
    assert response.status_code == HTTPStatus.FOUND
    record.refresh_from_db()
    assert record.follow_up == "in_progress"


# --- Dashboards ---------------------------------------------------------------------------


def calculated(company, size, period=None):
    period = period or cf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    staff = [f.employee(department=company["team_a"]) for _ in range(size)]
    values = [Decimal(60 + (n * 7) % 41) for n in range(size)]
    services.indicator_values_import(
        period=period,
        rows=[(indicator, p.pk, None, v, "") for p, v in zip(staff, values, strict=True)],
    )
    services.appraisal_period_calculate(period=period)
    return period, staff


def fake_source():
    def compute(start, end, ids):
        return {pk: IndicatorReading(Decimal(90)) for pk in list(ids)[:2]}

    return IndicatorSource(
        key="exams.pass", label="考试通过率", subject="employee", compute=compute
    )


@pytest.fixture
def only_fake_source(monkeypatch):
    """Other apps' indicator sources and figures cost their own queries; count careers' alone
    (test_dashboard_figures counts the registered figures)."""
    from lms import hooks as lms_hooks

    real = lms_hooks.hooks.get_hooks
    monkeypatch.setattr(
        lms_hooks.hooks,
        "get_hooks",
        lambda name: (
            [fake_source]
            if name == APPRAISAL_INDICATOR_SOURCE_HOOK
            else []
            if name == DASHBOARD_FIGURE_HOOK
            else real(name)
        ),
    )


@pytest.mark.parametrize("size", [4, 40])
def test_dashboard_query_count(
    client, people, company, django_assert_num_queries, size, only_fake_source
):
    period, staff = calculated(company, size)
    for person in staff[:3]:
        rectify(period, person)
    login(client, people["hr"])
    url = reverse("careers:dashboard")
    client.get(url)
    with django_assert_num_queries(with_session(4)):
        response = client.get(url)
    distribution = response.context["distribution"]
    assert distribution["total"]["people"] == size
    assert len(response.context["overdue"]) == 3
    figure = response.context["sources"][0]
    assert figure["count"] == 2 and figure["average"] == Decimal(90)
    assert sum(row["count"] for row in figure["rows"]) == 2
    team_row = next(row for row in figure["rows"] if row["department"] == "变电班")
    assert team_row["of"] == size + 1  # the employee fixture sits in this team too


def test_dashboard_works_without_any_data_or_sources(client, people):
    login(client, people["hr"])
    response = client.get(reverse("careers:dashboard"))
    assert response.status_code == HTTPStatus.OK
    assert response.context["distribution"]["total"] is None
    assert response.context["sources"] == []


def test_dashboard_is_scoped_for_managers(client, people, company):
    period, staff = calculated(company, 3)
    outsider_period_staff = f.employee(department=company["other"])
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    services.indicator_values_import(
        period=period, rows=[(indicator, outsider_period_staff.pk, None, Decimal(90), "")]
    )
    services.appraisal_period_calculate(period=period)
    login(client, people["manager"])
    response = client.get(reverse("careers:dashboard"))
    assert response.context["distribution"]["total"]["people"] == 3
    login(client, people["other_manager"])
    response = client.get(reverse("careers:dashboard"))
    assert response.context["distribution"]["total"]["people"] == 1


@pytest.mark.parametrize("who", ["employee", "trainer", "coordinator", "evaluator"])
def test_dashboard_refused_to_others(client, people, who):
    login(client, people[who])
    assert client.get(reverse("careers:dashboard")).status_code == HTTPStatus.FORBIDDEN
    assert (
        client.get(reverse("careers:dashboard_export", args=["grades"])).status_code
        == HTTPStatus.FORBIDDEN
    )


@pytest.mark.parametrize("name", ["grades", "rectifications", "sources"])
def test_dashboard_exports(client, people, company, name):
    period, staff = calculated(company, 3)
    rectify(period, staff[0])
    login(client, people["hr"])
    with hooks.register_temporarily(APPRAISAL_INDICATOR_SOURCE_HOOK, fake_source):
        response = client.get(reverse("careers:dashboard_export", args=[name]))
    assert response.status_code == HTTPStatus.OK
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert len(rows) >= 2


def test_admin_home_panel_for_hr(client, people, company):
    calculated(company, 3)
    login(client, people["hr"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    # The panel and the menu open the dashboard in the admin (careers.admin_views).
    assert reverse("careers_admin_dashboard") in html
    assert 'class="bar-chart grade-chart"' in html
    login(client, people["trainer"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("careers_admin_dashboard") not in html
