"""Benchmark: render a 300-record training archive (一人一档) to PDF; print pages per second.
With ``--department N`` it then builds a department's zip of N archives (``--department-records``
records each) the way HR's background job does, and prints its time.

.venv/bin/python bench/archive_pdf.py [--records 300] [--runs 3] [--department 300]
"""

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--department", type=int, default=0, help="archives in the zip run")
    parser.add_argument("--department-records", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        os.environ.setdefault("DEBUG", "1")
        # The zip job runs here, in this process, as one task worker would run it.
        os.environ.setdefault("TASK_BACKEND", "immediate")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from pypdf import PdfReader
        from wagtail import hooks

        from careers.archive import archive_pdf
        from lms import services
        from lms.hooks import ARCHIVE_SOURCE_HOOK, ArchiveEntry

        call_command("migrate", verbosity=0, interactive=False)
        department = services.department_create(code="QC-CG", name="城关供电所")
        position = services.position_create(code="P12", name="配电线路工", category="skilled")
        employee = services.employee_create(
            number="QC1001", name="王小明", department=department, position=position
        )
        categories = ["training", "attendance", "exam", "certificate", "drill", "rotation"]

        def source(employee, *, year=None):
            records = args.records if employee.number == "QC1001" else args.department_records
            return [
                ArchiveEntry(
                    date=datetime.date(2020 + n % 7, 1 + n % 12, 1 + n % 28),
                    category=categories[n % len(categories)],
                    title=f"《电力安全工作规程》配电部分培训 第{n + 1}期",
                    detail="城关供电所 · 集中培训 · 考试合格",
                    hours=Decimal(4),
                    score=Decimal(80 + n % 20),
                    url=f"/learning/c/{n}/",
                    source="bench",
                )
                for n in range(records)
            ]

        with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, source):
            archive_pdf(employee)  # warm up fonts
            timings, pages = [], 0
            for _ in range(args.runs):
                started = time.perf_counter()
                pdf = archive_pdf(employee)
                timings.append(time.perf_counter() - started)
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
        best = min(timings)
        # This VM's speed drifts by half within minutes: a fixed piece of pure Python beside
        # the figure tells how fast the machine was.
        reference = min(_reference() for _ in range(5))
        print(f"reference loop: {reference * 1000:.0f} ms")
        print(f"records: {args.records}, pages: {pages}, PDF size: {len(pdf) // 1024} KiB")
        print(
            f"render: best {best:.2f} s of {args.runs} runs → {pages / best:.1f} pages per second"
        )
        if args.department:
            department_zip(args, department, position, services, source)


def _reference() -> float:
    started = time.process_time()
    sum(i * i for i in range(1_000_000))
    return time.process_time() - started


def department_zip(args, department, position, services, source):
    """The department zip as HR starts it: one background job rendering every archive."""
    import zipfile

    from django.db import transaction
    from wagtail import hooks

    from careers.tasks import build_department_archive_zip
    from lms.hooks import ARCHIVE_SOURCE_HOOK
    from lms.jobs import job_start
    from lms.models import BackgroundJob

    for n in range(1, args.department):
        services.employee_create(
            number=f"QC{2000 + n}", name=f"职工{n}", department=department, position=position
        )
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, source):
        started = time.perf_counter()
        with transaction.atomic():  # the task runs on commit, on the configured backend
            job = job_start(
                kind="archive_zip",
                task=build_department_archive_zip,
                params={"department_id": department.pk, "year": None},
            )
        elapsed = time.perf_counter() - started
    job = BackgroundJob.objects.get(pk=job.pk)
    with job.result.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        members = len(archive.namelist())
        size = sum(info.file_size for info in archive.infolist())
    print(
        f"department zip: {members} archives ({args.department_records} records each), "
        f"{size // 1024} KiB of PDF, job {job.status} in {elapsed:.1f} s "
        f"({members / elapsed:.1f} archives per second)"
    )


if __name__ == "__main__":
    main()
