"""Malformed spreadsheets and question files through the importers' real entry points.

The admin import screen (upload → preview → confirm) for every spreadsheet import, and the
``import_questions`` command for Moodle XML and GIFT. Whatever arrives: no server error, no
unhandled exception, a refusal that says what is wrong, and no row saved by a refused import.
"""

import base64
import datetime
import io
import zipfile
from http import HTTPStatus

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.conftest import login
from tests.factories import careers as carf
from tests.factories import courses as cf
from tests.factories.spreadsheets import xlsx_bytes

# --- the import screens and what each may create ----------------------------------------------

IMPORTS = {
    "employees": ("hr", ["lms.Employee", "auth.User"],
                  ["工号", "姓名", "部门编码", "岗位编码", "入职日期", "状态", "手机", "邮箱"]),
    "training_completions": ("hr", ["courses.Completion"],
                             ["工号", "课程编码", "完成日期", "学时", "学分", "培训机构", "备注"]),
    "questions": ("trainer", ["assessments.Question", "assessments.QuestionCategory"],
                  ["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "难度", "分类",
                   "知识点", "分值"]),
    "careers_values": ("hr", ["careers.IndicatorValue"],
                       ["考核期间", "指标编码", "工号", "部门编码", "数值", "备注"]),
}  # fmt: skip

# Values a real sheet would carry, so that fuzzed rows also reach the deeper checks.
KNOWN = ["E1", "E2", "C-A-1", "POS-1", "KC01", "KPI-TRAIN", "KPI-RELIAB", "2026年第三季度",
         "单选", "多选", "判断", "填空", "A", "AB", "对", "安全规程/电气安全", "在职", "2026-03-01",
         "3", "90", "1.5"]  # fmt: skip
FORMULAS = ["=1+1", '=HYPERLINK("http://x","y")', "=1/0", "=A1", "+1+1", "-2", "@SUM(A1)"]


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world(people, company):
    """Rows may name real employees, departments, a course, a period and its indicators."""
    cf.course(title="客户沟通技巧", code="KC01", lessons=0)
    carf.period(name="2026年第三季度")
    return people


def counts(models):
    return {label: apps.get_model(label).objects.count() for label in models}


def import_through_admin(client, viewset, name, content):
    """Upload, and confirm when the preview allows it. Return what the person was told."""
    url = reverse(f"{viewset}:import")
    response = client.post(url, {"import_file": SimpleUploadedFile(name, content)})
    assert response.status_code == HTTPStatus.OK, response.status_code
    context = response.context
    token = context.get("token")
    if token:
        response = client.post(
            url,
            {"confirm": "1", "token": token, "file_format": context["file_format"],
             "file_name": name},
        )  # fmt: skip
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK), response.status_code
        if response.status_code == HTTPStatus.FOUND:
            return "imported", None
        context = response.context
    if context.get("file_error"):
        return "refused", context["file_error"]
    report = context.get("report")
    assert report is not None and not report.ok
    messages = list(report.file_problems) + [m for p in report.problems for m in p.messages]
    assert all(isinstance(m, str) and m.strip() for m in messages)
    # An exception the importer did not expect is a bug, however it is worded.
    assert not [p for p in report.problems if p.unexpected], report.problems
    # A refusal is a sentence for a person, not a traceback.
    assert not any("Traceback" in m or "Error(" in m for m in messages), messages
    return "refused", messages


def assert_refused_or_imported(client, viewset, name, content):
    who, models, _headers = IMPORTS[viewset]
    before = counts(models)
    outcome, said = import_through_admin(client, viewset, name, content)
    if outcome == "refused":
        assert said
        assert counts(models) == before, "a refused import saved rows"
    return outcome


# --- strategies ---------------------------------------------------------------------------------

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.sampled_from(KNOWN),
    st.sampled_from(FORMULAS),
    st.just("长" * 33000),
    st.datetimes(min_value=datetime.datetime(1900, 1, 2), max_value=datetime.datetime(9999, 1, 1)),
    st.dates(min_value=datetime.date(1900, 1, 2)),
    st.times(),
)


@st.composite
def workbooks(draw, headers):
    """A valid XLSX whose header row is the import's (shuffled, some missing, some extra)."""
    columns = draw(st.lists(st.sampled_from(headers + ["?", ""]), min_size=1, max_size=12))
    if draw(st.booleans()):
        columns = list(headers)
    rows = draw(st.lists(st.lists(cell_values, max_size=len(columns) + 2), min_size=0, max_size=6))
    book = Workbook()
    sheet = book.active
    for column, header in enumerate(columns, 1):
        sheet.cell(row=1, column=column, value=header)
    for row_number, row in enumerate(rows, 2):
        for column, value in enumerate(row, 1):
            try:
                sheet.cell(row=row_number, column=column, value=value)
            except Exception:  # noqa: BLE001 — openpyxl refuses some values; skip those cells
                pass
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except Exception:  # noqa: BLE001
        assume(False)
    return buffer.getvalue()


