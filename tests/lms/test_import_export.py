import datetime
from http import HTTPStatus
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from lms.importing import read_dataset, run_import
from lms.models import Employee
from lms.resources import EmployeeResource
from tests import factories as f
from tests.conftest import login
from tests.factories.spreadsheets import xlsx_bytes, xlsx_upload

HEADERS = ["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态", "手机", "邮箱"]
IMPORT_URL = "/admin/employees/import/"


@pytest.fixture
def org(company):
    return {"team": company["team_a"], "position": f.position(code="P12", name="配电线路工")}


def rows(count=3, start=1):
    return [
        [
            f"QC{start + i:04d}",
            f"员工{i}",
            "C-A-1",
            "P12",
            "2020-03-01",
            "在职",
            13900000000 + i,
            "",
        ]
        for i in range(count)
    ]


def _import(content, *, dry_run, name="x.xlsx", user=None):
    return run_import(
        EmployeeResource(acting_user=user), read_dataset(content, name=name), dry_run=dry_run
    )


def test_import_creates_employees_with_accounts_in_the_employee_role(org):
    report = _import(xlsx_bytes(HEADERS, rows(3)), dry_run=False)
    assert report.ok, report.problems
    assert report.new == 3
    employee = Employee.objects.get(number="QC0001")
    assert employee.department == org["team"]
    assert employee.hire_date == datetime.date(2020, 3, 1)
    assert employee.phone == "13900000000"
    assert employee.user.username == "QC0001"
    assert employee.user.groups.filter(name="Employee").exists()
    assert not employee.user.has_usable_password()


def test_dry_run_saves_nothing(org):
    report = _import(xlsx_bytes(HEADERS, rows(3)), dry_run=True)
    assert report.ok and report.new == 3
    assert not Employee.objects.exists()
    assert not get_user_model().objects.exists()


def test_one_bad_row_is_named_and_nothing_is_saved(org):
    data = rows(4)
    data[2][2] = "NOPE"  # spreadsheet row 4
    data[3][4] = "明天"  # spreadsheet row 5
    report = _import(xlsx_bytes(HEADERS, data), dry_run=False)
    assert not report.ok
    assert [p.row for p in report.problems] == [4, 5]
    assert "部门编码" in report.problems[0].messages[0]
    assert "NOPE" in report.problems[0].messages[0]
    assert "入职日期" in report.problems[1].messages[0]
    assert not Employee.objects.exists()


def test_duplicate_numbers_within_the_file_are_refused(org):
    data = rows(2) + [rows(1)[0]]
    report = _import(xlsx_bytes(HEADERS, data), dry_run=True)
    assert [p.row for p in report.problems] == [4]
    assert "QC0001" in report.problems[0].messages[0]


def test_missing_required_column_is_reported(org):
    report = _import(xlsx_bytes(["工号", "姓名"], [["QC1", "甲"]]), dry_run=True)
    assert not report.ok
    assert "部门编码" in " ".join(report.file_problems)


def test_upsert_by_employee_number_updates_and_keeps_the_account(org):
    existing = f.employee(
        number="QC0001", name="旧名", department=org["team"], position=org["position"]
    )
    data = rows(2)
    data[0][5] = "离职"
    report = _import(xlsx_bytes(HEADERS, data), dry_run=False)
    assert report.ok
    assert (report.new, report.updated) == (1, 1)
    existing.refresh_from_db()
    existing.user.refresh_from_db()
    assert existing.name == "员工0"
    assert existing.status == Employee.Status.LEFT
    assert not existing.user.is_active
    assert existing.user.check_password(f.PASSWORD)


def test_unchanged_rows_are_skipped(org):
    _import(xlsx_bytes(HEADERS, rows(2)), dry_run=False)
    report = _import(xlsx_bytes(HEADERS, rows(2)), dry_run=True)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)


