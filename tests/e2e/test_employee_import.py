import pytest
from playwright.sync_api import expect

from lms.models import Employee
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories.spreadsheets import xlsx_bytes

HEADERS = ["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态"]


@pytest.fixture
def hr(transactional_db):
    root = f.department(code="QC", name="青川县供电公司")
    f.department(code="QC-CG", name="城关供电所", parent=root)
    f.position(code="P12", name="配电线路工")
    return f.employee(number="QC9002", name="陈思远", department=root, roles=[Role.HR])


def test_hr_imports_employees_fixing_a_bad_row(page, hr, tmp_path):
    rows = [
        ["QC3001", "林晓", "QC-CG", "P12", "2021-07-01", "在职"],
        ["QC3002", "高峰", "QC-XX", "P12", "2019-03-15", "在职"],
        ["QC3003", "罗敏", "QC-CG", "P12", "2023-09-01", "休假"],
    ]
    bad = tmp_path / "员工.xlsx"
    bad.write_bytes(xlsx_bytes(HEADERS, rows))

    sign_in(page, "QC9002", f.PASSWORD)
    page.goto("/admin/employees/")
    page.get_by_role("link", name="导入").click()
    page.set_input_files("#id_import_file", str(bad))
    page.get_by_role("button", name="检查文件").click()

    problems = page.locator("#import-problems")
    assert "第 3 行" in problems.inner_text()
    assert "QC-XX" in problems.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert not Employee.objects.filter(number__startswith="QC3").exists()

    rows[1][2] = "QC-CG"
    fixed = tmp_path / "员工-已修正.xlsx"
    fixed.write_bytes(xlsx_bytes(HEADERS, rows))
    page.set_input_files("#id_import_file", str(fixed))
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_text("新增 3 条，更新 0 条")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/admin/employees/")
    expect(page.get_by_text("导入完成：新增 3 条")).to_be_visible()
    assert Employee.objects.filter(number__startswith="QC3").count() == 3
    assert Employee.objects.get(number="QC3003").status == Employee.Status.ON_LEAVE
