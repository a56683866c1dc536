"""Benchmark: render certificate PDFs (Chinese text, QR code) and print p50/p95 (goal p95 ≤ 0.5 s).

    .venv/bin/python bench/pdf.py [COUNT]

Uses a throw-away SQLite database unless DATABASE_URL is set.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
os.environ.setdefault("DEBUG", "1")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-pdf-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import services  # noqa: E402
from assessments.certificates import certificate_pdf  # noqa: E402
from assessments.models import Certificate  # noqa: E402
from lms import services as lms_services  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    call_command("migrate", verbosity=0)
    department = lms_services.department_create(code="BENCH", name="青川县供电公司")
    position = lms_services.position_create(code="BENCH", name="配电线路工", category="skilled")
    employee = lms_services.employee_create(
        number="BENCH1", name="王小明", department=department, position=position
    )
    category = services.category_for_path("安规/通用")
    question = services.question_create(
        category=category, type="truefalse", stem="<p>可以约时停送电。</p>", answer=False
    )
    exam = services.exam_create(
        title="2026年度《电力安全工作规程》考试",
        questions=[question],
        certificate_title="电力安全工作规程考试合格证",
        certificate_valid_months=12,
    )
    certificate = Certificate.objects.create(
        employee=employee,
        exam=exam,
        title=exam.certificate_title,
        issued_on=timezone.localdate(),
        expires_on=services.add_months(timezone.localdate(), 12),
        score=96,
    )
    certificate_pdf(certificate)  # warm up fonts and templates
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        pdf = certificate_pdf(certificate)
        timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"certificates rendered: {count}, size {len(pdf) / 1024:.0f} KiB")
    print(f"p50 {statistics.median(timings):.3f} s   p95 {p95:.3f} s   (goal p95 ≤ 0.5 s)")


if __name__ == "__main__":
    main()
