"""Benchmark: calculate an appraisal period for 10,000 employees × 20 indicators.

    .venv/bin/python bench/appraisal.py [--employees 10000] [--indicators 20]

Builds a throw-away SQLite database (or uses DATABASE_URL), fills it in bulk, then times
``careers.services.appraisal_period_calculate`` and counts its queries. It runs the calculation
again at a tenth of the employees to show that the query count does not depend on head count.
Goal: ≤ 10 s for 10,000 × 20 on a laptop.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path):
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(employees, indicator_count):
    import datetime
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from careers import services
    from careers.bulk import json_insert
    from careers.models import Indicator, IndicatorCategory, IndicatorValue, Subject
    from lms.models import Department, Employee, Position

    User = get_user_model()
    rng = random.Random(7)
    root = Department.add_root(code=f"B{time.time_ns()}", name="公司", kind="company")
    teams = [root.add_child(code=f"{root.code}-{i}", name=f"班组{i}") for i in range(100)]
    position = Position.objects.create(
        code=f"P{time.time_ns()}", name="配电线路工", category="skilled"
    )
    prefix = root.code
    User.objects.bulk_create(
        [User(username=f"{prefix}-{n}", password="!") for n in range(employees)], batch_size=900
    )
    users = dict(
        User.objects.filter(username__startswith=f"{prefix}-").values_list("username", "pk")
    )
    Employee.objects.bulk_create(
        [
            Employee(
                user_id=users[f"{prefix}-{n}"],
                number=f"{prefix}-{n}",
                name=f"员工{n}",
                department=teams[n % len(teams)],
                position=position,
            )
            for n in range(employees)
        ],
        batch_size=500,
    )
    system = services.indicator_system_create(name=f"考核办法{prefix}")
    categories = list(IndicatorCategory.values)
    rules = [
        Indicator.Rule.LINEAR,
        Indicator.Rule.PASS_FAIL,
        Indicator.Rule.DEDUCTION,
        Indicator.Rule.DIRECT,
    ]
    indicators = []
    for i in range(indicator_count):
        rule = rules[i % 4]
        indicators.append(
            services.indicator_create(
                system=system,
                code=f"K{i:02d}",
                name=f"指标{i}",
                category=categories[i % len(categories)],
                subject=Subject.EMPLOYEE,
                weight=Decimal(100) / indicator_count,
                rule=rule,
                threshold_low=Decimal(60) if rule == "linear" else None,
                threshold_high=Decimal(100) if rule == "linear" else None,
                target=Decimal(90) if rule == "pass_fail" else None,
                deduction_per_occurrence=Decimal(10) if rule == "deduction" else None,
            )
        )
    services.indicator_system_activate(system=system)
    period = services.appraisal_period_create(
        name=f"2026年第三季度 {prefix}",
        system=system,
        kind="quarter",
        start=datetime.date(2026, 7, 1),
        end=datetime.date(2026, 9, 30),
    )
    ids = list(
        Employee.objects.filter(number__startswith=f"{prefix}-").values_list("pk", flat=True)
    )
    now = datetime.datetime.now(datetime.UTC)
    json_insert(
        IndicatorValue,
        [
            {
                "period_id": period.pk,
                "indicator_id": indicator.pk,
                "employee_id": pk,
                "department_id": None,
                "value": Decimal(rng.randrange(0, 1000)) / 10,
                "source": "import",
                "records": [["导入", ""]],
                "note": "",
                "updated_at": now,
            }
            for indicator in indicators
            for pk in ids
        ],
    )
    return period


def measure(period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from careers import services

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        summary = services.appraisal_period_calculate(period=period)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from lms.models import Employee

        small = max(1, args.employees // 10)
        period = build(small, args.indicators)
        small_time, small_queries, _ = measure(period)
        Employee.objects.all().update(status="left")  # only the big company is appraised next
        period = build(args.employees, args.indicators)
        elapsed, count, summary = measure(period)
        print(
            f"employees: {args.employees}, indicators: {args.indicators}, "
            f"values: {args.employees * args.indicators}"
        )
        print(f"calculation: {elapsed:.2f} s, {count} queries, {summary.results} results")
        print(f"at {small} employees: {small_time:.2f} s, {small_queries} queries")
        print("query count independent of head count:", "yes" if count == small_queries else "NO")
        print("goal ≤ 10 s:", "met" if elapsed <= 10 else "MISSED")


if __name__ == "__main__":
    main()
