"""The question bank's list and the exam's edit page with ten times the data (issue 20 §5): as
many queries with 10×N questions, categories and employees as with N; an exam's fixed question
and per-employee override are choosers, and its rules' categories are read once for all rules
(bench/admin_pages.py measures their time)."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import QuestionCategory
from tests import factories as f
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def _more(people, n, start):
    """n more questions (each in a category of its own), and n more employees."""
    for i in range(start, start + n):
        af.question(category=af.category(f"安全规程/题库{i}"))
        f.employee(department=people["employee"].department)


@pytest.fixture
def exam(people):
    _more(people, 3, 0)
    fixed = af.question()
    exam = af.exam(
        questions=[fixed],
        rules=[
            {"count": 1, "type": "single", "category": af.category("安全规程/题库0")},
            {"count": 1, "type": "single", "category": af.category("安全规程/题库1")},
        ],
        audience=[people["employee"]],
    )
    services.exam_override_set(exam=exam, employee=people["employee"], extra_minutes=10)
    return exam


@pytest.mark.parametrize("page", ["questions:index", "exams:edit"])
def test_page_reads_as_many_queries_with_ten_times_the_data(
    client, people, exam, page, django_assert_num_queries
):
    login(client, people["trainer"])
    url = reverse(page, args=[exam.pk] if page == "exams:edit" else [])
    assert client.get(url).status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == HTTPStatus.OK
    _more(people, 27, 3)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK


def test_exam_edit_chooses_questions_and_employees_and_names_categories_by_path(
    client, people, exam
):
    login(client, people["trainer"])
    body = client.get(reverse("exams:edit", args=[exam.pk])).content.decode()
    fixed = exam.fixed_questions.get()
    assert '<select name="fixed_questions-0-question"' not in body
    assert f'name="fixed_questions-0-question" value="{fixed.question_id}"' in body
    assert '<select name="overrides-0-employee"' not in body
    assert f'name="overrides-0-employee" value="{people["employee"].pk}"' in body
    assert reverse("question_chooser:choose") in body
    assert reverse("employee_chooser:choose") in body
    # The rules' drop-downs name each category by its path, as before.
    paths = QuestionCategory.objects.all().full_paths()
    assert paths == {c.pk: c.full_path for c in QuestionCategory.objects.all()}
    assert ">安全规程/题库1</option>" in body


def test_an_exam_still_saves_its_fixed_question_and_override_by_id(client, people, exam):
    """The choosers post the chosen record's id, as the drop-downs did."""
    login(client, people["trainer"])
    edit = client.get(reverse("exams:edit", args=[exam.pk]))
    assert edit.status_code == HTTPStatus.OK
    other = af.question()
    fixed = exam.fixed_questions.get()
    override = exam.overrides.get()
    form = edit.context["form"]
    data = {
        name: value
        for name, value in _form_data(form).items()
        if not name.startswith("fixed_questions-0-question")
    }
    data["fixed_questions-0-id"] = str(fixed.pk)
    data["fixed_questions-0-question"] = str(other.pk)
    data["overrides-0-id"] = str(override.pk)
    data["overrides-0-employee"] = str(people["colleague"].pk)
    response = client.post(reverse("exams:edit", args=[exam.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert exam.fixed_questions.get().question == other
    assert exam.overrides.get().employee == people["colleague"]


def _form_data(form):
    """What the browser would post for the form as rendered: fields and formsets."""
    data = {}

    def add(bound_form):
        for name in bound_form.fields:
            value = bound_form[name].value()
            key = bound_form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[key] = str(getattr(value, "pk", value))

    add(form)
    for formset in form.formsets.values():
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for child in formset.forms:
            add(child)
    return data