# One workbook for every example (a new one each time would differ in its timestamps).
GOOD_WORKBOOK = xlsx_bytes(["工号", "姓名"], [["E1", "员工甲"]])


@st.composite
def broken_zips(draw):
    """Random bytes, truncated workbooks, workbooks with parts garbled or missing."""
    good = GOOD_WORKBOOK
    kind = draw(st.sampled_from(["random", "truncated", "garbled", "missing", "prefix"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "truncated":
        return good[: draw(st.integers(min_value=0, max_value=len(good) - 1))]
    if kind == "prefix":
        return b"PK\x03\x04" + draw(st.binary(max_size=500))
    source = zipfile.ZipFile(io.BytesIO(good))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in names:
            if member == victim and kind == "missing":
                continue
            data = source.read(member)
            if member == victim:
                data = (
                    draw(st.binary(max_size=300)) if draw(st.booleans()) else data[: len(data) // 2]
                )
            target.writestr(member, data)
    return buffer.getvalue()


@st.composite
def csv_files(draw, headers):
    columns = draw(st.lists(st.sampled_from(headers + ["x"]), min_size=1, max_size=10))
    rows = draw(
        st.lists(
            st.lists(st.one_of(st.text(max_size=20), st.sampled_from(KNOWN + FORMULAS)),
                     max_size=len(columns) + 3),
            max_size=6,
        )
    )  # fmt: skip
    separator = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(separator.join(row) for row in [columns, *rows])
    if draw(st.booleans()):
        text = text.replace(draw(st.sampled_from([",", "\n", "E"])), "\x00", 1)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


# --- spreadsheet imports ---------------------------------------------------------------------


@pytest.mark.parametrize("viewset", list(IMPORTS))
@given(data=st.data())
def test_workbooks_with_random_cells(client, world, viewset, data):
    who, _models, headers = IMPORTS[viewset]
    login(client, world[who])
    content = data.draw(workbooks(headers))
    assert_refused_or_imported(client, viewset, "fuzz.xlsx", content)


@given(content=broken_zips())
def test_damaged_workbooks(client, world, content):
    login(client, world["hr"])
    assert assert_refused_or_imported(client, "employees", "damaged.xlsx", content) == "refused"


@pytest.mark.parametrize("viewset", ["employees", "careers_values"])
@given(data=st.data())
def test_csv_in_any_encoding(client, world, viewset, data):
    who, _models, headers = IMPORTS[viewset]
    login(client, world[who])
    assert_refused_or_imported(client, viewset, "fuzz.csv", data.draw(csv_files(headers)))


# --- question files -----------------------------------------------------------------------------


def run_import_questions(tmp_path, name, content):
    from assessments.models import Question

    path = tmp_path / name
    path.write_bytes(content)
    before = Question.objects.count()
    images = apps.get_model("wagtailimages.Image").objects.count()
    try:
        call_command("import_questions", str(path), category="模糊测试", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    except CommandError as error:
        assert str(error).strip()
        assert Question.objects.count() == before, "a refused question file saved questions"
        assert apps.get_model("wagtailimages.Image").objects.count() == images
        return "refused"
    return "imported"


QUESTION_TYPES = ["multichoice", "truefalse", "shortanswer", "numerical", "essay", "category",
                  "matching", "", "cloze"]  # fmt: skip
xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'"),
    max_size=30,
)


def _escape(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@st.composite
def moodle_files(draw):
    kind = draw(st.sampled_from(["bytes", "xml"]))
    if kind == "bytes":
        return draw(st.binary(max_size=500))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<" + draw(st.sampled_from(["quiz", "q"])) + ">",
    ]
    for _n in range(draw(st.integers(min_value=0, max_value=4))):
        kind = draw(st.sampled_from(QUESTION_TYPES))
        body = [f'<question type="{kind}">']
        if draw(st.booleans()):
            body.append(f"<category><text>{_escape(draw(xml_text))}</text></category>")
        text = _escape(draw(xml_text))
        files = ""
        if draw(st.booleans()):
            data = draw(st.one_of(
                st.binary(max_size=50).map(lambda b: base64.b64encode(b).decode()),
                st.text(alphabet="ABCD=+/!@ \n", max_size=30),
            ))  # fmt: skip
            files = f'<file name="{_escape(draw(xml_text))}" encoding="base64">{data}</file>'
            text += '<img src="@@PLUGINFILE@@/x.png">'
        body.append(f"<questiontext><text>{_escape(text)}</text>{files}</questiontext>")
        for _a in range(draw(st.integers(min_value=0, max_value=10))):
            fraction = draw(st.sampled_from(["100", "0", "-50", "NaN", "Infinity", "x", "1e999"]))
            body.append(
                f'<answer fraction="{fraction}"><text>{_escape(draw(xml_text))}</text></answer>'
            )
        if draw(st.booleans()):
            body.append(f"<defaultgrade>{_escape(draw(xml_text))}</defaultgrade>")
        if draw(st.booleans()):
            answer = _escape(draw(st.sampled_from(['[["a"]]', "{", '"x"', "[]", "null", "[1,2]"])))
            body.append(f'<gridacademy type="{draw(st.sampled_from(["fill", "short", "x"]))}" '
                        f'answer="{answer}"/>')  # fmt: skip
        if draw(st.booleans()):
            body.append(f"<tags><tag><text>{_escape(draw(xml_text))}</text></tag>"
                        "<tag><text>difficulty:9</text></tag></tags>")  # fmt: skip
        body.append("</question>")
        parts.append("".join(body))
    parts.append("</quiz>")
    content = "\n".join(parts).encode()
    if draw(st.booleans()):
        content = content[: draw(st.integers(min_value=0, max_value=len(content)))]
    return content


@given(content=moodle_files())
def test_moodle_xml(tmp_path, db, content):
    run_import_questions(tmp_path, "fuzz.xml", content)


gift_text = st.lists(
    st.sampled_from(list("{}=~#:%->\\/$[]\n ") + ["T", "F", "1", ".", "题", "答案", "//", "::"]),
    max_size=60,
).map("".join)


@given(text=st.one_of(gift_text, st.text(max_size=120)), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_gift(tmp_path, db, text, encoding):
    run_import_questions(tmp_path, "fuzz.gift", text.encode(encoding, errors="replace"))


def test_a_good_gift_file_still_imports(tmp_path, db):
    """The fuzz targets are real: a proper file goes through the same entry point."""
    from assessments.models import Question

    outcome = run_import_questions(tmp_path, "ok.gift", "电压等级 {=10kV ~380V}\n".encode())
    assert outcome == "imported"
    assert Question.objects.get().options == ["10kV", "380V"]


# Files the fuzzing once broke (or that reach rare paths); kept as fixed regression cases.
def _quiz(*questions: str) -> bytes:
    return ("<quiz>" + "".join(questions) + "</quiz>").encode()


def _essay(extra="", text="x"):
    return (
        f'<question type="essay"><questiontext><text>{text}</text></questiontext>{extra}</question>'
    )


HOSTILE_MOODLE = [
    _quiz(_essay("<defaultgrade>1e999</defaultgrade>")),
    _quiz(_essay("<defaultgrade>sNaN</defaultgrade>")),
    _quiz(_essay('<answer fraction="sNaN"><text>a</text></answer>').replace("essay", "truefalse")),
    _quiz(_essay('<gridacademy type="fill" answer="{&quot;a&quot;:1}"/>')),
    _quiz(_essay('<gridacademy type="single" answer="[[[[1]]]]"/>')),
    _quiz(_essay('<gridacademy type="short" answer="5"/>')),
    _quiz(_essay("<tags><tag><text>difficulty:0</text></tag></tags>")),
    _quiz('<question type="category"><category><text>' + "a/" * 200 + "</text></category>"
          "</question>", _essay()),
    _quiz(_essay(text="x" * 100_000)),
    _quiz(_essay("<tags><tag><text>" + "k" * 300 + "</text></tag></tags>", text="\u200b")),
]  # fmt: skip
HOSTILE_GIFT = [
    "{#1..2}", "x {#=1:2}", "x {=a->b =c->d}", "x {%abc%a ~b}", "x {T#}", "::t:: x {~a ~b}",
    "x {" + "~a " * 20 + "}", "$CATEGORY: " + "a/" * 200 + "\n\nx {=y}", "x {=}", "x {~%100%}",
    "x{=" + "a" * 3000 + "}", "x {####}",
]  # fmt: skip


@pytest.mark.parametrize("content", HOSTILE_MOODLE)
def test_known_hostile_moodle_files(tmp_path, db, content):
    run_import_questions(tmp_path, "known.xml", content)


@pytest.mark.parametrize("text", HOSTILE_GIFT)
def test_known_hostile_gift_files(tmp_path, db, text):
    run_import_questions(tmp_path, "known.gift", text.encode())


def test_a_category_nested_too_deep_is_refused_by_name(tmp_path, db):
    text = "$CATEGORY: " + "层/" * 70 + "\n\n题干 {=答案}\n"
    said = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command(
            "import_questions", str(_write(tmp_path, "deep.gift", text.encode())), stderr=said
        )
    assert "at most 63 levels" in said.getvalue()


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path
