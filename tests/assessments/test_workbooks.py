"""Question spreadsheets in the shapes trainers bring: templates of Chinese exam systems made
in Excel or WPS, with title rows, merged cells, several sheets and formatted cells."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from assessments.models import Question
from assessments.resources import QuestionResource
from assessments.workbooks import display_text
from lms.importing import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the catalogue may be compiled or not)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def save(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def exam_system_template() -> bytes:
    """A 考试系统 template: a merged title row, a note row, then the header; 题型 merged down
    over the rows of one type; a second sheet of judgement questions; an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(["2026年安全规程考试题库"])
    sheet.merge_cells("A1:L1")
    sheet.append(["说明：题型、试题内容、正确答案为必填项"])
    sheet.append(["题目类型", "试题内容", "A", "B", "C", "D", "正确答案", "分数", "难易程度",
                  "答案解析", "所属分类", "出题人"])  # fmt: skip
    sheet.append(["单项选择题", "第一种工作票应在工作前（ ）送达。", "A. 一日", "B. 当天",
                  "C. 三日", "", "A", 2, "简单", "前一日送达。", "安规/两票", "张工"])  # fmt: skip
    sheet.append([None, "悬挂“止步，高压危险”的位置是", "A、遮栏上", "B、工作地点",
                  "C、开关把手", "", "A", 2, "中等", "", "安规/两票", "张工"])  # fmt: skip
    sheet.merge_cells("A4:A5")
    sheet.append([])  # a blank row, as trainers leave them
    sheet.append(["多项选择题", "保证安全的技术措施有", "(A) 停电", "(B) 验电", "(C) 交接班",
                  "(D) 装设接地线", "A、B、D", "3", "困难", "", "安规/技术措施", ""])  # fmt: skip
    sheet.append(["填空题", "电阻的单位是（ ），符号是（ ）。", "", "", "", "", "欧姆；Ω", 2,
                  "易", "", "安规/基础", ""])  # fmt: skip
    sheet.append(["问答题", "简述停电的步骤。", "", "", "", "", "断开开关,拉开刀闸", 5, "难",
                  "先断开关后拉刀闸。", "安规/基础", ""])  # fmt: skip
    judgement = workbook.create_sheet("判断题")
    judgement.append(["试题内容", "参考答案", "分值", "难度", "解析", "分类"])
    judgement.append(["可以约时停送电。", "错误", 1, "易", "严禁约时。", "安规/两票"])
    judgement.append(["验电前应先在有电设备上确认验电器良好。", "正确", 1, "中", "", "安规/两票"])
    notes = workbook.create_sheet("填写说明")
    notes.append(["1. 题型只能填写单项选择题、多项选择题、判断题、填空题、问答题"])
    return save(workbook)


def test_an_exam_system_template_imports_every_sheet_row_and_column():
    dataset = QuestionResource.read_upload(exam_system_template(), name="题库.xlsx")
    assert dataset.row_labels == ["试题!4", "试题!5", "试题!7", "试题!8", "试题!9",
                                  "判断题!2", "判断题!3"]  # fmt: skip
    assert dataset.import_notes == [
        "Sheet “填写说明” has no header row with a 题干 column; it was skipped.",
        "Column “出题人” (试题) is not a column this import reads; its values were not imported.",
    ]
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert report.ok, report.problems
    assert report.notes == dataset.import_notes
    questions = list(Question.objects.order_by("pk"))
    assert [q.type for q in questions] == ["single", "single", "multiple", "fill", "short",
                                           "truefalse", "truefalse"]  # fmt: skip
    first, second, multiple, fill, short, wrong, right = questions
    assert first.options == ["一日", "当天", "三日"] and first.answer == ["A"]
    assert first.points == 2 and first.difficulty == 1 and first.explanation == "前一日送达。"
    assert second.options == ["遮栏上", "工作地点", "开关把手"]  # 题型 merged down from row 4
    assert second.difficulty == 3
    assert multiple.options == ["停电", "验电", "交接班", "装设接地线"]
    assert multiple.answer == ["A", "B", "D"] and multiple.points == 3 and multiple.difficulty == 5
    assert fill.answer == [["欧姆"], ["Ω"]]
    assert short.answer == ["断开开关", "拉开刀闸"] and short.explanation == "先断开关后拉刀闸。"
    assert wrong.answer is False and wrong.explanation == "严禁约时。"
    assert right.answer is True and right.category.full_path == "安规/两票"


