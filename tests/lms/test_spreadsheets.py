"""No export of the project lets a spreadsheet program run a cell as a formula.

Every XLSX and CSV export is fed hostile names (``=HYPERLINK(…)``, ``+1+1``, ``-2``,
``@SUM(A1)``, a leading tab, a leading carriage return) and the file is opened the way a reader
would: an XLSX must hold no formula cell and mark every formula-like text quote-prefixed; a CSV
must hold no cell that begins with a formula character (it begins with an apostrophe instead).
"""

import csv
import datetime
import re
from decimal import Decimal
from html import unescape
from http import HTTPStatus
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail import hooks

from lms import services as lms_services
from lms.importing import read_dataset, run_import
from lms.resources import EmployeeResource
from lms.spreadsheets import (
    DANGEROUS_PREFIXES,
    csv_bytes,
    is_dangerous,
    safe_cell,
    unescape_cell,
    xlsx_bytes,
)
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import careers as carf
from tests.factories import courses as cf

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
# The services trim names, so a leading tab or carriage return never reaches a stored name; the
# writer tests below cover those two.
STORED = HOSTILE[:4]


def formula_risks(content: bytes, file_format: str) -> list:
    """Every cell a spreadsheet program could run: formulas, and formula-like unescaped text."""
    risks = []
    if file_format == "xlsx":
        book = load_workbook(BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        risks.append((sheet.title, cell.coordinate, cell.value, "formula"))
                    elif is_dangerous(cell.value) and not cell.quotePrefix:
                        risks.append((sheet.title, cell.coordinate, cell.value, "unescaped"))
    else:
        for number, row in enumerate(csv.reader(StringIO(content.decode("utf-8-sig"))), 1):
            for value in row:
                if value.startswith(DANGEROUS_PREFIXES):
                    risks.append((number, value))
    return risks


def texts(content: bytes, file_format: str) -> set:
    """Every text value as the reader sees it (CSV escapes removed), to prove the data is there."""
    if file_format == "xlsx":
        book = load_workbook(BytesIO(content))
        return {
            cell.value
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        }
    rows = csv.reader(StringIO(content.decode("utf-8-sig")))
    return {unescape_cell(value) for row in rows for value in row}


def assert_neutralised(response, file_format, expected):
    assert response.status_code == HTTPStatus.OK, response
    content = response.content
    assert formula_risks(content, file_format) == []
    missing = set(expected) - texts(content, file_format)
    assert not missing, f"hostile values not exported at all: {missing}"


# --- the helper itself --------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_escapes_and_unescape_restores(value):
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["王小明", "a=b", "'quoted", "", None, -2, Decimal("-1.5"), 3.0])
def test_safe_cell_leaves_harmless_values_alone(value):
    assert safe_cell(value) == value
    assert unescape_cell(value) == value


def test_xlsx_writer_keeps_text_text_and_numbers_numbers():
    content = xlsx_bytes(["名称", "数值"], [[name, -2] for name in HOSTILE] + [["\x01bad", 1]])
    assert formula_risks(content, "xlsx") == []
    sheet = load_workbook(BytesIO(content)).active
    values = list(sheet.values)
    # The data itself is unchanged (XML reads a carriage return back as a line feed).
    assert [row[0] for row in values[1:-1]] == [name.replace("\r", "\n") for name in HOSTILE]
    assert values[-1][0] == "\N{REPLACEMENT CHARACTER}bad"  # XLSX cannot hold control characters
    assert all(row[1] in (-2, 1) for row in values[1:])


def test_csv_writer_escapes_and_the_importer_reads_it_back():
    content = csv_bytes(["名称"], [[name] for name in HOSTILE])
    assert content.startswith("\ufeff".encode())
    assert formula_risks(content, "csv") == []
    dataset = read_dataset(content, name="x.csv")
    # The importer trims white space, so "\tx" and "\rx" come back as "x" like any typed cell.
    assert dataset["名称"] == [value.strip() for value in HOSTILE]


def test_every_export_goes_through_lms_spreadsheets():
    """A new hand-written writer would bypass the neutralisation: none may exist."""
    root = Path(__file__).resolve().parents[2]
    allowed = {root / "lms" / "spreadsheets.py"}
    pattern = re.compile(
        r"csv\.writer|csv\.DictWriter|Workbook\(|\.export\(\s*[\"'](xlsx|csv)|export_set\("
        r"|from openpyxl import Workbook"
    )
    offenders = []
    for app in ("lms", "courses", "assessments", "drills", "careers"):
        for path in (root / app).rglob("*.py"):
            if path in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


