from http import HTTPStatus

import pytest

from assessments.models import Exam, Question
from tests.assessments.test_queries import with_session
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def question_form(category, **overrides):
    data = {
        "category": category.pk,
        "type": "multiple",
        "stem": '{"blocks":[{"key":"a","type":"unstyled","text":"停电作业的技术措施有哪些？",'
        '"depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "option_A": "停电",
        "option_B": "验电",
        "option_C": "聊天",
        "answer_text": "A,B",
        "explanation": "",
        "difficulty": "3",
        "points": "2",
        "is_active": "on",
        "knowledge_text": "停电，验电",
    }
    data.update(overrides)
    return data


def test_trainer_adds_and_edits_a_question_making_versions(client, people):
    category = af.category()
    login(client, people["trainer"])
    response = client.post("/admin/assessments/questions/new/", question_form(category))
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    question = Question.objects.get()
    assert question.answer == ["A", "B"] and question.options == ["停电", "验电", "聊天"]
    assert question.knowledge_points == ["停电", "验电"]
    response = client.post(
        f"/admin/assessments/questions/edit/{question.pk}/",
        question_form(category, answer_text="ABC"),
    )
    assert response.status_code == HTTPStatus.FOUND
    question.refresh_from_db()
    assert question.version == 2 and question.answer == ["A", "B", "C"]


def test_a_bad_answer_is_shown_on_the_form(client, people):
    category = af.category()
    login(client, people["trainer"])
    response = client.post(
        "/admin/assessments/questions/new/", question_form(category, answer_text="AZ")
    )
    assert response.status_code == HTTPStatus.OK
    assert "answer_text" in response.context["form"].errors
    response = client.post(
        "/admin/assessments/questions/new/", question_form(category, answer_text="A")
    )
    assert response.status_code == HTTPStatus.OK
    assert not Question.objects.exists()


@pytest.mark.parametrize("role", ["employee", "hr", "manager"])
def test_other_roles_cannot_add_questions(client, people, role):
    login(client, people[role])
    response = client.get("/admin/assessments/questions/new/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


@pytest.mark.parametrize("count", [5, 50])
def test_question_index_query_count(client, people, django_assert_num_queries, count):
    category = af.category()
    for _ in range(count):
        af.question(category=category)
    login(client, people["trainer"])
    client.get("/admin/assessments/questions/")  # warm caches
    with django_assert_num_queries(QUESTION_INDEX_QUERIES):
        response = client.get("/admin/assessments/questions/")
    assert response.status_code == HTTPStatus.OK


# The admin shell looks up the explorable page tree (training and drill index pages included).
QUESTION_INDEX_QUERIES = with_session(9)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/assessments/categories/",
        "/admin/assessments/categories/new/",
        "/admin/assessments/questions/new/",
        "/admin/assessments/exams/",
        "/admin/assessments/exams/new/",
        "/admin/assessments/attempts/",
        "/admin/assessments/certificates/",
        "/admin/assessments/qualification-rules/new/",
    ],
)
def test_admin_screens_open_for_a_trainer(client, people, url):
    af.question()
    login(client, people["trainer"])
    assert client.get(url).status_code == HTTPStatus.OK


def test_trainer_creates_a_category_under_a_parent(client, people):
    parent = af.category("安规")
    login(client, people["trainer"])
    response = client.post(
        "/admin/assessments/categories/new/", {"name": "线路安全", "parent": parent.pk}
    )
    assert response.status_code == HTTPStatus.FOUND
    parent.refresh_from_db()
    assert parent.get_children().get().name == "线路安全"


