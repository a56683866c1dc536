"""The HR system's staff file (lms.hr_sync): read from a drop folder or a URL on a schedule,
a dry-run diff HR reads in the admin, then applied all-or-nothing with leavers marked as left."""

import http.server
import os
import threading
import time
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms import audit
from lms.hr_sync import HrSyncError, hr_sync_apply, hr_sync_check, hr_sync_propose
from lms.models import BackgroundJob, Employee, HrSyncRun
from tests.conftest import login
from tests.factories.spreadsheets import xlsx_bytes

HEADERS = ["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态", "手机", "邮箱"]


def staff_rows(*, without=(), renamed=None, extra=()):
    """Everyone now on the staff list (as the HR system would list them), with changes."""
    rows = []
    for e in Employee.objects.select_related("department", "position").order_by("number"):
        if e.number in without:
            continue
        name = (renamed or {}).get(e.number, e.name)
        rows.append([e.number, name, e.department.code, e.position.code, "", "在职", "", ""])
    return rows + [list(row) for row in extra]


def csv_bytes(rows, encoding="utf-8-sig"):
    lines = [",".join(HEADERS)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def drop(settings, tmp_path):
    folder = tmp_path / "hr-drop"
    folder.mkdir()
    settings.HR_SYNC_SOURCE = str(folder)
    return folder


def put(folder, name, content, age=0):
    path = folder / name
    path.write_bytes(content)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


NEW_ROW = ["N100", "新员工", "C-A-1", "POS-1", "2026-03-01", "在职", "13800000000", ""]


def test_a_new_file_is_read_without_saving_and_shows_its_diff(people, drop):
    rows = staff_rows(without={"E3"}, renamed={"E1": "改名甲"}, extra=[NEW_ROW])
    put(drop, "staff.csv", csv_bytes(rows, encoding="gb18030"))  # as Excel in China saves CSV
    assert "staff.csv" in hr_sync_check()
    run = HrSyncRun.objects.get()
    assert run.status == HrSyncRun.Status.PROPOSED
    assert run.changes == {"created": ["N100"], "updated": ["E1"], "deactivated": ["E3"]}
    # Nothing saved yet.
    assert not Employee.objects.filter(number="N100").exists()
    assert Employee.objects.get(number="E1").name == "员工甲"
    assert Employee.objects.get(number="E3").status == Employee.Status.ACTIVE
    assert not ModelLogEntry.objects.filter(action=audit.EMPLOYEES_SYNCED).exists()


def test_applying_saves_it_all_marks_leavers_and_leaves_one_audit_entry(people, drop):
    put(drop, "staff.csv", csv_bytes(staff_rows(without={"E3"}, extra=[NEW_ROW])))
    hr_sync_check()
    run = hr_sync_apply(run=HrSyncRun.objects.get(), acting_user=people["hr"].user)
    assert run.status == HrSyncRun.Status.APPLIED and run.applied_by == people["hr"].user
    assert Employee.objects.get(number="N100").user.is_active
    leaver = Employee.objects.select_related("user").get(number="E3")
    assert leaver.status == Employee.Status.LEFT and not leaver.user.is_active
    (entry,) = ModelLogEntry.objects.filter(action=audit.EMPLOYEES_SYNCED)
    assert entry.data["reason"] == "staff.csv" and entry.data["after"]["deactivated"] == 1
    with pytest.raises(HrSyncError):
        hr_sync_apply(run=run, acting_user=people["hr"].user)


def test_an_unchanged_file_is_not_read_twice_and_a_newer_one_supersedes(people, drop):
    put(drop, "staff-0101.csv", csv_bytes(staff_rows(extra=[NEW_ROW])), age=60)
    hr_sync_check()
    assert "not changed" in hr_sync_check() or "没有变化" in hr_sync_check()
    assert HrSyncRun.objects.count() == 1
    put(drop, "staff-0102.xlsx", xlsx_bytes(HEADERS, staff_rows(without={"V1"})))
    hr_sync_check()
    older, newer = HrSyncRun.objects.order_by("pk")
    assert older.status == HrSyncRun.Status.SUPERSEDED
    assert newer.file_name == "staff-0102.xlsx" and newer.changes["deactivated"] == ["V1"]


def test_a_file_with_bad_rows_changes_nothing_and_names_them(people, drop):
    bad = ["N101", "坏行", "NOPE", "POS-1", "2026-02-30", "在职", "", ""]
    put(drop, "staff.csv", csv_bytes(staff_rows(extra=[NEW_ROW, bad])))
    hr_sync_check()
    run = HrSyncRun.objects.get()
    assert run.status == HrSyncRun.Status.REFUSED
    row = len(staff_rows()) + 3  # the header, the staff, the new row, then the bad one
    assert len(run.problems) == 1 and f"第 {row} 行" in run.problems[0]
    assert "部门编码" in run.problems[0] and "入职日期" in run.problems[0]
    with pytest.raises(HrSyncError):
        hr_sync_apply(run=run)
    assert not Employee.objects.filter(number="N100").exists()


def test_a_file_that_became_wrong_since_its_dry_run_is_refused_whole(people, drop):
    from lms import services

    put(drop, "staff.csv", csv_bytes(staff_rows(extra=[NEW_ROW])))
    hr_sync_check()
    # Meanwhile an administrator account took the new employee's number as its sign-in name.
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("N100")
    services.employee_update(employee=people["colleague"], name="别的改动")
    run = hr_sync_apply(run=HrSyncRun.objects.get())
    assert run.status == HrSyncRun.Status.REFUSED and "N100" in run.problems[0]
    assert Employee.objects.get(number="E2").name == "别的改动"


def test_no_source_no_file_and_a_missing_folder(
    settings, people, tmp_path, django_capture_on_commit_callbacks
):
    settings.HR_SYNC_SOURCE = ""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--now", "lms.hr_sync", stdout=StringIO())
    assert not BackgroundJob.objects.filter(kind="lms.hr_sync").exists()
    settings.HR_SYNC_SOURCE = str(tmp_path)
    assert hr_sync_check()  # an empty folder: nothing to read, said so
    assert not HrSyncRun.objects.exists()
    settings.HR_SYNC_SOURCE = str(tmp_path / "missing")
    with pytest.raises(HrSyncError):
        hr_sync_check()


def test_the_scheduled_job_reports_what_it_did(people, drop, django_capture_on_commit_callbacks):
    put(drop, "staff.csv", csv_bytes(staff_rows(extra=[NEW_ROW])))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--now", "lms.hr_sync", stdout=StringIO())
    job = BackgroundJob.objects.get(kind="lms.hr_sync")
    assert job.status == BackgroundJob.Status.DONE and "staff.csv" in job.message


class StaffFileHandler(http.server.BaseHTTPRequestHandler):
    content = b""

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(self.content)

    def log_message(self, *args):
        pass


@pytest.fixture
def hr_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), StaffFileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_from_a_url_with_auto_apply(settings, people, hr_server):
    StaffFileHandler.content = csv_bytes(staff_rows(without={"E2"}, extra=[NEW_ROW]))
    settings.HR_SYNC_SOURCE = f"http://127.0.0.1:{hr_server.server_port}/export/staff"
    settings.HR_SYNC_AUTO_APPLY = True
    hr_sync_check()
    run = HrSyncRun.objects.get()
    assert run.status == HrSyncRun.Status.APPLIED and run.applied_by is None
    assert Employee.objects.get(number="E2").status == Employee.Status.LEFT
    settings.HR_SYNC_SOURCE = "http://127.0.0.1:1/nothing-listens-here.csv"
    settings.HR_SYNC_TIMEOUT_SECONDS = 2
    with pytest.raises(HrSyncError):
        hr_sync_check()