# --- every export ------------------------------------------------------------------------------


@pytest.fixture
def hostile(people, company):
    """Employees and departments named like formulas (set through the services)."""
    for key, name in zip(
        ("employee", "colleague", "outsider", "manager", "other_manager", "evaluator"),
        HOSTILE,
        strict=True,
    ):
        lms_services.employee_update(employee=people[key], name=name)
    lms_services.department_update(department=company["team_a"], name="=1+2")
    lms_services.department_update(department=company["team_b"], name="@A1")
    for person in people.values():
        person.refresh_from_db()
    return people


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_employee_export(client, hostile, file_format):
    login(client, hostile["hr"])
    response = client.get(reverse("employees:export", args=[file_format]))
    assert_neutralised(response, file_format, [*STORED, "=1+2", "@A1"])
    # … and it re-imports to the same names: nothing to change.
    report = run_import(
        EmployeeResource(), read_dataset(response.content, name=f"x.{file_format}"), dry_run=True
    )
    assert report.ok, report.problems
    assert report.new == 0 and report.updated == 0


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_attendance_and_completion_exports(client, hostile, file_format):
    from courses import services as course_services

    course = cf.course(title="客户沟通技巧", code="KC01", lessons=1)
    session = cf.past_session(course=course, trainer=hostile["trainer"])
    for key in ("employee", "colleague"):
        course_services.enrollment_create(session=session, employee=hostile[key])
        course_services.completion_record(
            employee=hostile[key], course=course, completed_on=timezone.localdate(),
            source="external", provider="+86 provider",
        )  # fmt: skip
    course_services.attendance_record(session=session, present_ids=[hostile["employee"].pk])
    login(client, hostile["hr"])
    response = client.get(reverse("training_sessions:export", args=[file_format]))
    assert_neutralised(response, file_format, HOSTILE[:2])
    response = client.get(reverse("training_completions:export", args=[file_format]))
    assert_neutralised(response, file_format, [*HOSTILE[:2], "+86 provider", "=1+2"])


def test_training_plan_export(client, hostile, company):
    from courses.models import PlanItem, TrainingPlanPage

    course = cf.course(title="客户沟通技巧", code="KC01", lessons=1)
    plan = TrainingPlanPage(
        title="2026年度培训计划",
        year=2026,
        department=company["root"],
        items=[
            PlanItem(title=title, course=course, method="internal", planned_month=3, hours=4)
            for title in HOSTILE[:4]
        ],
    )
    cf.plan_index().add_child(instance=plan)
    login(client, hostile["trainer"])
    response = client.get(reverse("courses_plan_export", args=[plan.pk]))
    assert_neutralised(response, "xlsx", STORED)


HOSTILE_QUESTIONS = [
    {"type": "single", "stem": "<p>=HYPERLINK(\"http://x\",\"y\")</p>",
     "options": ["+1+1", "-2", "@SUM(A1)", "普通"], "answer": ["B"]},
    {"type": "fill", "stem": "<p>-40 ℃ 时 SF6 断路器的闭锁压力是多少？</p>",
     "answer": [["-0.5", "=0.5"]], "explanation": "@见规程"},
]  # fmt: skip


def _hostile_questions():
    return [
        af.question(
            type=q["type"], stem=q["stem"], options=q.get("options", []), answer=q["answer"],
            explanation=q.get("explanation", ""),
        )
        for q in HOSTILE_QUESTIONS
    ]  # fmt: skip


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_question_bank_export_is_safe_and_round_trips(client, people, file_format):
    from assessments.models import Question
    from assessments.resources import QuestionResource

    _hostile_questions()
    login(client, people["trainer"])
    response = client.get(reverse("questions:export", args=[file_format]))
    assert_neutralised(
        response, file_format, ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "@见规程"]
    )
    before = {q.pk: q for q in Question.objects.all()}
    report = run_import(
        QuestionResource(), read_dataset(response.content, name=f"q.{file_format}"), dry_run=False
    )
    assert report.ok, report.problems
    copies = Question.objects.exclude(pk__in=before).order_by("pk")
    originals = sorted(before.values(), key=lambda q: q.pk)

    def seen(q):
        return (q.type, unescape(q.stem_text), q.options, q.answer, q.explanation)

    assert [seen(q) for q in copies] == [seen(q) for q in originals]


