"""Benchmark: import 10,000 employees from XLSX through the admin's resource.

Prints rows/s for the import (parse + validate + write, all-or-nothing) and for a hand-written
bulk_create of the same rows in the same run, and their ratio. Uses a throw-away SQLite database
unless DATABASE_URL is set.

    .venv/bin/python bench/import_employees.py [--rows 10000]
"""

import argparse
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

    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["IMPORT_MAX_ROWS"] = str(max(args.rows, 50_000))
    os.environ["IMPORT_MAX_FILE_SIZE"] = str(200 * 1024 * 1024)

    import django

    django.setup()
    from io import BytesIO

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction
    from openpyxl import Workbook

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
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态", "手机", "邮箱"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    started = time.perf_counter()
    dataset = read_dataset(content, name="employees.xlsx")
    report = run_import(EmployeeResource(), dataset, dry_run=False)
    import_seconds = time.perf_counter() - started
    assert report.ok, report.problems[:5] or report.file_problems
    assert Employee.objects.count() == args.rows

    Employee.objects.all().delete()
    User.objects.all().delete()

    by_code = {d.code: d for d in departments} | {}
    position_by_code = {p.code: p for p in positions}
    group = Group.objects.get(name="Employee")
    started = time.perf_counter()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=r[0], first_name=r[1], email=r[7], password=make_password(None))
                for r in rows
            ],
            batch_size=1000,
        )
        Employee.objects.bulk_create(
            [
                Employee(
                    user=user,
                    number=r[0],
                    name=r[1],
                    department=by_code[r[2]],
                    position=position_by_code[r[3]],
                    hire_date="2020-01-01",
                    phone=r[6],
                    email=r[7],
                )
                for user, r in zip(users, rows, strict=True)
            ],
            batch_size=1000,
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=1000
        )
    bulk_seconds = time.perf_counter() - started

    engine = django.db.connection.vendor
    import_rate = args.rows / import_seconds
    bulk_rate = args.rows / bulk_seconds
    print(f"database            {engine}")
    print(f"rows                {args.rows}")
    print(f"import (resource)   {import_seconds:8.2f} s   {import_rate:10.0f} rows/s")
    print(f"bulk_create (hand)  {bulk_seconds:8.2f} s   {bulk_rate:10.0f} rows/s")
    print(f"ratio import/bulk   {import_rate / bulk_rate:8.2f}")


if __name__ == "__main__":
    main()
