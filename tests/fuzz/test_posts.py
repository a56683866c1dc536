"""Random posts to the exam autosave endpoint and to admin create forms.

Never a server error; a refusal says why; a refused request changes nothing.
"""

import json
from http import HTTPStatus

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments import services as exam_services
from assessments.models import AttemptItem, QuestionType
from tests.conftest import login
from tests.factories import assessments as af


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


# --- autosave ------------------------------------------------------------------------------------


@pytest.fixture
def attempt(people):
    questions = [
        af.question(type=kind)
        for kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE,
                     QuestionType.FILL, QuestionType.SHORT, QuestionType.ESSAY)
    ]  # fmt: skip
    exam = af.exam(questions=questions, audience=[people["employee"]], time_limit_minutes=60)
    return exam_services.attempt_start(exam=exam, employee=people["employee"])


def stored(attempt):
    return list(
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("pk")
        .values_list("pk", "response", "seq")
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["A", "B", "E", "", "\x00", "\ud800", "a" * 30000]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def answers(draw, item_ids):
    item = draw(st.one_of(st.sampled_from(item_ids), scalars))
    response = draw(
        st.one_of(
            st.sampled_from(["A", ["A", "C"], True, False, ["欧姆"], "停电验电", None, ["A"] * 20]),
            json_values,
        )
    )
    seq = draw(st.one_of(st.integers(min_value=-5, max_value=2**70), scalars))
    answer = {"item": item, "response": response, "seq": seq}
    for key in draw(st.lists(st.sampled_from(["item", "response", "seq"]), max_size=2)):
        answer.pop(key, None)
    return answer


@st.composite
def bodies(draw, item_ids):
    kind = draw(st.sampled_from(["answers", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    batch = draw(st.lists(st.one_of(answers(item_ids), json_values), max_size=5))
    return json.dumps({"answers": batch}).encode()


def test_autosave_with_random_bodies(client, people, attempt, settings):
    # Hundreds of posts to one attempt: the per-attempt rate limit (its own tests) stays out.
    settings.ASSESSMENTS_SAVE_RATE_PER_MINUTE = 1_000_000
    item_ids = [pk for pk, _r, _s in stored(attempt)]
    login(client, people["employee"])
    url = reverse("assessments:attempt_save", args=[attempt.pk])

    @given(body=bodies(item_ids))
    def post(body):
        before = stored(attempt)
        response = client.post(url, body, content_type="application/json")
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT)
        data = response.json()
        if response.status_code != HTTPStatus.OK:
            assert data["ok"] is False and data["error"].strip()
            assert stored(attempt) == before, "a refused save changed answers"
        else:
            assert data["ok"] is True

    post()


def test_autosave_refuses_deeply_nested_and_huge_bodies(client, people, attempt):
    login(client, people["employee"])
    url = reverse("assessments:attempt_save", args=[attempt.pk])
    before = stored(attempt)
    nested = b'{"answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(url, nested, content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    huge = json.dumps({"answers": [{"item": 1, "response": "x" * (6 * 1024 * 1024), "seq": 1}]})
    response = client.post(url, huge.encode(), content_type="application/json")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert stored(attempt) == before


def test_autosave_still_saves_a_good_answer(client, people, attempt):
    """The fuzz target is real: a proper body is saved."""
    item = AttemptItem.objects.filter(attempt=attempt).order_by("position").first()
    login(client, people["employee"])
    url = reverse("assessments:attempt_save", args=[attempt.pk])
    body = json.dumps({"answers": [{"item": item.pk, "response": ["A"], "seq": 3}]})
    assert client.post(url, body, content_type="application/json").json()["saved"] == [item.pk]
    item.refresh_from_db()
    assert item.response == ["A"] and item.seq == 3


# --- admin create forms ------------------------------------------------------------------------

FORMS = [
    ("employees:add", "hr", "lms.Employee"),
    ("departments:add", "hr", "lms.Department"),
    ("positions:add", "hr", "lms.Position"),
    ("questions:add", "trainer", "assessments.Question"),
    ("question_categories:add", "trainer", "assessments.QuestionCategory"),
]
form_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "1", "99999999999999999999", "2026-02-30", "1e309", "NaN",
                     "on", "single", "fill", '[["a"]]', "{", "A", "\x00", "a" * 5000]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)  # fmt: skip


@pytest.mark.parametrize(("url_name", "who", "model"), FORMS)
def test_admin_create_forms_with_random_posts(client, people, url_name, who, model):
    login(client, people[who])
    url = reverse(url_name)
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    names = list(page.context["form"].fields)
    Model = apps.get_model(model)

    @given(
        data=st.dictionaries(
            st.one_of(st.sampled_from(names), st.text(max_size=10)),
            st.one_of(form_values, st.lists(form_values, max_size=3)),
            max_size=len(names) + 3,
        )
    )
    def post(data):
        before = Model.objects.count()
        response = client.post(url, data)
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), response.status_code
        if response.status_code == HTTPStatus.OK:
            assert Model.objects.count() == before, "a refused form saved a row"

    post()