def test_english_headers_and_gbk_csv(org):
    text = "number,name,department_code,position_code,status\nQC0009,张三,C-A-1,P12,active\n"
    report = _import(text.encode("gb18030"), dry_run=False, name="people.csv")
    assert report.ok, report.problems
    assert Employee.objects.get(number="QC0009").name == "张三"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4", "people.pdf", "不是可导入的表格文件"),
        (b"not a zip", "people.xlsx", "不是 .xlsx 工作簿"),
        (b"", "people.csv", "文件为空"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(org, content, name, message):
    from lms.importing import ImportFileError

    with pytest.raises(ImportFileError) as error:
        read_dataset(content, name=name)
    assert message in str(error.value)


def test_oversized_file_is_refused(org, settings):
    from lms.importing import ImportFileError

    settings.IMPORT_MAX_FILE_SIZE = 100
    with pytest.raises(ImportFileError):
        read_dataset(xlsx_bytes(HEADERS, rows(5)), name="x.xlsx")


# Admin screens --------------------------------------------------------------------------


def test_hr_previews_then_confirms_an_import(client, people, org):
    login(client, people["hr"])
    response = client.post(IMPORT_URL, {"import_file": xlsx_upload(HEADERS, rows(2))})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "新增 2 条" in page
    assert not Employee.objects.filter(number__startswith="QC").exists()
    token = response.context["token"]
    response = client.post(IMPORT_URL, {"confirm": "1", "token": token, "file_format": "xlsx"})
    assert response.status_code == HTTPStatus.FOUND
    assert Employee.objects.filter(number__startswith="QC").count() == 2
    # The same confirmation cannot be replayed.
    response = client.post(IMPORT_URL, {"confirm": "1", "token": token, "file_format": "xlsx"})
    assert response.status_code == HTTPStatus.FOUND
    assert Employee.objects.filter(number__startswith="QC").count() == 2


def test_admin_import_names_the_bad_row(client, people, org):
    data = rows(3)
    data[1][3] = "P99"
    login(client, people["hr"])
    response = client.post(IMPORT_URL, {"import_file": xlsx_upload(HEADERS, data)})
    page = response.content.decode()
    assert "第 3 行" in page and "P99" in page
    assert response.context["token"] is None
    assert not Employee.objects.filter(number__startswith="QC").exists()


@pytest.mark.parametrize("who", ["employee", "manager", "trainer", "coordinator"])
def test_only_hr_may_import(client, people, who):
    login(client, people[who])
    response = client.post(IMPORT_URL, {"import_file": xlsx_upload(HEADERS, rows(1))})
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    assert not Employee.objects.filter(number__startswith="QC").exists()


def test_export_round_trips_and_neutralises_formulae(client, people, org):
    from lms import services

    services.employee_update(employee=people["employee"], name='=HYPERLINK("http://x")')
    login(client, people["hr"])
    response = client.get("/admin/employees/export/xlsx/")
    assert response.status_code == HTTPStatus.OK
    sheet = load_workbook(BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0][:4]) == ["工号", "姓名", "部门编码", "部门"]
    # The name is exported as it is, in a text cell marked quote-prefixed (Excel's own "'"),
    # never as a formula; re-importing the export changes nothing.
    cell = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "E1")[1]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s" and cell.quotePrefix
    report = _import(response.content, dry_run=True)
    assert report.problems == []
    assert report.new == 0 and report.updated == 0


def test_manager_exports_only_their_subtree(client, people):
    login(client, people["manager"])
    response = client.get("/admin/employees/export/csv/")
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode("utf-8-sig")
    assert "E1" in text and "E2" in text
    assert "E3" not in text


def test_employee_cannot_export(client, people):
    login(client, people["employee"])
    response = client.get("/admin/employees/export/csv/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_upload_of_wrong_type_in_admin_shows_reason(client, people):
    login(client, people["hr"])
    upload = SimpleUploadedFile("evil.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(IMPORT_URL, {"import_file": upload})
    assert "不是可导入的表格文件" in response.content.decode()
