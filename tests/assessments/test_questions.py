from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import answers, services
from assessments.models import Question, QuestionCategory, QuestionType, QuestionVersion
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def test_category_path_is_created_once_and_reused():
    leaf = services.category_for_path("安全规程/电气安全")
    again = services.category_for_path(" 安全规程 / 电气安全 ")
    assert leaf.pk == again.pk
    assert leaf.full_path == "安全规程/电气安全"
    assert QuestionCategory.objects.count() == 2
    other = services.category_for_path("安全规程/线路安全")
    assert other.get_parent().pk == leaf.get_parent().pk


@pytest.mark.parametrize("question_type", list(QuestionType))
def test_every_type_can_be_created(question_type):
    question = af.question(type=question_type)
    assert question.version == 1
    assert question.versions.get().content["type"] == question_type


@pytest.mark.parametrize(
    ("options", "answer", "field"),
    [
        (["只有一个"], ["A"], "options"),
        ([f"选项{i}" for i in range(9)], ["A"], "options"),
        (["甲", ""], ["A"], "options"),
        (["甲", "乙"], ["C"], "answer"),
        (["甲", "乙"], ["A", "B"], "answer"),
    ],
)
def test_single_choice_validation(options, answer, field):
    with pytest.raises(ValidationError) as error:
        af.question(type=QuestionType.SINGLE, options=options, answer=answer)
    assert field in error.value.message_dict
    assert not Question.objects.exists()


def test_difficulty_must_be_1_to_5():
    with pytest.raises(ValidationError):
        af.question(difficulty=6)


def test_editing_makes_a_new_version_and_keeps_the_old():
    question = af.question(stem="<p>旧题干</p>")
    services.question_update(question=question, stem="<p>新题干</p>")
    question.refresh_from_db()
    assert question.version == 2
    versions = {
        v.number: v.content["stem"] for v in QuestionVersion.objects.filter(question=question)
    }
    assert versions == {1: "<p>旧题干</p>", 2: "<p>新题干</p>"}


def test_saving_without_change_keeps_the_version():
    question = af.question()
    services.question_update(question=question, is_active=False)
    question.refresh_from_db()
    assert question.version == 1 and not question.is_active


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("单选", "single"),
        ("单选题", "single"),
        ("多选题", "multiple"),
        ("判断", "truefalse"),
        ("填空题", "fill"),
        ("简答", "short"),
        ("论述题", "essay"),
        ("Single", "single"),
        ("truefalse", "truefalse"),
        ("essay", "essay"),
    ],
)
def test_type_spellings(text, expected):
    assert answers.parse_type(text) == expected


@pytest.mark.parametrize(
    ("question_type", "text", "expected"),
    [
        ("single", "a", ["A"]),
        ("multiple", "ABD", ["A", "B", "D"]),
        ("multiple", "A,B,D", ["A", "B", "D"]),
        ("multiple", "D，A", ["A", "D"]),
        ("truefalse", "对", True),
        ("truefalse", "错误", False),
        ("truefalse", "√", True),
        ("truefalse", "×", False),
        ("truefalse", "T", True),
        ("truefalse", "F", False),
        ("truefalse", "正确", True),
        ("fill", "欧姆/Ω|2", [["欧姆", "Ω"], ["2"]]),
        ("fill", "10kV｜三相/3相", [["10kV"], ["三相", "3相"]]),
        ("short", "停电，验电,接地", ["停电", "验电", "接地"]),
        ("essay", "", []),
    ],
)
def test_answer_spellings(question_type, text, expected):
    assert answers.parse_answer(question_type, text) == expected


@pytest.mark.parametrize(
    ("question_type", "text"), [("single", "Z"), ("truefalse", "也许"), ("fill", "a||b")]
)
def test_bad_answers_are_refused(question_type, text):
    with pytest.raises(ValueError):
        answers.parse_answer(question_type, text)


@pytest.mark.parametrize(
    ("text", "expected"), [("1", 1), (5, 5), (3.0, 3), ("易", 1), ("较难", 4), ("难", 5)]
)
def test_difficulty_spellings(text, expected):
    assert answers.parse_difficulty(text) == expected


@pytest.mark.parametrize("text", ["0", "6", "很难", "2.5"])
def test_bad_difficulty(text):
    with pytest.raises(ValueError):
        answers.parse_difficulty(text)


@pytest.mark.parametrize(
    ("kind", "key", "response", "partial", "expected"),
    [
        ("single", ["B"], ["B"], False, "2.00"),
        ("single", ["B"], ["A"], False, "0.00"),
        ("multiple", ["A", "C"], ["A", "C"], False, "2.00"),
        ("multiple", ["A", "C"], ["A"], False, "0.00"),
        ("multiple", ["A", "C"], ["A"], True, "1.00"),
        ("multiple", ["A", "C"], ["A", "B"], True, "0.00"),
        ("truefalse", True, True, False, "2.00"),
        ("truefalse", True, False, False, "0.00"),
        ("fill", [["欧姆", "Ω"], ["2"]], ["Ω", "２"], False, "2.00"),
        ("fill", [["欧姆", "Ω"], ["2"]], ["欧 姆", "3"], False, "1.00"),
        ("short", ["停电", "验电"], "先停电再挂接地线", False, "1.00"),
        ("single", ["B"], None, False, "0.00"),
    ],
)
def test_scoring(kind, key, response, partial, expected):
    score = answers.score_response(kind, key, Decimal(2), response, partial_credit=partial)
    assert score == Decimal(expected)


def test_essay_and_keywordless_short_answer_need_a_person():
    assert answers.score_response("essay", [], 5, "文字") is None
    assert answers.score_response("short", [], 5, "文字") is None
