"""Benchmark: import a generated 20,000-row question XLSX through the admin's resource.

Prints rows/s and peak memory of the import (the question workbook reader and the
django-import-export resource, as the admin and
``manage.py import_questions`` run it) and of a hand-written openpyxl + ``bulk_create`` of the
same questions in the same run, and the ratio between them (goal ≥ 0.7).

    .venv/bin/python bench/import_questions.py [ROWS]

Uses a throw-away SQLite database unless DATABASE_URL is set.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("IMPORT_MAX_ROWS", "100000")
os.environ.setdefault("IMPORT_MAX_FILE_SIZE", str(100 * 1024 * 1024))
_tmp = None
if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from assessments import answers, services  # noqa: E402
from assessments.models import Question, QuestionCategory, QuestionVersion  # noqa: E402
from assessments.resources import COLUMNS, QuestionResource  # noqa: E402
from lms.importing import run_import  # noqa: E402

TYPES = ["单选", "多选", "判断", "填空", "简答", "论述"]
CATEGORIES = [f"安全规程/第{i}章" for i in range(1, 13)]


def generate(rows: int) -> bytes:
    workbook = Workbook()  # a normal workbook records its dimensions, as Excel's do
    sheet = workbook.active
    sheet.append(COLUMNS)
    for i in range(rows):
        kind = TYPES[i % len(TYPES)]
        options = ["停电", "验电", "装设接地线", "悬挂标示牌"] if kind in ("单选", "多选") else []
        answer = {"单选": "A", "多选": "ABD", "判断": "对", "填空": "欧姆/Ω|伏特", "简答": "停电,验电",  # noqa: E501
                  "论述": ""}[kind]  # fmt: skip
        sheet.append(
            [kind, f"第{i + 1}题：在电气设备上工作，保证安全的技术措施是什么？",
             *options, *[""] * (8 - len(options)), answer, "依据《安规》第4章。",
             (i % 5) + 1, CATEGORIES[i % len(CATEGORIES)], "安全措施，技术措施", 2]
        )  # fmt: skip
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_memory(fn) -> int:
    """Peak Python memory of a run (a separate run: tracing slows everything down)."""
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def via_resource(content: bytes):
    dataset = QuestionResource.read_upload(content, name="bench.xlsx")
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert report.ok, report.problems[:3]
    return report.new


def hand_written(content: bytes):
    sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).active
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h) for h in next(rows)]
    cache = {}
    questions = []
    for values in rows:
        row = dict(zip(headers, values, strict=False))
        kind = answers.parse_type(row["题型"])
        options = [row[f"选项{c}"] for c in "ABCDEFGH" if row[f"选项{c}"]]
        questions.append(
            Question(
                type=kind,
                stem=services.text_to_rich_text(row["题干"]),
                options=options,
                answer=answers.parse_answer(kind, row["答案"], len(options)),
                explanation=row["解析"] or "",
                difficulty=answers.parse_difficulty(row["难度"]),
                category=services.category_for_path(row["分类"], cache=cache),
                knowledge_points=answers.parse_knowledge_points(row["知识点"]),
                points=answers.parse_points(row["分值"]),
            )
        )
    created = Question.objects.bulk_create(questions, batch_size=1000)
    QuestionVersion.objects.bulk_create(
        [QuestionVersion(question=q, number=1, content=q.content()) for q in created],
        batch_size=1000,
    )
    return len(created)


def reset():
    QuestionVersion.objects.all().delete()
    Question.objects.all().delete()
    QuestionCategory.objects.all().delete()


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    call_command("migrate", verbosity=0)
    reset()
    content = generate(rows)
    print(f"generated {rows} rows, {len(content) / 1024 / 1024:.1f} MB XLSX")
    count, resource_s = timed(lambda: via_resource(content))
    assert count == rows
    reset()
    count, hand_s = timed(lambda: hand_written(content))
    assert count == rows
    reset()
    resource_peak = peak_memory(lambda: via_resource(content))
    reset()
    hand_peak = peak_memory(lambda: hand_written(content))
    reset()
    resource_rate, hand_rate = rows / resource_s, rows / hand_s
    print(f"resource import : {resource_rate:8.0f} rows/s  peak {resource_peak / 2**20:6.1f} MiB")
    print(f"bulk_create     : {hand_rate:8.0f} rows/s  peak {hand_peak / 2**20:6.1f} MiB")
    print(f"ratio           : {resource_rate / hand_rate:.2f} (goal ≥ 0.7)")


if __name__ == "__main__":
    main()