def test_manager_sees_only_the_attempts_of_the_team(client, people):
    from assessments import services

    exam = af.exam(questions=[af.question()], audience=[people["employee"], people["outsider"]])
    for who in ("employee", "outsider"):
        services.attempt_start(exam=exam, employee=people[who])
    login(client, people["manager"])
    response = client.get("/admin/assessments/attempts/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert people["employee"].name in body and people["outsider"].name not in body


def test_trainer_creates_an_exam_with_questions_rules_and_overrides(client, people):
    q = af.question()
    cat = af.category()
    login(client, people["trainer"])
    data = {
        "title": "年度考试",
        "kind": "formal",
        "description": "",
        "is_published": "on",
        "opens_at": "",
        "closes_at": "",
        "time_limit_minutes": "60",
        "max_attempts": "1",
        "grading_method": "highest",
        "pass_mark": "60",
        "review_policy": "after_close",
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "certificate_title": "",
        "certificate_valid_months": "",
        "fixed_questions-TOTAL_FORMS": "1",
        "fixed_questions-INITIAL_FORMS": "0",
        "fixed_questions-MIN_NUM_FORMS": "0",
        "fixed_questions-MAX_NUM_FORMS": "1000",
        "fixed_questions-0-question": str(q.pk),
        "fixed_questions-0-points": "",
        "fixed_questions-0-ORDER": "1",
        "fixed_questions-0-id": "",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-count": "1",
        "rules-0-type": "single",
        "rules-0-category": str(cat.pk),
        "rules-0-difficulty": "",
        "rules-0-points": "",
        "rules-0-ORDER": "1",
        "rules-0-id": "",
        "overrides-TOTAL_FORMS": "1",
        "overrides-INITIAL_FORMS": "0",
        "overrides-MIN_NUM_FORMS": "0",
        "overrides-MAX_NUM_FORMS": "1000",
        "overrides-0-employee": str(people["employee"].pk),
        "overrides-0-extra_minutes": "10",
        "overrides-0-extra_attempts": "0",
        "overrides-0-reason": "",
        "overrides-0-id": "",
        "audience_employees": [str(people["employee"].pk)],
    }
    r = client.post("/admin/assessments/exams/new/", data)
    assert r.status_code == 302
    exam = Exam.objects.get()
    assert (
        exam.fixed_questions.count() == 1
        and exam.rules.count() == 1
        and exam.overrides.count() == 1
    )
    # Through the service (#15): one log entry, and the trainer is named as its author.
    from wagtail.models import ModelLogEntry

    assert exam.created_by == people["trainer"].user
    assert ModelLogEntry.objects.for_instance(exam).get().action == "wagtail.create"
    edited = {
        **data,
        "rules-INITIAL_FORMS": "1",
        "rules-0-id": str(exam.rules.get().pk),
        "rules-0-DELETE": "on",
        "fixed_questions-INITIAL_FORMS": "1",
        "fixed_questions-0-id": str(exam.fixed_questions.get().pk),
        "overrides-INITIAL_FORMS": "1",
        "overrides-0-id": str(exam.overrides.get().pk),
        "overrides-0-extra_minutes": "20",
    }
    r = client.post(f"/admin/assessments/exams/edit/{exam.pk}/", edited)
    assert r.status_code == 302, r.context["form"].errors
    assert exam.rules.count() == 0 and exam.overrides.get().extra_minutes == 20
    assert [e.action for e in ModelLogEntry.objects.for_instance(exam).order_by("pk")] == [
        "wagtail.create",
        "wagtail.edit",
    ]


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        (
            {"type": "numerical", "answer_text": "0.7±0.05|0.7±0.2(50%)|单位:m=1,cm=100"},
            {
                "answer": {
                    "answers": [
                        {"value": "0.7", "tolerance": "0.05", "fraction": "100"},
                        {"value": "0.7", "tolerance": "0.2", "fraction": "50"},
                    ],
                    "units": [
                        {"unit": "m", "multiplier": "1"},
                        {"unit": "cm", "multiplier": "100"},
                    ],
                }
            },
        ),
        (
            {"type": "matching", "answer_text": "停电->断开电源|验电->确认无电压|->悬挂标示牌"},
            {"answer": [["停电", "断开电源"], ["验电", "确认无电压"], ["", "悬挂标示牌"]]},
        ),
        ({"type": "description", "answer_text": ""}, {"answer": []}),
        (
            {"type": "single", "answer_text": "B", "weights_text": "50|100|0", "name": "带权重"},
            {"answer": ["B"], "weights": ["50", "100", "0"], "name": "带权重"},
        ),
    ],
)
def test_trainer_adds_the_new_types_on_the_form(client, people, fields, stored):
    category = af.category()
    login(client, people["trainer"])
    data = question_form(category, **fields)
    if fields["type"] != "single":
        data.update({f"option_{letter}": "" for letter in "ABCDEFGH"})
    response = client.post("/admin/assessments/questions/new/", data)
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    question = Question.objects.get()
    for name, value in stored.items():
        assert getattr(question, name) == value
    edit = client.get(f"/admin/assessments/questions/edit/{question.pk}/")
    assert edit.status_code == HTTPStatus.OK
