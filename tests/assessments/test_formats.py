# ruff: noqa: E501
import base64
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from wagtail.images import get_image_model

from assessments import formats
from assessments.models import Question, QuestionType
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def png() -> str:
    buffer = BytesIO()
    PILImage.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


MOODLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="category"><category><text>$course$/top/安规/电气安全</text></category></question>
<question type="multichoice">
  <name><text>q1</text></name>
  <questiontext format="html"><text><![CDATA[<p>看图回答：<img src="@@PLUGINFILE@@/sign.png" alt="标示牌"></p>]]></text>
    <file name="sign.png" path="/" encoding="base64">{png()}</file></questiontext>
  <generalfeedback format="html"><text>&lt;p&gt;见《安规》&lt;/p&gt;</text></generalfeedback>
  <defaultgrade>2</defaultgrade>
  <single>true</single>
  <answer fraction="0"><text>在此工作</text></answer>
  <answer fraction="100"><text>止步，高压危险</text></answer>
  <tags><tag><text>difficulty:4</text></tag><tag><text>标示牌</text></tag></tags>
</question>
<question type="multichoice">
  <questiontext format="html"><text>技术措施有</text></questiontext>
  <single>false</single>
  <answer fraction="50"><text>停电</text></answer>
  <answer fraction="50"><text>验电</text></answer>
  <answer fraction="-100"><text>聊天</text></answer>
</question>
<question type="category"><category><text>$course$/top/安规/线路安全</text></category></question>
<question type="truefalse">
  <questiontext format="html"><text>可以约时停送电。</text></questiontext>
  <answer fraction="0"><text>true</text></answer>
  <answer fraction="100"><text>false</text></answer>
</question>
<question type="shortanswer">
  <questiontext format="html"><text>电阻的单位是？</text></questiontext>
  <answer fraction="100"><text>欧姆</text></answer>
  <answer fraction="100"><text>Ω</text></answer>
</question>
<question type="numerical">
  <questiontext format="html"><text>10kV安全距离是多少米？</text></questiontext>
  <answer fraction="100"><text>0.7</text></answer>
</question>
<question type="essay">
  <questiontext format="html"><text>论述安全生产责任制。</text></questiontext>
  <defaultgrade>10</defaultgrade>
</question>
</quiz>""".encode()


def test_moodle_xml_import_reads_every_type_and_stores_images():
    created, problems = formats.import_parsed(formats.parse_moodle_xml(MOODLE))
    assert problems == [] and created == 6
    single, multiple, truefalse, fill, numerical, essay = Question.objects.order_by("pk")
    assert single.type == "single" and single.answer == ["B"] and single.points == 2
    assert single.options == ["在此工作", "止步，高压危险"]
    assert single.difficulty == 4 and single.knowledge_points == ["标示牌"]
    assert single.explanation == "见《安规》"
    assert single.category.full_path == "安规/电气安全"
    image = get_image_model().objects.get()
    assert f'id="{image.pk}"' in single.stem and "@@PLUGINFILE@@" not in single.stem
    assert multiple.type == "multiple" and multiple.answer == ["A", "B"]
    assert truefalse.answer is False and truefalse.category.full_path == "安规/线路安全"
    assert fill.type == "fill" and fill.answer == [["欧姆", "Ω"]]
    assert numerical.type == "numerical"
    assert numerical.answer == {
        "answers": [{"value": "0.7", "tolerance": "0", "fraction": "100"}],
        "units": [],
    }
    assert essay.type == "essay" and essay.points == 10


def test_moodle_xml_export_reimports_to_the_same_questions():
    category = af.category("安规/综合")
    for kind in QuestionType:
        af.question(type=kind, category=category, points=Decimal(3), knowledge_points=["验电"])
    af.question(type="fill", category=category, answer=[["停电"], ["验电", "验明无电"]])
    before = [q.content() for q in Question.objects.order_by("pk")]
    exported = formats.export_moodle_xml(Question.objects.all())
    Question.objects.all().delete()
    created, problems = formats.import_parsed(formats.parse_moodle_xml(exported))
    assert problems == [] and created == len(before)
    after = [q.content() for q in Question.objects.order_by("pk")]
    for old, new in zip(before, after, strict=True):
        old.pop("category_id"), new.pop("category_id")
        assert old == new


GIFT = r"""// 安规题库
$CATEGORY: $course$/top/安规/两票

::Q1:: 第一种工作票应在工作前（　）送达。{=一日 ~当天 ~三日#太早}

::Q2:: 组织措施包括 {~%50%工作票制度 ~%50%工作许可制度 ~%-100%交接班制度}

可以约时停送电。{F}

电阻的单位是 \{欧姆\} 还是伏特？{=欧姆 =Ω ####电阻单位为欧姆}

10kV 安全距离（m）{#0.7:0}

论述“两票三制”。{}
"""


def test_gift_import_reads_every_type_and_escapes():
    created, problems = formats.import_parsed(formats.parse_gift(GIFT.encode()))
    assert problems == [] and created == 6
    single, multiple, truefalse, fill, numerical, essay = Question.objects.order_by("pk")
    assert single.answer == ["A"] and single.options == ["一日", "当天", "三日"]
    assert single.category.full_path == "安规/两票"
    assert multiple.type == "multiple" and multiple.answer == ["A", "B"]
    assert truefalse.answer is False
    assert fill.answer == [["欧姆", "Ω"]] and "{欧姆}" in fill.stem
    assert fill.explanation == "电阻单位为欧姆"
    assert numerical.answer == {
        "answers": [{"value": "0.7", "tolerance": "0", "fraction": "100"}],
        "units": [],
    }
    assert essay.type == "essay"


def test_a_bad_question_is_named_by_number_and_nothing_is_saved(tmp_path, capsys):
    bad = (
        GIFT
        + "\n\n答案没有结束 {=甲 ~乙\n\n$CATEGORY: 其他\n\n选项太多 {=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}\n"
    )
    path = tmp_path / "bank.gift"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    err = capsys.readouterr().err
    assert re.search("Question 7|第 7 题", err) and re.search("Question 8|第 8 题", err)
    assert not Question.objects.exists()


def test_command_reads_moodle_xml_and_dry_runs(tmp_path):
    path = tmp_path / "bank.xml"
    path.write_bytes(MOODLE)
    call_command("import_questions", str(path), "--dry-run")
    assert not Question.objects.exists()
    call_command("import_questions", str(path), "--format", "moodle-xml")
    assert Question.objects.count() == 6


def test_broken_xml_is_a_file_error():
    with pytest.raises(formats.QuestionFileError):
        formats.parse_moodle_xml(b"<quiz><question>")


def test_admin_exports_moodle_xml(client, people):
    from tests.conftest import login

    af.question()
    login(client, people["trainer"])
    response = client.get("/admin/assessments/questions/export/xml/")
    assert response.status_code == 200
    assert len(formats.parse_moodle_xml(response.content)) == 1
    index = client.get("/admin/assessments/questions/").content.decode()
    assert "/admin/assessments/questions/export/xml/" in index
    login(client, people["employee"])
    assert client.get("/admin/assessments/questions/export/xml/").status_code in (302, 403)