# --- the admin screens ----------------------------------------------------------------------


def test_hr_reads_the_diff_and_applies_it_in_the_admin(client, people, drop):
    put(drop, "staff.csv", csv_bytes(staff_rows(without={"E3"}, extra=[NEW_ROW])))
    hr_sync_check()
    run = HrSyncRun.objects.get()
    login(client, people["hr"])
    page = client.get(reverse("lms_hr_sync:detail", args=[run.pk])).content.decode()
    assert "N100" in page and "E3" in page and "staff.csv" in page
    response = client.post(reverse("lms_hr_sync:apply", args=[run.pk]))
    assert response.status_code == HTTPStatus.FOUND
    run.refresh_from_db()
    assert run.status == HrSyncRun.Status.APPLIED
    listing = client.get(reverse("lms_hr_sync:index")).content.decode()
    assert "staff.csv" in listing


def test_other_roles_cannot_see_or_apply_staff_files(client, people, drop):
    put(drop, "staff.csv", csv_bytes(staff_rows(extra=[NEW_ROW])))
    hr_sync_check()
    run = HrSyncRun.objects.get()
    login(client, people["manager"])
    response = client.get(reverse("lms_hr_sync:index"))
    # Wagtail answers a refusal in the admin with a redirect to the admin's home.
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/admin/"
    response = client.post(reverse("lms_hr_sync:apply", args=[run.pk]))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    run.refresh_from_db()
    assert run.status == HrSyncRun.Status.PROPOSED


@pytest.mark.parametrize("count", [2, 20])
def test_index_query_count(client, people, django_assert_num_queries, count):
    from tests.conftest import with_session

    for n in range(count):
        hr_sync_propose(name=f"staff-{n}.csv", content=csv_bytes([NEW_ROW]), source="test")
    login(client, people["hr"])
    url = reverse("lms_hr_sync:index")
    client.get(url)
    with django_assert_num_queries(with_session(QUERIES)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('data-status="') == count


# The user comes from the cache (lms.auth). The admin's permission checks (2), the roles (1),
# the count and the page (2), the menu's furniture (the reader's profile, locales, page and
# collection permissions: 4).
QUERIES = 7