def test_exam_result_and_response_exports(client, hostile):
    from assessments import services as exam_services

    questions = _hostile_questions()
    exam = af.exam(questions=questions, audience=[hostile["employee"]], title="+考试")
    attempt = exam_services.attempt_start(exam=exam, employee=hostile["employee"])
    items = list(attempt.items.order_by("position"))
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[
            {"item": items[0].pk, "response": ["A"], "seq": 1},
            {"item": items[1].pk, "response": ["=cmd|' /C calc'!A0"], "seq": 1},
        ],
    )
    exam_services.attempt_submit(attempt=attempt)
    login(client, hostile["trainer"])
    response = client.get(reverse("assessments:exam_export", args=[exam.pk, "results"]))
    assert_neutralised(response, "xlsx", [HOSTILE[0], "=1+2", "+考试"])
    response = client.get(reverse("assessments:exam_export", args=[exam.pk, "responses"]))
    assert_neutralised(response, "xlsx", [HOSTILE[0], "=cmd|' /C calc'!A0"])


def test_team_qualification_export(client, hostile):
    from assessments.models import QualificationRule

    QualificationRule.objects.create(name="+年度安规考试", valid_months=12, expiring_days=30)
    login(client, hostile["hr"])
    response = client.get(reverse("assessments:team_qualifications") + "?format=xlsx")
    assert_neutralised(response, "xlsx", [HOSTILE[0], "+年度安规考试", "=1+2"])


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_indicator_value_and_result_exports(client, hostile, company, file_format):
    from careers import services as career_services

    period = carf.period(name="=2026Q3")
    carf.value(period=period, code="KPI-TRAIN", value="85", employee=hostile["employee"])
    carf.value(period=period, code="KPI-TRAIN", value="90", employee=hostile["colleague"])
    carf.value(period=period, code="KPI-RELIAB", value="99.95", department=company["branch"])
    career_services.appraisal_period_calculate(period=period)
    login(client, hostile["hr"])
    response = client.get(reverse("careers_values:export", args=[file_format]))
    assert_neutralised(response, file_format, ["=2026Q3", *HOSTILE[:2]])
    response = client.get(reverse("careers_results:export", args=[file_format]))
    assert_neutralised(response, file_format, ["=2026Q3", *HOSTILE[:2]])


FIGURES = ["training-compliance", "exam-pass-rates", "qualification-status", "drill-scores"]


@pytest.mark.parametrize("name", ["grades", "rectifications", "sources", *FIGURES])
def test_dashboard_exports(client, hostile, company, name):
    from careers import services as career_services
    from courses import services as course_services
    from lms.hooks import APPRAISAL_INDICATOR_SOURCE_HOOK, IndicatorReading, IndicatorSource

    period = carf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    career_services.indicator_values_import(
        period=period, rows=[(indicator, hostile["employee"].pk, None, Decimal(70), "")]
    )
    career_services.appraisal_period_calculate(period=period)
    career_services.recognition_create(
        period=period, kind="rectification", employee=hostile["employee"],
        title="=HYPERLINK(\"http://x\",\"整改\")", deadline=datetime.date(2020, 1, 31),
    )  # fmt: skip
    course = cf.course(lessons=0)
    course_services.assignment_create(
        employee=hostile["employee"], course=course, due_on=timezone.localdate()
    )

    def source():
        return IndicatorSource(
            key="fuzz.source", label="-来源", subject="employee",
            compute=lambda start, end, ids: {pk: IndicatorReading(Decimal(1)) for pk in ids},
        )  # fmt: skip

    # The figures share one writer; training-compliance has rows for the hostile department, the
    # others (exams, qualifications, drills) have no data here and are checked for safety only.
    expected = {
        "grades": ["=1+2"],
        "rectifications": [HOSTILE[0], '=HYPERLINK("http://x","整改")', "=1+2"],
        "sources": ["-来源"],
        "training-compliance": ["=1+2"],
    }.get(name, [])
    login(client, hostile["hr"])
    with hooks.register_temporarily(APPRAISAL_INDICATOR_SOURCE_HOOK, source):
        response = client.get(reverse("careers:dashboard_export", args=[name]))
    assert_neutralised(response, "xlsx", expected)


def test_an_unprotected_writer_would_fail_these_checks():
    """The checks above can fail: a plain openpyxl/tablib export of the same names is caught."""
    import tablib

    dataset = tablib.Dataset(*[[name] for name in HOSTILE], headers=["名称"])
    assert formula_risks(dataset.export("xlsx"), "xlsx")
    assert formula_risks(dataset.export("csv").encode(), "csv")
