"""Benchmark: bulk upsert of 10,000 employees through the REST API against the spreadsheet import.

The same rows go in both ways in one run, each onto an empty staff list (every row new) and then
once more unchanged (the idempotent re-send a nightly sync makes):

* the spreadsheet import: an XLSX file read and imported as HR's admin import does
  (``read_dataset`` + ``run_import`` of ``EmployeeResource``);
* the API: ``POST /api/v1/employees/bulk-upsert`` with the rows as JSON and an API token, through
  Django's whole request stack (middleware, token check, rate limit, schema validation), in process.

Both roads run twice, in opposite orders, each time onto freshly emptied tables; each figure is
the better of its two runs. Prints rows/s for each and the ratio API / import (goal: at least
1×). Uses a throw-away SQLite database unless DATABASE_URL names one (an empty one).

    .venv/bin/python bench/api_upsert.py [--rows 10000]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-api-upsert-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["IMPORT_MAX_ROWS"] = str(max(args.rows, 50_000))
    os.environ["IMPORT_MAX_FILE_SIZE"] = str(200 * 1024 * 1024)
    os.environ["API_MAX_UPSERT_ROWS"] = str(args.rows)
    os.environ["DATA_UPLOAD_MAX_MEMORY_SIZE"] = str(200 * 1024 * 1024)

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from wagtail.models import APIToken

    from lms import services
    from lms.importing import read_dataset, run_import
    from lms.models import Department, Employee
    from lms.resources import EmployeeResource

    call_command("migrate", verbosity=0)
    User = get_user_model()
    root = services.department_create(code="B", name="基准公司", kind=Department.Kind.COMPANY)
    departments = [
        services.department_create(code=f"B-{i:02d}", name=f"供电所{i}", parent=root)
        for i in range(20)
    ]
    positions = [
        services.position_create(code=f"BP{i:02d}", name=f"岗位{i}", category="skilled")
        for i in range(12)
    ]
    hr = User.objects.create_user("bench-hr")
    hr.groups.add(Group.objects.get(name="HR"))
    _token, key = APIToken.create_token(user=hr, name="bench")
    client = Client(headers={"Authorization": f"Bearer {key}"}, HTTP_HOST="localhost")

    columns = ["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态", "手机", "邮箱"]
    fields = ["number", "name", "department", "position", "hire_date", "status", "phone", "email"]
    rows = [
        (
            f"B{n:06d}",
            f"员工{n}",
            departments[n % len(departments)].code,
            positions[n % len(positions)].code,
            "2020-01-01",
            "在职",
            f"139{n:08d}",
            f"b{n}@example.cn",
        )
        for n in range(args.rows)
    ]
    xlsx, body = _files(rows, columns, fields)

    def spreadsheet():
        report = run_import(
            EmployeeResource(acting_user=hr),
            read_dataset(xlsx, name="employees.xlsx"),
            dry_run=False,
            user=hr,
        )
        assert report.ok, report.problems[:5] or report.file_problems
        return report.new, report.unchanged

    def api():
        response = client.post(
            "/api/v1/employees/bulk-upsert", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:500]
        result = response.json()
        return result["created"], result["unchanged"]

    def wipe():
        Employee.objects.all().delete()
        User.objects.exclude(pk=hr.pk).delete()
        if connection.vendor == "postgresql":
            # Each road starts on tables without the dead rows of the road before it.
            with connection.cursor() as cursor:
                for table in ("lms_employee", "auth_user", "auth_user_groups"):
                    cursor.execute(f"VACUUM ANALYZE {table}")

    def timed(fn):
        reset_queries()
        started = time.perf_counter()
        outcome = fn()
        return time.perf_counter() - started, outcome

    # Both roads once before measuring (first imports, caches, the API's schema models), so that
    # neither pays the other's warm-up.
    full = (xlsx, body)
    xlsx, body = _files(rows[:50], columns, fields)
    for fn in (spreadsheet, api):
        wipe()
        fn()
    xlsx, body = full

    # Two rounds in opposite orders (A B, then B A); each figure is the better of its two.
    roads = (("spreadsheet import", spreadsheet), ("API upsert", api))
    figures = {}
    for order in (roads, roads[::-1]):
        for name, fn in order:
            wipe()
            for kind, expected in (("new", (args.rows, 0)), ("unchanged", (0, args.rows))):
                seconds, outcome = timed(fn)
                assert outcome == expected, (name, kind, outcome)
                best = figures.get((name, kind))
                figures[name, kind] = (min(seconds, best[0]) if best else seconds, outcome)
            assert Employee.objects.count() == args.rows

    print(f"database                       {connection.vendor}")
    print(f"rows                           {args.rows}")
    print(f"JSON body                      {len(body) / 1024 / 1024:8.2f} MB")
    print(f"XLSX file                      {len(xlsx) / 1024 / 1024:8.2f} MB")
    for kind in ("new", "unchanged"):
        rates = {}
        for name in ("spreadsheet import", "API upsert"):
            seconds = figures[name, kind][0]
            rates[name] = args.rows / seconds
            print(f"{name + ' (' + kind + ')':30} {seconds:8.2f} s {rates[name]:10.0f} rows/s")
        ratio = rates["API upsert"] / rates["spreadsheet import"]
        print(f"{'ratio API / import (' + kind + ')':30} {ratio:8.2f}×")


def _files(rows, columns, fields):
    """The rows as an XLSX file and as the API's JSON body."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    body = json.dumps({"employees": [dict(zip(fields, row, strict=True)) for row in rows]})
    return buffer.getvalue(), body


if __name__ == "__main__":
    main()
