# ruff: noqa: E501
"""Question files as other systems write them: Moodle XML as Moodle 4 exports it, GIFT as
Moodle's GIFT writer and trainers write it. Every fixture below is our own, in those shapes."""

import base64
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from assessments import formats
from assessments.models import Question, QuestionCategory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the catalogue may be compiled or not)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def png() -> str:
    buffer = BytesIO()
    PILImage.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


PDF = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").decode()

# The shape Moodle 4.x writes: comments before each question, a category question with info
# and idnumber, seven-decimal grades and penalties, feedback on every level.
MOODLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for 供电服务培训/安规/电气安全</text>
    </category>
    <info format="moodle_auto_format">
      <text>电气安全的题目</text>
    </info>
    <idnumber>ES-01</idnumber>
  </question>

<!-- question: 3101  -->
  <question type="multichoice">
    <name>
      <text>标示牌 O'Neil &amp; 高压</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">看图回答：<img src="@@PLUGINFILE@@/%E5%AE%89%E5%85%A8%20%E6%A0%87%E7%A4%BA.png" alt="标示牌" width="4" height="4" role="presentation" class="img-fluid atto_image_button_text-bottom"><br></p><p>规程见 <a href="@@PLUGINFILE@@/rules.pdf">安规.pdf</a></p>]]></text>
      <file name="安全 标示.png" path="/" encoding="base64">{png()}</file>
      <file name="rules.pdf" path="/" encoding="base64">{PDF}</file>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>见《安规》第4章。</p>]]></text>
    </generalfeedback>
    <defaultgrade>2.5000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text><![CDATA[<p>回答正确。</p>]]></text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text><![CDATA[<p>部分正确。</p>]]></text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text><![CDATA[<p>回答错误。</p>]]></text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="0" format="html">
      <text><![CDATA[<p dir="ltr">在此工作</p>]]></text>
      <feedback format="html">
        <text><![CDATA[<p>这是工作地点用的。</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="100" format="html">
      <text><![CDATA[<p dir="ltr">止步，高压危险</p>]]></text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <answer fraction="50" format="html">
      <text><![CDATA[<p dir="ltr">禁止合闸</p>]]></text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <tags>
      <tag><text>difficulty:4</text></tag>
      <tag><text>标示牌</text></tag>
    </tags>
  </question>

<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for 供电服务培训/安规/电气安全/技术措施</text>
    </category>
    <info format="moodle_auto_format">
      <text></text>
    </info>
    <idnumber></idnumber>
  </question>

<!-- question: 3102  -->
  <question type="multichoice">
    <name>
      <text>技术措施</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>保证安全的技术措施有</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>1</hidden>
    <idnumber>TM-2</idnumber>
    <single>false</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>ABCD</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text>你的答案正确。</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>你的答案部分正确。</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>你的答案不正确。</text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="33.33333" format="html">
      <text>停电</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="33.33333" format="html">
      <text>验电</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="33.33333" format="html">
      <text>装设接地线</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="-100" format="html">
      <text>交接班</text>
      <feedback format="html"><text>交接班是组织措施。</text></feedback>
    </answer>
  </question>

<!-- question: 3103  -->
  <question type="truefalse">
    <name>
      <text>约时停送电</text>
    </name>
    <questiontext format="moodle_auto_format">
      <text>可以约时停送电。</text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <answer fraction="0" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html">
        <text>严禁约时停送电。</text>
      </feedback>
    </answer>
    <answer fraction="100" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html">
        <text>对，严禁约时。</text>
      </feedback>
    </answer>
  </question>

<!-- question: 3104  -->
  <question type="numerical">
    <name>
      <text>安全距离</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>10kV 设备不停电时的安全距离是多少米？</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.3333333</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <answer fraction="100" format="moodle_auto_format">
      <text>0.7</text>
      <feedback format="html">
        <text></text>
      </feedback>
      <tolerance>0.05</tolerance>
    </answer>
    <answer fraction="50" format="moodle_auto_format">
      <text>0.7</text>
      <feedback format="html">
        <text></text>
      </feedback>
      <tolerance>0.2</tolerance>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>*</text>
      <feedback format="html">
        <text></text>
      </feedback>
      <tolerance>0</tolerance>
    </answer>
    <units>
      <unit>
        <multiplier>1</multiplier>
        <unit_name>m</unit_name>
      </unit>
      <unit>
        <multiplier>100</multiplier>
        <unit_name>cm</unit_name>
      </unit>
    </units>
    <unitgradingtype>0</unitgradingtype>
    <unitpenalty>0.1000000</unitpenalty>
    <showunits>3</showunits>
    <unitsleft>0</unitsleft>
  </question>

<!-- question: 3105  -->
  <question type="matching">
    <name>
      <text>措施配对</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>把措施与目的配对。</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>3.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <shuffleanswers>true</shuffleanswers>
    <correctfeedback format="html">
      <text>你的答案正确。</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>你的答案部分正确。</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>你的答案不正确。</text>
    </incorrectfeedback>
    <shownumcorrect/>
    <subquestion format="html">
      <text><![CDATA[<p>停电</p>]]></text>
      <answer>
        <text>断开电源</text>
      </answer>
    </subquestion>
    <subquestion format="html">
      <text><![CDATA[<p>验电</p>]]></text>
      <answer>
        <text>确认无电压</text>
      </answer>
    </subquestion>
    <subquestion format="html">
      <text></text>
      <answer>
        <text>悬挂标示牌</text>
      </answer>
    </subquestion>
  </question>

<!-- question: 3106  -->
  <question type="description">
    <name>
      <text>案例背景</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>以下三题基于同一起误操作事故。</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>0.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
  </question>

<!-- question: 3107  -->
  <question type="shortanswer">
    <name>
      <text>电阻单位</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>电阻的单位是什么？</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <usecase>0</usecase>
    <answer fraction="100" format="moodle_auto_format">
      <text>欧姆</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <answer fraction="100" format="moodle_auto_format">
      <text>Ω</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
  </question>

<!-- question: 3108  -->
  <question type="essay">
    <name>
      <text>论述</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>论述安全生产责任制。</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <defaultgrade>10.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <responseformat>editor</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>15</responsefieldlines>
    <attachments>0</attachments>
    <attachmentsrequired>0</attachmentsrequired>
    <graderinfo format="html">
      <text></text>
    </graderinfo>
    <responsetemplate format="html">
      <text></text>
    </responsetemplate>
  </question>

<!-- question: 3109  -->
  <question type="cloze">
    <name>
      <text>完形填空</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>电压单位是 {{1:SHORTANSWER:=伏特}}，电流单位是 {{1:MULTICHOICE:=安培~欧姆}}。</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text></text>
    </generalfeedback>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
  </question>

</quiz>
""".encode()


def by_name():
    return {question.name: question for question in Question.objects.all()}


def test_moodle_export_as_moodle_writes_it_fails_on_cloze_and_saves_nothing():
    report = formats.import_question_file(formats.parse_moodle_xml(MOODLE))
    assert report.created == 0
    assert report.problems == [
        formats.Problem(
            9,
            "完形填空",
            "a cloze question with MULTICHOICE gaps is not supported (only short-answer gaps)",
        )
    ]
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()
    assert not get_image_model().objects.exists() and not get_document_model().objects.exists()


def test_moodle_export_imports_whole_with_skip_unsupported():
    report = formats.import_question_file(formats.parse_moodle_xml(MOODLE), skip_unsupported=True)
    assert report.problems == []
    assert report.created == 8
    assert [(s.number, s.name) for s in report.skipped] == [(9, "完形填空")]
    questions = by_name()

    sign = questions["标示牌 O'Neil & 高压"]
    assert sign.type == "single" and sign.answer == ["B"]
    assert sign.options == ["在此工作", "止步，高压危险", "禁止合闸"]
    assert sign.weights == ["0", "100", "50"]
    assert sign.points == Decimal("2.50")
    assert sign.difficulty == 4 and sign.knowledge_points == ["标示牌"]
    assert sign.explanation == "见《安规》第4章。"
    assert sign.feedback == {
        "correct": "回答正确。",
        "partial": "部分正确。",
        "incorrect": "回答错误。",
        "options": ["这是工作地点用的。", "", ""],
    }
    assert sign.category.full_path == "Default for 供电服务培训/安规/电气安全"
    image = get_image_model().objects.get()
    document = get_document_model().objects.get()
    assert (
        f'<embed alt="标示牌" embedtype="image" format="fullwidth" id="{image.pk}"/>' in sign.stem
    )
    assert f'<a id="{document.pk}" linktype="document">安规.pdf</a>' in sign.stem
    assert "@@PLUGINFILE@@" not in sign.stem and "style=" not in sign.stem

    measures = questions["技术措施"]
    assert measures.type == "multiple" and measures.answer == ["A", "B", "C"]
    assert measures.weights == ["33.33333", "33.33333", "33.33333", "-100"]
    assert measures.is_active is False
    assert measures.category.full_path == "Default for 供电服务培训/安规/电气安全/技术措施"
    assert measures.feedback["options"][3] == "交接班是组织措施。"

    truefalse = questions["约时停送电"]
    assert truefalse.answer is False
    assert truefalse.feedback == {"correct": "对，严禁约时。", "incorrect": "严禁约时停送电。"}
    assert truefalse.stem == "<p>可以约时停送电。</p>"

    distance = questions["安全距离"]
    assert distance.type == "numerical" and distance.points == Decimal("1.33")
    assert distance.answer == {
        "answers": [
            {"value": "0.7", "tolerance": "0.05", "fraction": "100"},
            {"value": "0.7", "tolerance": "0.2", "fraction": "50"},
        ],
        "units": [{"unit": "m", "multiplier": "1"}, {"unit": "cm", "multiplier": "100"}],
    }

    matching = questions["措施配对"]
    assert matching.type == "matching" and matching.points == 3
    assert matching.answer == [["停电", "断开电源"], ["验电", "确认无电压"], ["", "悬挂标示牌"]]

    description = questions["案例背景"]
    assert description.type == "description" and description.answer == []

    assert questions["电阻单位"].answer == [["欧姆", "Ω"]]
    assert questions["论述"].type == "essay" and questions["论述"].points == 10


def test_command_skips_and_reports_each_unsupported_question(tmp_path, capsys):
    path = tmp_path / "moodle.xml"
    path.write_bytes(MOODLE)
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    assert "完形填空" in capsys.readouterr().err and not Question.objects.exists()
    call_command("import_questions", str(path), "--skip-unsupported")
    out = capsys.readouterr().out
    assert re.search(r"(Skipped|跳过).*9.*完形填空.*cloze.*MULTICHOICE", out)
    assert Question.objects.count() == 8


@pytest.mark.parametrize(
    ("grade", "stored"),
    [("1.0000000", "1.00"), ("0.3333333", "0.33"), ("2.005", "2.01"), ("9999.9949999", "9999.99")],
)
def test_any_grade_precision_is_rounded_to_the_points_field(grade, stored):
    xml = MOODLE.decode().replace(
        "<defaultgrade>2.5000000</defaultgrade>", f"<defaultgrade>{grade}</defaultgrade>"
    )
    formats.import_question_file(formats.parse_moodle_xml(xml.encode()), skip_unsupported=True)
    assert str(Question.objects.get(name__startswith="标示牌").points) == stored


def test_a_grade_that_cannot_fit_names_the_question_and_the_field():
    xml = MOODLE.decode().replace(
        "<defaultgrade>3.0000000</defaultgrade>", "<defaultgrade>123456.0000000</defaultgrade>"
    )
    report = formats.import_question_file(
        formats.parse_moodle_xml(xml.encode()), skip_unsupported=True
    )
    assert report.problems == [
        formats.Problem(
            5,
            "措施配对",
            "defaultgrade “123456.0000000” does not fit the points field (0.01 to 9999.99)",
        )
    ]
    label = formats.problem_label(report.problems[0])
    assert "5" in label and "措施配对" in label and "defaultgrade" in label
    assert not Question.objects.exists()


def test_a_file_without_categories_gives_one_hint():
    xml = re.sub(r'<question type="category">.*?</question>', "", MOODLE.decode(), flags=re.S)
    report = formats.import_question_file(
        formats.parse_moodle_xml(xml.encode()), skip_unsupported=True
    )
    assert len(report.problems) == 1 and report.problems[0].number == 0
    assert "category" in report.problems[0].message


def test_documents_can_be_refused_by_a_setting(settings):
    settings.IMPORT_QUESTION_DOCUMENTS = False
    report = formats.import_question_file(formats.parse_moodle_xml(MOODLE), skip_unsupported=True)
    assert report.problems == [
        formats.Problem(
            1,
            "标示牌 O'Neil & 高压",
            "the file “rules.pdf” is not an image, and this site does not take other files with "
            "imported questions (IMPORT_QUESTION_DOCUMENTS)",
        )
    ]


def test_html_is_cleaned_and_what_was_removed_is_counted():
    hostile = """<quiz><question type="category"><category><text>$system$/top/安规</text></category></question>
<question type="essay"><name><text>hostile</text></name><questiontext format="html"><text><![CDATA[
<style>body{display:none}</style><p onclick="x()">正文<sub>2</sub><script>alert(1)</script></p>
<table><tr><td>甲</td></tr></table><img src="https://evil.example/a.png"><iframe src="x"></iframe>
<ul><li><strong>一</strong></li></ul>]]></text></questiontext><defaultgrade>1.0000000</defaultgrade></question></quiz>"""
    report = formats.import_question_file(formats.parse_moodle_xml(hostile.encode()))
    assert report.problems == [] and report.removed == 4  # style, script, iframe, foreign img
    stem = Question.objects.get().stem
    for gone in (
        "<style",
        "display:none",
        "<script",
        "alert",
        "onclick",
        "<iframe",
        "evil.example",
    ):
        assert gone not in stem
    for kept in ("<p>正文<sub>2</sub></p>", "<td>甲</td>", "<li><strong>一</strong></li>"):
        assert kept in stem
    assert Question.objects.get().category.full_path == "安规"


# -- GIFT -----------------------------------------------------------------------------------

# As Moodle's GIFT writer shapes it (comments, $CATEGORY, ::name::, [html], weights written
# %100%) and as trainers write it by hand (no weights, [markdown], ranges, gaps).
GIFT = r"""// question: 0  name: Switch category to $course$/top/Default for 供电服务培训/两票
$CATEGORY: $course$/top/Default for 供电服务培训/两票


// question: 201  name: 送达时间
::送达时间::[html]<p>第一种工作票应在工作前（　）送达。</p>{
	=%100%一日#正确
	~%50%当天#太晚了
	~三日
####《安规》规定前一日送达。
}

::组织措施::组织措施包括 {~%50%工作票制度 ~%50%工作许可制度 ~%-100%交接班制度}

::约时::[plain]可以约时停送电 <不可以>。{FALSE#错：不可以约时。#对。}

::单位::电阻的单位是 \{欧姆\} 还是伏特？{=%100%欧姆 =Ω ####电阻单位为欧姆}

::距离::10kV 安全距离（m）{#0.7:0.05}

::圆周率::[markdown]**圆周率**的前三位小数？{#3.141..3.142}

::多个数值::[moodle]变压器效率约为多少？{#
	=%100%0.98:0.005#很准确
	=%50%0.98:0.02
}

::配对::把措施与目的配对。{
	=停电 -> 断开电源
	=验电 -> 确认无电压
	= -> 悬挂标示牌
}

::挂牌::在 {=止步，高压危险 ~在此工作 ~禁止合闸} 位置悬挂标示牌。

::背景::以下三题基于同一起误操作事故\: 请先阅读。

::论述::论述“两票三制”。{}
"""


def test_gift_imports_every_construct_with_exact_keys():
    report = formats.import_question_file(formats.parse_gift(GIFT.encode()))
    assert report.problems == [] and report.created == 11
    q = by_name()
    assert q["送达时间"].type == "single" and q["送达时间"].options == ["一日", "当天", "三日"]
    assert q["送达时间"].answer == ["A"] and q["送达时间"].weights == ["100", "50", "0"]
    assert q["送达时间"].explanation == "《安规》规定前一日送达。"
    assert q["送达时间"].feedback == {"options": ["正确", "太晚了", ""]}
    assert q["送达时间"].stem == "<p>第一种工作票应在工作前（　）送达。</p>"
    assert q["送达时间"].category.full_path == "Default for 供电服务培训/两票"
    assert q["组织措施"].type == "multiple" and q["组织措施"].answer == ["A", "B"]
    assert q["组织措施"].weights == ["50", "50", "-100"]
    assert q["约时"].answer is False
    assert q["约时"].feedback == {"incorrect": "错：不可以约时。", "correct": "对。"}
    assert q["约时"].stem == "<p>可以约时停送电 &lt;不可以&gt;。</p>"
    assert q["单位"].type == "fill" and q["单位"].answer == [["欧姆", "Ω"]]
    assert "{欧姆}" in q["单位"].stem and q["单位"].explanation == "电阻单位为欧姆"
    assert q["距离"].answer == {
        "answers": [{"value": "0.7", "tolerance": "0.05", "fraction": "100"}],
        "units": [],
    }
    assert q["圆周率"].answer == {
        "answers": [{"value": "3.1415", "tolerance": "0.0005", "fraction": "100"}],
        "units": [],
    }
    assert "<strong>圆周率</strong>" in q["圆周率"].stem and "**" not in q["圆周率"].stem
    assert q["多个数值"].answer["answers"] == [
        {"value": "0.98", "tolerance": "0.005", "fraction": "100"},
        {"value": "0.98", "tolerance": "0.02", "fraction": "50"},
    ]
    assert q["多个数值"].feedback == {"correct": "很准确"}
    assert q["配对"].type == "matching"
    assert q["配对"].answer == [["停电", "断开电源"], ["验电", "确认无电压"], ["", "悬挂标示牌"]]
    assert q["挂牌"].type == "single" and q["挂牌"].answer == ["A"]
    assert q["挂牌"].stem == "<p>在 _____ 位置悬挂标示牌。</p>"
    assert q["背景"].type == "description"
    assert q["背景"].stem == "<p>以下三题基于同一起误操作事故: 请先阅读。</p>"
    assert q["论述"].type == "essay"
    for question in q.values():
        assert "[html]" not in question.stem and "[plain]" not in question.stem
        assert "[markdown]" not in question.stem and "[moodle]" not in question.stem


def test_gift_without_category_gives_one_hint_and_imports_with_one():
    text = GIFT.replace("$CATEGORY: $course$/top/Default for 供电服务培训/两票", "")
    report = formats.import_question_file(formats.parse_gift(text.encode()))
    assert len(report.problems) == 1 and report.problems[0].number == 0
    from assessments import services

    report = formats.import_question_file(
        formats.parse_gift(text.encode()), default_category=services.category_for_path("导入")
    )
    assert report.created == 11


def test_gift_partial_short_answers_are_skipped_and_reported():
    text = "$CATEGORY: 安规\n\n::部分分::电阻单位 {=%100%欧姆 =%50%欧}\n\n::好题::可以约时停送电。{F}\n"
    report = formats.import_question_file(formats.parse_gift(text.encode()))
    assert report.created == 0 and report.problems[0].name == "部分分"
    report = formats.import_question_file(formats.parse_gift(text.encode()), skip_unsupported=True)
    assert report.created == 1 and [(s.number, s.name) for s in report.skipped] == [(1, "部分分")]


# -- round trips and scoring ----------------------------------------------------------------


def bank_of_every_type():
    from tests.factories import assessments as af

    category = af.category("安规/综合/O'Neil")
    for kind in ("single", "multiple", "truefalse", "fill", "short", "essay", "numerical",
                 "matching", "description"):  # fmt: skip
        af.question(type=kind, category=category, points=Decimal("2.5"), knowledge_points=["验电"])
    af.question(type="fill", category=category, answer=[["停电"], ["验电", "验明无电"]])
    af.question(type="fill", category=category, answer=[['停}电~#"'], ["验/电", "a\\b<&>"]])
    af.question(
        type="single",
        category=category,
        name="O'Neil 的权重题",
        answer=["B"],
        weights=["50", "100", "0", "-25"],
        explanation="解析 <b>不是</b> HTML",
        feedback={
            "correct": "对",
            "partial": "部分",
            "incorrect": "错",
            "options": ["一", "", "", "四"],
        },
    )
    af.question(
        type="truefalse",
        category=category,
        answer=False,
        feedback={"correct": "是", "incorrect": "否"},
    )
    af.question(
        type="multiple", category=category, answer=["A", "B"], weights=["50", "50", "-100", "0"]
    )
    return [q.content() for q in Question.objects.order_by("pk")]


@pytest.mark.parametrize("export", [formats.export_moodle_xml, formats.export_gift])
def test_every_type_round_trips(export):
    before = bank_of_every_type()
    content = export(Question.objects.all())
    Question.objects.all().delete()
    parse = formats.parse_moodle_xml if export is formats.export_moodle_xml else formats.parse_gift
    report = formats.import_question_file(parse(content))
    assert report.problems == [] and report.created == len(before)
    after = [q.content() for q in Question.objects.order_by("pk")]
    for old, new in zip(before, after, strict=True):
        old.pop("category_id"), new.pop("category_id")
        if export is formats.export_gift:
            old.pop("points"), new.pop("points")  # GIFT has no grades
            old.pop("difficulty"), new.pop("difficulty")  # nor tags
            old.pop("knowledge_points"), new.pop("knowledge_points")
        assert old == new
    assert Question.objects.first().category.full_path == "安规/综合/O'Neil"


def test_moodle_export_means_what_our_grading_means():
    from tests.factories import assessments as af

    af.question(type="multiple", answer=["A", "C"], name="多选")
    af.question(type="fill", answer=[["停电"], ["验电", "验明无电"]], name="两空")
    af.question(type="single", answer=["A"], name="O'Neil & 甲")
    xml = formats.export_moodle_xml(Question.objects.all()).decode()
    assert '<answer fraction="50" format="html"><text><![CDATA[选项一]]>' in xml
    assert '<answer fraction="-100" format="html"><text><![CDATA[选项二]]>' in xml
    assert "<name><text>O'Neil &amp; 甲</text></name>" in xml and "&#x27;" not in xml
    assert "<defaultgrade>1.0000000</defaultgrade>" in xml
    # Several blanks travel as a Moodle cloze, one short-answer gap per blank.
    assert '<question type="cloze">' in xml
    assert "{1:SHORTANSWER:=停电} {1:SHORTANSWER:=验电~=验明无电}" in xml
    gift = formats.export_gift(Question.objects.all()).decode()
    assert "~%50%选项一" in gift and "~%-100%选项二" in gift
    assert "::O'Neil & 甲::[html]" in gift


def exam_with(question, people):
    from tests.factories import assessments as af

    return af.exam(questions=[question], audience=[people["employee"]], partial_credit=True)


@pytest.mark.parametrize(
    ("kind", "answer", "weights", "response", "score"),
    [
        ("numerical", None, [], "0.72", "2.50"),
        ("numerical", None, [], "0.85", "1.25"),  # within the wider tolerance: 50 %
        ("numerical", None, [], "72 cm", "2.50"),
        ("numerical", None, [], "0.72 km", "0.00"),
        ("numerical", None, [], "零点七", "0.00"),
        ("matching", None, [], ["断开电源", "确认无电压"], "2.50"),
        ("matching", None, [], ["断开电源", "悬挂标示牌"], "1.25"),
        ("matching", None, [], ["确认无电压", "断开电源"], "0.00"),
        ("single", ["B"], ["50", "100", "0", "-25"], ["A"], "1.25"),
        ("single", ["B"], ["50", "100", "0", "-25"], ["D"], "0.00"),
        ("multiple", ["A", "B"], ["50", "50", "-100", "0"], ["A", "B", "C"], "0.00"),
        ("multiple", ["A", "B"], ["50", "50", "-100", "0"], ["A", "D"], "1.25"),
        ("multiple", ["A", "B"], ["50", "50", "-100", "0"], ["A", "B", "D"], "2.50"),
    ],
)
def test_new_types_score_on_the_exam_page(client, people, kind, answer, weights, response, score):
    from django.urls import reverse

    from assessments import services
    from tests.conftest import login
    from tests.factories import assessments as af

    fields = {"answer": answer} if answer is not None else {}
    question = af.question(type=kind, points=Decimal("2.5"), weights=weights, **fields)
    exam = exam_with(question, people)
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    item = attempt.items.get()
    login(client, people["employee"])
    page = client.get(reverse("assessments:attempt_page", args=[attempt.pk])).content.decode()
    if kind == "matching":
        assert page.count('<select id="q') == 2 and "悬挂标示牌" in page
    if kind == "numerical":
        assert 'inputmode="decimal"' in page
    saved = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        data={"answers": [{"item": item.pk, "response": response, "seq": 1}]},
        content_type="application/json",
    )
    assert saved.json()["ok"] is True
    client.post(reverse("assessments:attempt_submit", args=[attempt.pk]))
    item.refresh_from_db()
    assert str(item.score) == score
    attempt.refresh_from_db()
    assert attempt.max_score == Decimal("2.5")


def test_a_description_is_shown_and_earns_nothing(client, people):
    from django.urls import reverse

    from assessments import services
    from tests.conftest import login
    from tests.factories import assessments as af

    text = af.question(type="description", stem="<p>以下题目基于同一事故。</p>")
    truefalse = af.question(type="truefalse", answer=True, points=Decimal(2))
    exam = af.exam(questions=[text, truefalse], audience=[people["employee"]])
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    login(client, people["employee"])
    page = client.get(reverse("assessments:attempt_page", args=[attempt.pk])).content.decode()
    assert "以下题目基于同一事故。" in page
    description, judged = attempt.items.order_by("position")
    refused = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        data={"answers": [{"item": description.pk, "response": "x", "seq": 1}]},
        content_type="application/json",
    )
    assert refused.json()["ok"] is False
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": judged.pk, "response": True, "seq": 2}]
    )
    services.attempt_submit(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.max_score == 2 and attempt.score == 2 and attempt.percent == 100


def test_review_shows_the_feedback_for_the_response(client, people):
    from django.urls import reverse

    from assessments import services
    from tests.conftest import login
    from tests.factories import assessments as af

    question = af.question(
        type="single",
        answer=["B"],
        feedback={
            "correct": "回答正确",
            "incorrect": "回答错误",
            "options": ["A 是工作地点用的", "", "", ""],
        },
    )
    exam = af.exam(
        questions=[question], audience=[people["employee"]], review_policy="after_submit"
    )
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    item = attempt.items.get()
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    login(client, people["employee"])
    body = client.get(reverse("assessments:attempt_result", args=[attempt.pk])).content.decode()
    assert "A 是工作地点用的" in body and "回答错误" in body and "回答正确" not in body


def test_admin_imports_a_moodle_file_with_a_preview_and_the_skip_checkbox(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import login

    login(client, people["trainer"])
    index = client.get("/admin/assessments/questions/").content.decode()
    assert "/admin/assessments/questions/import-file/" in index
    url = "/admin/assessments/questions/import-file/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"question_file": SimpleUploadedFile("bank.xml", MOODLE)})
    body = refused.content.decode()
    assert "完形填空" in body and 'name="confirm"' not in body
    preview = client.post(
        url, {"question_file": SimpleUploadedFile("bank.xml", MOODLE), "skip_unsupported": "on"}
    )
    body = preview.content.decode()
    assert re.search(r"8 question\(s\) to create, 1 skipped|将创建 8 道题，跳过 1 道", body)
    assert "完形填空" in body and not Question.objects.exists()
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    done = client.post(
        url, {"confirm": "1", "token": token, "extension": "xml", "skip_unsupported": "on"}
    )
    assert done.status_code == 302 and Question.objects.count() == 8
    login(client, people["employee"])
    assert client.get(url).status_code in (302, 403)


def test_a_cloze_of_short_answer_gaps_is_a_fill_in_with_a_blank_per_gap():
    xml = """<quiz><question type="category"><category><text>$course$/top/安规</text></category></question>
<question type="cloze"><name><text>两空</text></name>
<questiontext format="html"><text><![CDATA[<p>电压单位是 {1:SHORTANSWER:=伏特#对~=V~*#再想想}，电流单位是 {1:SA:=安培~%0%欧姆}。</p>]]></text></questiontext>
<generalfeedback format="html"><text></text></generalfeedback><penalty>0.3333333</penalty><hidden>0</hidden><idnumber></idnumber>
</question></quiz>"""
    report = formats.import_question_file(formats.parse_moodle_xml(xml.encode()))
    assert report.problems == [] and report.created == 1
    question = Question.objects.get()
    assert question.type == "fill" and question.answer == [["伏特", "V"], ["安培"]]
    assert question.stem == "<p>电压单位是 _____，电流单位是 _____。</p>"
    assert question.points == 2


def test_a_weights_correction_regrades_taken_attempts(people):
    from assessments import services
    from tests.factories import assessments as af

    question = af.question(type="single", answer=["B"], points=Decimal(2))
    exam = af.exam(questions=[question], audience=[people["employee"]])
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    item = attempt.items.get()
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.score == 0
    services.question_update(question=question, weights=["50", "100", "0", "0"])
    assert services.exam_regrade(exam=exam, question=question) == 1
    attempt.refresh_from_db()
    assert attempt.score == 1


def test_an_option_holding_an_image_is_skipped_with_its_reason():
    xml = f"""<quiz><question type="category"><category><text>$course$/top/安规</text></category></question>
<question type="multichoice"><name><text>看图选择</text></name>
<questiontext format="html"><text>哪个是接地标志？</text></questiontext><defaultgrade>1.0000000</defaultgrade>
<single>true</single>
<answer fraction="100" format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/a.png"></p>]]></text>
<file name="a.png" path="/" encoding="base64">{png()}</file></answer>
<answer fraction="0" format="html"><text>都不是</text></answer></question></quiz>"""
    report = formats.import_question_file(
        formats.parse_moodle_xml(xml.encode()), skip_unsupported=True
    )
    assert report.created == 0 and report.problems == []
    assert report.skipped == [
        formats.Problem(
            1, "看图选择", "option A holds an image; options with images are not supported"
        )
    ]


def test_a_gift_file_saved_by_notepad_in_gbk_imports():
    text = "$CATEGORY: 安规\n\n::约时::可以约时停送电。{F}\n"
    report = formats.import_question_file(formats.parse_gift(text.encode("gbk")))
    assert report.created == 1 and Question.objects.get().name == "约时"


# Exactly as Moodle 4's GIFT writer (question/format/gift) lays questions out: a comment per
# question, names and texts with \: \= \# escaped, HTML answers, a format marker before any
# answer whose format differs from the question's, "#" after every short/numerical answer.
MOODLE_GIFT = r"""// question: 0  name: Switch category to $course$/top/Default for 供电服务培训/导出
$CATEGORY: $course$/top/Default for 供电服务培训/导出


// question: 311  name: 技术措施
::技术措施::[html]<p dir\="ltr" style\="text-align\: left;">保证安全的技术措施有</p>{
	~%50%<p dir\="ltr">停电</p>
	~%50%<p dir\="ltr">验电</p>#<p>对</p>
	~%-100%[moodle]交接班#交接班是组织措施
	####<p>见《安规》</p>
}

// question: 312  name: 电阻单位
::电阻单位::[html]<p>电阻的单位是？</p>{
	=%100%欧姆#
	=%100%Ω#
}

// question: 313  name: 安全距离
::安全距离::[html]<p>10kV 安全距离（m）</p>{#
	=%100%0.7:0.05#
	=%50%0.7:0.2#
	~#<p>再查一下《安规》</p>
}

// question: 314  name: 配对
::配对::[html]<p>把措施与目的配对。</p>{
	=<p>停电</p> -> 断开电源
	=<p>验电</p> -> 确认无电压
	= -> 悬挂标示牌
}

// question: 315  name: 约时
::约时::[html]<p>严禁约时停送电。</p>{TRUE##<p>对。</p>}

// question: 316  name: 背景
::背景::[html]<p>以下题目基于同一次检修。</p>
"""


def test_gift_as_moodles_writer_shapes_it():
    report = formats.import_question_file(formats.parse_gift(MOODLE_GIFT.encode()))
    assert report.problems == [] and report.created == 6
    q = by_name()
    measures = q["技术措施"]
    assert measures.stem == "<p>保证安全的技术措施有</p>"
    assert measures.options == ["停电", "验电", "交接班"]
    assert measures.type == "multiple" and measures.weights == ["50", "50", "-100"]
    assert measures.feedback == {"options": ["", "对", "交接班是组织措施"]}
    assert measures.explanation == "见《安规》"
    assert measures.category.full_path == "Default for 供电服务培训/导出"
    assert q["电阻单位"].answer == [["欧姆", "Ω"]]
    assert q["安全距离"].answer["answers"] == [
        {"value": "0.7", "tolerance": "0.05", "fraction": "100"},
        {"value": "0.7", "tolerance": "0.2", "fraction": "50"},
    ]
    assert q["配对"].answer == [["停电", "断开电源"], ["验电", "确认无电压"], ["", "悬挂标示牌"]]
    assert q["约时"].answer is True and q["约时"].feedback == {"correct": "对。"}
    assert q["背景"].type == "description"


@pytest.mark.parametrize(
    ("hidden", "active"),
    [("0", True), ("1", False), ("ready", True), ("hidden", False), ("draft", False)],
)
def test_hidden_as_moodle_3_and_4_write_it(hidden, active):
    xml = f"""<quiz><question type="essay"><name><text>n</text></name>
<questiontext format="html"><text>论述。</text></questiontext><hidden>{hidden}</hidden></question></quiz>"""
    assert formats.parse_moodle_xml(xml.encode())[0].is_active is active


def test_stems_already_in_the_bank_are_cleaned_as_new_versions():
    from tests.factories import assessments as af

    hostile = af.question(
        stem='<p>正文</p><style>body{display:none}</style><p onclick="x()">二</p>'
    )
    image = '<p>看图</p><embed alt="牌" embedtype="image" format="fullwidth" id="7"/>'
    clean = af.question(stem=image + '<p><a id="3" linktype="document">安规</a></p>')
    call_command("clean_question_html", "--dry-run")
    hostile.refresh_from_db()
    assert "<style>" in hostile.stem
    call_command("clean_question_html")
    hostile.refresh_from_db()
    clean.refresh_from_db()
    assert hostile.stem == "<p>正文</p><p>二</p>" and hostile.version == 2
    assert clean.stem == image + '<p><a id="3" linktype="document">安规</a></p>'
    assert clean.version == 1
