from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from assessments import services
from assessments.models import Question, QuestionCategory
from assessments.resources import COLUMNS, QuestionResource, questions_xlsx
from lms.importing import read_dataset, run_import
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/assessments/questions/import/"


def xlsx(rows, headers=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as Excel stores '=… (a quoted cell)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    {"题型": "单选题", "题干": "安全工器具应多久试验一次？", "选项A": "半年", "选项B": "一年",
     "答案": "A", "难度": "易", "分类": "安全规程/工器具", "知识点": "工器具，试验", "分值": 2},
    {"题型": "多选", "题干": "停电作业的技术措施有哪些？", "选项A": "停电", "选项B": "验电",
     "选项C": "聊天", "选项D": "装设接地线", "答案": "A,B,D", "难度": 3, "分类": "安全规程/电气安全"},  # noqa: E501
    {"题型": "判断题", "题干": "可以约时停送电。", "答案": "×", "难度": "较易", "分类": "安全规程"},
    {"题型": "填空", "题干": "电阻的单位是____，电压的单位是____。", "答案": "欧姆/Ω｜伏特/V",
     "分类": "基础知识/电工"},
    {"题型": "简答题", "题干": "简述验电的要求。", "答案": "验电器,相应电压等级", "分类": "安全规程"},  # noqa: E501
    {"题型": "essay", "题干": "=论述安全生产责任制", "答案": "", "分类": "安全规程", "分值": 10},
]  # fmt: skip


def test_good_rows_import_with_every_spelling():
    dataset = read_dataset(xlsx(GOOD_ROWS), name="bank.xlsx")
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert report.ok, report.problems
    assert report.new == 6
    questions = list(Question.objects.order_by("pk"))
    single, multiple, truefalse, fill, short, essay = questions
    assert single.answer == ["A"] and single.options == ["半年", "一年"]
    assert single.difficulty == 1 and single.points == Decimal(2)
    assert single.knowledge_points == ["工器具", "试验"]
    assert single.category.full_path == "安全规程/工器具"
    assert multiple.answer == ["A", "B", "D"]
    assert truefalse.answer is False and truefalse.difficulty == 2
    assert fill.answer == [["欧姆", "Ω"], ["伏特", "V"]]
    assert short.answer == ["验电器", "相应电压等级"]
    assert essay.stem_text == "=论述安全生产责任制" and essay.points == 10
    assert all(q.versions.count() == 1 for q in questions)


def test_a_bad_row_saves_nothing_and_every_error_names_its_row():
    rows = [
        *GOOD_ROWS,
        {"题型": "单选", "题干": "缺选项", "选项A": "甲", "答案": "A", "分类": "X"},
        {"题型": "猜谜", "题干": "错题型", "答案": "A", "分类": "X"},
        {"题型": "判断", "题干": "判断", "答案": "也许", "分类": "X", "难度": 9, "分值": -1},
    ]
    dataset = read_dataset(xlsx(rows), name="bank.xlsx")
    report = run_import(QuestionResource(), dataset, dry_run=False)
    assert not report.ok
    assert [p.row for p in report.problems] == [8, 9, 10]
    text = " ".join(report.problems[2].messages)
    assert "答案" in text and "难度" in text and "分值" in text
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.exists()


def test_export_reimports_to_the_same_questions():
    dataset = read_dataset(xlsx(GOOD_ROWS), name="bank.xlsx")
    run_import(QuestionResource(), dataset, dry_run=False)
    before = [q.content() for q in Question.objects.order_by("pk")]
    exported = questions_xlsx(Question.objects.order_by("pk"))
    sheet = load_workbook(BytesIO(exported)).active
    assert sheet["B7"].value == "=论述安全生产责任制" and sheet["B7"].data_type == "s"
    Question.objects.all().delete()
    report = run_import(QuestionResource(), read_dataset(exported, name="x.xlsx"), dry_run=False)
    assert report.ok, report.problems
    after = [q.content() for q in Question.objects.order_by("pk")]
    for old, new in zip(before, after, strict=True):
        old.pop("category_id"), new.pop("category_id")
        assert old == new


def test_command_dry_run_and_errors(tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD_ROWS))
    call_command("import_questions", str(good), "--dry-run")
    assert not Question.objects.exists()
    call_command("import_questions", str(good))
    assert Question.objects.count() == 6
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([GOOD_ROWS[0], {"题型": "单选", "题干": "", "答案": "Q", "分类": "A"}]))
    with pytest.raises(CommandError):
        call_command("import_questions", str(bad))
    err = capsys.readouterr().err
    assert "Row 3" in err or "第 3 行" in err
    assert Question.objects.count() == 6


def test_command_default_category(tmp_path):
    rows = [{"题型": "判断", "题干": "题", "答案": "对"}]
    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx(rows, headers=["题型", "题干", "答案"]))
    call_command("import_questions", str(path), "--category", "默认/子类", "--format", "xlsx")
    assert Question.objects.get().category.full_path == "默认/子类"


def test_unknown_format_is_an_error(tmp_path):
    path = tmp_path / "bank.doc"
    path.write_text("1+1=2")
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))


def test_admin_import_preview_and_export(client, people):
    login(client, people["trainer"])
    upload = BytesIO(xlsx(GOOD_ROWS))
    upload.name = "bank.xlsx"
    response = client.post(IMPORT_URL, {"import_file": upload})
    assert response.status_code == 200
    assert response.context["report"].new == 6
    assert not Question.objects.exists()
    response = client.post(
        IMPORT_URL,
        {"confirm": "1", "token": response.context["token"], "file_format": "xlsx"},
    )
    assert response.status_code == 302
    assert Question.objects.count() == 6
    response = client.get("/admin/assessments/questions/export/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet.max_row == 7


def test_employee_cannot_reach_the_question_admin(client, people):
    af.question()
    login(client, people["employee"])
    response = client.get("/admin/assessments/questions/")
    assert response.status_code in (302, 403)


def test_category_for_path_keeps_existing():
    services.category_for_path("安全规程")
    assert QuestionCategory.objects.count() == 1