def test_a_bad_row_is_named_as_the_spreadsheet_shows_it(tmp_path, capsys):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["题型", "题干", "答案", "分类"])
    sheet.append(["判断", "可以约时停送电。", "错", "安规"])
    sheet.append([])
    sheet.append([])
    sheet.append(["判断", "第五行的题。", "也许", "安规"])
    path = tmp_path / "bank.xlsx"
    path.write_bytes(save(workbook))
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    err = capsys.readouterr().err
    assert re.search(r"(Row|第) ?5", err) and "也许" in err
    assert not Question.objects.exists()


def test_cells_read_as_they_are_displayed():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["题型", "题干", "答案", "分类", "解析"])
    sheet.append(["填空", "合格率要求达到（ ）。", 0.95, "服务", datetime.datetime(2021, 9, 1)])
    sheet["C2"].number_format = "0%"
    sheet["E2"].number_format = "yyyy-mm-dd"
    sheet.append(["填空", "误差不超过（ ）。", 0.00001, "服务", 12.5])
    dataset = QuestionResource.read_upload(save(workbook), name="bank.xlsx")
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert report.ok, report.problems
    percent, small = Question.objects.order_by("pk")
    assert percent.answer == [["95%"]] and percent.explanation == "2021-09-01"
    assert small.answer == [["0.00001"]] and small.explanation == "12.5"


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.955, "0.0%", "95.5%"),
        (datetime.datetime(2021, 9, 1, 8, 30), "yyyy-mm-dd hh:mm", "2021-09-01 08:30"),
        (datetime.datetime(2021, 9, 1), 'yyyy"年"m"月"d"日"', "2021年9月1日"),
        (3.0, "General", "3"),
        (1e-05, "General", "0.00001"),
        (2.5, "0.00", "2.50"),
        (True, "General", "TRUE"),
    ],
)
def test_display_text(value, number_format, shown):
    assert display_text(value, number_format) == shown


def test_csv_with_a_title_row_and_synonyms():
    content = (
        "题库导入模板,,,,\n题目类型,题目,正确答案,分值,答案解析\n判断题,可以约时停送电。,×,2,严禁\n"
    ).encode("gb18030")
    dataset = QuestionResource.read_upload(content, name="bank.csv")
    assert dataset.row_labels == [3] and dataset.import_notes == []
    wide = content + "判断题,可以带电作业。,√,1,,多出来的\n".encode("gb18030")
    notes = QuestionResource.read_upload(wide, name="bank.csv").import_notes
    assert notes == ["Row(s) 4 have cells right of the last named column; they were not imported."]
    report = run_import(QuestionResource(category=None), dataset, dry_run=True)
    assert [p.row for p in report.problems] == [3]  # the category is missing, named by row
    assert "category" in " ".join(report.problems[0].messages).lower() or "分类" in " ".join(
        report.problems[0].messages
    )


def test_every_type_round_trips_through_xlsx_whatever_the_answer_contains():
    from assessments.resources import questions_xlsx
    from tests.factories import assessments as af

    category = af.category("安规/综合")
    for kind in ("single", "multiple", "truefalse", "fill", "short", "essay", "numerical",
                 "matching", "description"):  # fmt: skip
        af.question(type=kind, category=category, points=Decimal("2.5"))
    af.question(type="fill", category=category, answer=[["100～120次/min", "a|b"], ["x;y", "c\\d"]])
    af.question(type="matching", category=category, answer=[["U->I", "a|b"], ["甲", "乙；丙"]])
    af.question(type="single", category=category, answer=["B"], weights=["50", "100", "0", "-25"],
                name="带权重")  # fmt: skip
    before = [q.content() for q in Question.objects.order_by("pk")]
    content = questions_xlsx(Question.objects.all())
    Question.objects.all().delete()
    dataset = QuestionResource.read_upload(content, name="bank.xlsx")
    assert dataset.import_notes == []
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert report.ok, report.problems
    after = [q.content() for q in Question.objects.order_by("pk")]
    for old, new in zip(before, after, strict=True):
        old.pop("category_id"), new.pop("category_id")
        old.pop("feedback"), new.pop("feedback")  # a spreadsheet has no feedback columns
        assert old == new


def test_the_admin_preview_names_columns_and_sheets_not_imported(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import login

    login(client, people["trainer"])
    response = client.post(
        "/admin/assessments/questions/import/",
        {"import_file": SimpleUploadedFile("题库.xlsx", exam_system_template())},
    )
    body = response.content.decode()
    assert "出题人" in body and "填写说明" in body and 'id="import-notes"' in body
    assert "试题!9" in body  # preview rows named as the workbook shows them
    assert not Question.objects.exists()


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_an_infinite_or_undefined_number_reads_as_an_empty_cell(value):
    """The importer fuzzer's cell of 1e309 was a server error (Infinity to integer)."""
    from assessments.workbooks import display_text

    assert display_text(value) == ""
    assert display_text(value, "0.00%") == ""
