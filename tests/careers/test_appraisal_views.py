from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from careers import services
from careers.models import AppraisalPeriod, AppraisalResult, IndicatorValue
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import careers as cf


def xlsx(rows, headers=("考核期间", "指标编码", "工号", "部门编码", "数值", "备注")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "kpi.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def published_result(people, company, **values):
    period = cf.period(name="2026年第三季度")
    cf.value(
        period=period,
        code="KPI-TRAIN",
        value=values.get("train", "90"),
        employee=people["employee"],
        records=[("安规考试 90 分", "/exams/results/1/")],
    )
    cf.value(period=period, code="KPI-RELIAB", value="99.95", department=company["branch"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    services.appraisal_period_freeze(period=period)
    services.appraisal_period_publish(period=period)
    return AppraisalResult.objects.get(period=period, employee=people["employee"])


# --- Import -------------------------------------------------------------------------------------


def test_kpi_import_refuses_bad_rows_by_number_then_imports(client, people, company):
    period = cf.period(name="2026年第三季度")
    login(client, people["hr"])
    url = reverse("careers_values:import")
    rows = [
        ("2026年第三季度", "KPI-TRAIN", "E1", "", 95, ""),
        ("2026年第三季度", "KPI-TRAIN", "NOBODY", "", 80, ""),  # row 3: unknown employee
        ("2026年第三季度", "KPI-TRAIN", "E2", "", 180, ""),  # row 4: out of range
        ("2026年第三季度", "KPI-RELIAB", "", "C-A", 99.95, ""),
        ("2026年第三季度", "KPI-NOPE", "E2", "", 1, ""),  # row 6: unknown indicator
    ]
    response = client.post(url, {"import_file": xlsx(rows)})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "NOBODY" in html and "180" in html and "KPI-NOPE" in html
    problems = [p.row for p in response.context["report"].problems]
    assert problems == [3, 4, 6]
    assert not IndicatorValue.objects.exists()

    good = [rows[0], ("2026年第三季度", "KPI-TRAIN", "E2", "", 80, "补录"), rows[3]]
    response = client.post(url, {"import_file": xlsx(good)})
    report = response.context["report"]
    assert report.ok and report.new == 3
    assert not IndicatorValue.objects.exists()  # only previewed
    response = client.post(
        url,
        {"confirm": "1", "token": response.context["token"], "file_format": "xlsx"},
    )
    assert response.status_code == HTTPStatus.FOUND
    values = {
        (v.indicator.code, v.employee_id, v.department_id): v.value
        for v in IndicatorValue.objects.select_related("indicator")
    }
    assert values == {
        ("KPI-TRAIN", people["employee"].pk, None): Decimal(95),
        ("KPI-TRAIN", people["colleague"].pk, None): Decimal(80),
        ("KPI-RELIAB", None, company["branch"].pk): Decimal("99.95"),
    }
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.COLLECTING

    # Importing again updates the values rather than duplicating them.
    again = [("2026年第三季度", "KPI-TRAIN", "E1", "", 70, "")]
    response = client.post(url, {"import_file": xlsx(again)})
    assert response.context["report"].updated == 1


def test_kpi_import_into_a_frozen_period_is_refused(client, people):
    period = cf.period(name="已冻结期间")
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    services.appraisal_period_freeze(period=period)
    login(client, people["hr"])
    response = client.post(
        reverse("careers_values:import"),
        {"import_file": xlsx([("已冻结期间", "KPI-TRAIN", "E1", "", 50, "")])},
    )
    report = response.context["report"]
    assert [p.row for p in report.problems] == [2]
    assert "已冻结期间" in " ".join(report.problems[0].messages)
    assert IndicatorValue.objects.get(indicator__code="KPI-TRAIN").value == Decimal(90)


@pytest.mark.parametrize("who", ["employee", "manager", "trainer", "coordinator"])
def test_kpi_import_is_for_hr_only(client, people, who):
    login(client, people[who])
    response = client.get(reverse("careers_values:import"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


# --- Period control room --------------------------------------------------------------------------


def test_hr_runs_a_period_through_the_control_room(
    client, people, django_capture_on_commit_callbacks
):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    login(client, people["hr"])
    url = reverse("careers_periods:run", args=[period.pk])
    assert client.get(url).status_code == HTTPStatus.OK
    for action, status in [
        ("calculate", "calculated"),
        ("freeze", "frozen"),
        ("publish", "published"),
    ]:
        # Calculation runs as a background job (the test backend runs it at commit).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"action": action, "confirmed": "1"})
        assert response.status_code == HTTPStatus.FOUND
        period.refresh_from_db()
        assert period.status == status
    # An illegal move is refused with a message, nothing changes.
    response = client.post(url, {"action": "freeze"}, follow=True)
    assert "只有" in response.content.decode() or "Only" in response.content.decode()
    period.refresh_from_db()
    assert period.status == "published"


@pytest.mark.parametrize("who", ["employee", "manager", "trainer"])
def test_control_room_refused_to_others(client, people, who):
    period = cf.period()
    login(client, people[who])
    response = client.post(
        reverse("careers_periods:run", args=[period.pk]), {"action": "calculate"}
    )
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    period.refresh_from_db()
    assert period.status == "open"


def test_frozen_value_edit_needs_reason_in_admin(client, people):
    period = cf.period()
    item = cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    services.appraisal_period_freeze(period=period)
    login(client, people["hr"])
    url = reverse("careers_values:edit", args=[item.pk])
    response = client.post(url, {"value": "70", "note": "", "reason": ""})
    assert response.status_code == HTTPStatus.OK  # form shown again with the error
    item.refresh_from_db()
    assert item.value == Decimal(90) and not cf.appraisal_changes().exists()
    response = client.post(url, {"value": "70", "note": "", "reason": "考试成绩复核"})
    assert response.status_code == HTTPStatus.FOUND
    item.refresh_from_db()
    assert item.value == Decimal(70)
    assert cf.appraisal_changes(data__reason="考试成绩复核").count() == 2
    # The control room lists both, read from the trail.
    page = client.get(reverse("careers_periods:run", args=[item.period_id])).content.decode()
    assert page.count("考试成绩复核") == 2 and "<td>90</td><td>70</td>" in page


# --- Result list (admin) ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_result_list_runs_a_fixed_number_of_queries(
    client, people, company, django_assert_num_queries, size
):
    period = cf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    staff = [f.employee(department=company["team_a"]) for _ in range(size)]
    services.indicator_values_import(
        period=period, rows=[(indicator, p.pk, None, Decimal(80), "") for p in staff]
    )
    services.appraisal_period_calculate(period=period)
    login(client, people["hr"])
    url = reverse("careers_results:index")
    client.get(url)  # warm caches (site root, content types)
    with django_assert_num_queries(with_session(8)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) == min(size, 50)


def test_result_list_is_scoped_for_managers(client, people, company):
    published_result(people, company)
    login(client, people["other_manager"])
    response = client.get(reverse("careers_results:index"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) == 0
    login(client, people["manager"])
    response = client.get(reverse("careers_results:index"))
    assert people["employee"].name in response.content.decode()


def test_result_export_xlsx(client, people, company):
    published_result(people, company)
    login(client, people["hr"])
    response = client.get(reverse("careers_results:export", args=["xlsx"]))
    assert response.status_code == HTTPStatus.OK
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("考核期间", "工号", "姓名")
    assert {row[1] for row in rows[1:]} == {"E1", "E2", "M1"}


# --- Portal ---------------------------------------------------------------------------------


def test_employee_sees_published_result_breakdown_and_source_records(client, people, company):
    result = published_result(people, company)
    login(client, people["employee"])
    response = client.get(reverse("portal:section", args=["development"]))
    html = response.content.decode()
    detail_url = reverse("careers:result", args=[result.pk])
    assert detail_url in html
    response = client.get(detail_url)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    # 0.4 × 75 + 0.3 × 100 over 0.7 → 85.71
    assert "85.71" in html and result.grade in html
    assert "培训完成率" in html and "供电可靠率" in html
    assert 'href="/exams/results/1/"' in html and "安规考试 90 分" in html


def test_unpublished_result_is_hidden_from_the_employee(client, people):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    services.appraisal_period_calculate(period=period)
    result = AppraisalResult.objects.get()
    login(client, people["employee"])
    assert (
        client.get(reverse("careers:result", args=[result.pk])).status_code == HTTPStatus.NOT_FOUND
    )
    login(client, people["hr"])
    assert client.get(reverse("careers:result", args=[result.pk])).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", HTTPStatus.OK),
        ("manager", HTTPStatus.OK),
        ("hr", HTTPStatus.OK),
        ("colleague", HTTPStatus.NOT_FOUND),
        ("outsider", HTTPStatus.NOT_FOUND),
        ("other_manager", HTTPStatus.NOT_FOUND),
        ("trainer", HTTPStatus.NOT_FOUND),
    ],
)
def test_result_page_scope(client, people, company, who, status):
    result = published_result(people, company)
    login(client, people[who])
    assert client.get(reverse("careers:result", args=[result.pk])).status_code == status


def test_result_page_requires_sign_in(client, people, company):
    result = published_result(people, company)
    response = client.get(reverse("careers:result", args=[result.pk]))
    assert response.status_code == HTTPStatus.FOUND


ADMIN_PAGES = [
    "careers_systems:index",
    "careers_systems:add",
    "careers_indicators:index",
    "careers_indicators:add",
    "careers_periods:index",
    "careers_periods:add",
    "careers_values:index",
    "careers_values:add",
    "careers_results:index",
    "careers_hours_rules:index",
    "careers_hours_rules:add",
    "careers_templates:index",
    "careers_templates:add",
    "careers_plans:index",
    "careers_plans:add",
    "careers_programmes:index",
    "careers_programmes:add",
    "careers_rotations:index",
    "careers_rotations:add",
    "careers_recognitions:index",
    "careers_recognitions:add",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_open_for_hr(client, people, name):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    login(client, people["hr"])
    assert client.get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("name", "who"),
    [
        (name, who)
        for name in ADMIN_PAGES
        for who in ("manager", "trainer", "employee")
        # Managers read their department's results and values (see the scope tests).
        if not (
            who == "manager"
            and name
            in (
                "careers_results:index",
                "careers_values:index",
                "careers_plans:index",
                "careers_rotations:index",
                "careers_recognitions:index",
            )
        )
    ],
)
def test_admin_pages_refused_to_others(client, people, name, who):
    login(client, people[who])
    response = client.get(reverse(name))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_hr_creates_indicator_and_period_through_admin(client, people):
    system = cf.indicator_system(indicators=[], activate=False)
    login(client, people["hr"])
    response = client.post(
        reverse("careers_indicators:add"),
        {
            "system": system.pk,
            "code": "K1",
            "name": "电费回收率",
            "category": "billing_service",
            "subject": "department",
            "weight": "100",
            "rule": "linear",
            "threshold_low": "95",
            "threshold_high": "100",
            "floor_score": "0",
            "source": "import",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    response = client.post(
        reverse("careers_systems:edit", args=[system.pk]),
        {"name": system.name, "description": "", "new_status": "activate"},
    )
    assert response.status_code == HTTPStatus.FOUND
    system.refresh_from_db()
    assert system.status == "active"
    # In force: the indicator can no longer change; the form says why and nothing is saved.
    indicator = system.indicators.get()
    response = client.post(
        reverse("careers_indicators:edit", args=[indicator.pk]),
        {
            "system": system.pk,
            "code": "K1",
            "name": "改名",
            "category": "billing_service",
            "subject": "department",
            "weight": "100",
            "rule": "linear",
            "threshold_low": "95",
            "threshold_high": "100",
            "floor_score": "0",
            "source": "import",
        },
    )
    assert response.status_code == HTTPStatus.OK
    indicator.refresh_from_db()
    assert indicator.name == "电费回收率"
    response = client.post(
        reverse("careers_periods:add"),
        {
            "name": "2026年10月",
            "system": system.pk,
            "kind": "month",
            "start": "2026-10-01",
            "end": "2026-10-31",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert AppraisalPeriod.objects.filter(name="2026年10月").exists()


def test_manager_reads_only_their_subtree_values(client, people):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="91", employee=people["employee"])
    cf.value(period=period, code="KPI-TRAIN", value="92", employee=people["outsider"])
    login(client, people["manager"])
    response = client.get(reverse("careers_values:index"))
    assert response.status_code == HTTPStatus.OK
    assert [v.employee for v in response.context["object_list"]] == [people["employee"]]


def test_indicator_form_offers_registered_sources(client, people):
    from wagtail import hooks

    from lms.hooks import APPRAISAL_INDICATOR_SOURCE_HOOK, IndicatorSource

    def source():
        return IndicatorSource(
            key="drills.score", label="演练评估得分", subject="employee", compute=lambda *a: {}
        )

    login(client, people["hr"])
    with hooks.register_temporarily(APPRAISAL_INDICATOR_SOURCE_HOOK, source):
        html = client.get(reverse("careers_indicators:add")).content.decode()
    assert 'value="drills.score"' in html and "演练评估得分" in html
