"""HR runs an appraisal period end to end; the employee reads the explained result."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook
from wagtail import hooks

from careers.models import AppraisalPeriod, IndicatorCategory, Subject
from lms.hooks import APPRAISAL_INDICATOR_SOURCE_HOOK, IndicatorReading, IndicatorSource
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import careers as cf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["考核期间", "指标编码", "工号", "部门编码", "数值", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return {"name": "kpi.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


@pytest.fixture
def setup(transactional_db):
    department = f.department(code="QC-CG", name="城关供电所")
    position = f.position(name="配电线路工")
    employee = f.employee(number="QC1001", name="王小明", department=department, position=position)
    hr = f.employee(number="QC9002", name="陈思远", roles=[Role.HR])
    exam_indicator = {
        "code": "KPI-EXAM",
        "name": "安规考试成绩",
        "category": IndicatorCategory.TRAINING,
        "subject": Subject.EMPLOYEE,
        "weight": Decimal(30),
        "rule": "direct",
        "source": "hook",
        "source_key": "exams.safety",
    }
    specs = cf.default_indicators()
    specs[0] = {**specs[0], "weight": Decimal(10)}  # 10 + 30 + 30 + 30 = 100
    system = cf.indicator_system(indicators=[*specs, exam_indicator])
    period = cf.period(system=system, name="2026年第三季度")
    return {"employee": employee, "hr": hr, "period": period, "department": department}


def exam_source():
    def compute(start, end, ids):
        from lms.models import Employee

        pk = Employee.objects.get(number="QC1001").pk
        return {pk: IndicatorReading(Decimal(96), records=(("安规考试 96 分", "/my/exams/"),))}

    return IndicatorSource(
        key="exams.safety", label="安规考试", subject="employee", compute=compute
    )


def test_hr_runs_period_and_employee_reads_the_breakdown(page, live_server, setup):
    period = setup["period"]
    sign_in(page, "QC9002", f.PASSWORD)

    # Import with one bad row: refused, the row named, nothing saved.
    page.goto("/admin/careers_values/import/")
    bad = [
        ["2026年第三季度", "KPI-TRAIN", "QC1001", "", 90, ""],
        ["2026年第三季度", "KPI-COMPLAINT", "QC1001", "", 99, ""],  # row 3: above 50
        ["2026年第三季度", "KPI-RELIAB", "", "QC-CG", 99.95, ""],
    ]
    page.set_input_files("#id_import_file", files=[workbook(bad)])
    page.click("form[enctype] button[type=submit]")
    problems = page.locator("#import-problems").inner_text()
    assert "3" in problems and "99" in problems
    assert not period.values.exists()

    # Fixed, it imports.
    bad[1][4] = 1
    page.set_input_files("#id_import_file", files=[workbook(bad)])
    page.click("form[enctype] button[type=submit]")
    page.click("button[name=confirm]")
    page.wait_for_load_state()
    assert period.values.count() == 3

    # Calculate (the exam source feeds the training indicator), freeze, publish.
    page.goto(f"/admin/careers_periods/{period.pk}/run/")
    with hooks.register_temporarily(APPRAISAL_INDICATOR_SOURCE_HOOK, exam_source):
        for action in ("calculate", "freeze", "publish"):
            page.click(f"form:has(input[value={action}]) button")
            page.wait_for_load_state()
            if action != "calculate":  # freezing and publishing ask once more
                page.click("[data-testid=confirm] button")
                page.wait_for_load_state()
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.PUBLISHED

    # HR opens the employee's archive and downloads the PDF.
    page.goto(f"/careers/archive/{setup['employee'].pk}/")
    with page.expect_download() as download:
        page.click(f"a[href='/careers/archive/{setup['employee'].pk}/pdf/']")
    assert download.value.suggested_filename.endswith(".pdf")

    # The employee sees the score, its breakdown and the record behind the exam indicator.
    page.context.clear_cookies()
    sign_in(page, "QC1001", f.PASSWORD)
    page.goto("/my/development/")
    page.click("a[href^='/careers/appraisal/']")
    page.wait_for_load_state()
    # 75×0.1 + 80×0.3 + 100×0.3 + 96×0.3 = 90.30
    assert page.get_by_test_id("total-score").inner_text() == "90.30"
    assert page.get_by_test_id("grade").inner_text() == "A"
    assert page.get_by_test_id("breakdown-row").count() == 4
    record = page.get_by_role("link", name="安规考试 96 分")
    assert record.get_attribute("href") == "/my/exams/"
    record.click()
    page.wait_for_load_state()
    assert page.url.endswith("/my/exams/")
