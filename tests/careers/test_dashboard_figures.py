"""Dashboard figures other apps register: compliance, exam pass rates, qualifications, drills."""

import datetime
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services as exam_services
from assessments.models import QualificationRule, QuestionType
from courses import services as course_services
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import assessments as af
from tests.factories import courses as cf

# The compliance data puts an assignment 30 days ahead, which must fall in the same year (what
# happens across a year end is tests/careers/test_year_boundary.py's business).
pytestmark = pytest.mark.today("2026-06-15")

FIGURES = ["training-compliance", "exam-pass-rates", "qualification-status", "drill-scores"]


def figure(response, key):
    return next(item for item in response.context["figures"] if item["key"] == key)


def row(item, department):
    return next(r for r in item["rows"] if r["department"] == department)


def compliance_data(staff):
    """Per person: one assignment done, one overdue, one due later."""
    today = timezone.localdate()
    done, late, later = (cf.course(lessons=0) for _ in range(3))
    for person in staff:
        course_services.assignment_create(employee=person, course=done, due_on=today)
        course_services.completion_record(
            employee=person, course=done, completed_on=today, source="external"
        )
        course_services.assignment_create(
            employee=person, course=late, due_on=today - datetime.timedelta(days=3)
        )
        course_services.assignment_create(
            employee=person, course=later, due_on=today + datetime.timedelta(days=30)
        )


def take_exam(exam, employee, answer):
    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[{"item": i.pk, "response": [answer], "seq": 1} for i in attempt.items.all()],
    )
    return exam_services.attempt_submit(attempt=attempt)


@pytest.fixture
def exam(people):
    question = af.question(type=QuestionType.SINGLE, answer=["A"])
    return af.exam(
        questions=[question],
        audience=[people["employee"], people["colleague"], people["outsider"]],
        max_attempts=3,
        pass_mark=60,
    )


def test_compliance_per_department_and_total(client, people, company):
    compliance_data([people["employee"], people["colleague"]])
    login(client, people["hr"])
    response = client.get(reverse("careers:dashboard"))
    item = figure(response, "training-compliance")
    team = people["employee"].department.name
    assert row(item, team)["cells"] == [Decimal(3), Decimal(1), Decimal(1)]
    assert row(item, team)["rate"] == Decimal(33)
    assert item["total"]["cells"] == [Decimal(6), Decimal(2), Decimal(2)]
    html = response.content.decode()
    assert 'id="figure-training-compliance"' in html
    assert reverse("careers:dashboard_export", args=["training-compliance"]) in html


def test_exam_pass_rates_and_qualification_status(client, people, exam):
    rule = QualificationRule(name="安规资格", valid_months=12)
    rule.save()
    rule.exams.set([exam])
    rule.save()
    take_exam(exam, people["employee"], "A")
    take_exam(exam, people["colleague"], "B")
    login(client, people["hr"])
    response = client.get(reverse("careers:dashboard"))
    rates = figure(response, "exam-pass-rates")
    team = people["employee"].department.name
    assert row(rates, team)["cells"] == [Decimal(1), Decimal(1)]
    assert rates["total"]["cells"] == [Decimal(2), Decimal(1)]
    assert rates["total"]["rate"] == Decimal(50)
    qualified = figure(response, "qualification-status")
    assert row(qualified, team)["cells"] == [1, 1, 0, 0]
    required, valid, expiring, lapsed = qualified["total"]["cells"]
    assert (valid, expiring) == (1, 0) and required > 2 and lapsed == required - 1
    assert figure(response, "drill-scores")["rows"] == []


def test_figures_are_scoped_for_managers(client, people):
    compliance_data([people["employee"], people["outsider"]])
    login(client, people["manager"])
    item = figure(client.get(reverse("careers:dashboard")), "training-compliance")
    assert item["total"]["cells"][0] == 3
    assert people["outsider"].department.name not in [r["department"] for r in item["rows"]]
    login(client, people["hr"])
    item = figure(client.get(reverse("careers:dashboard")), "training-compliance")
    assert item["total"]["cells"][0] == 6


@pytest.mark.parametrize("size", [3, 30])
def test_query_count_is_fixed(client, people, company, django_assert_num_queries, size):
    staff = [f.employee(department=company["team_a"]) for _ in range(size)]
    compliance_data(staff)
    exam = af.exam(
        questions=[af.question(type=QuestionType.SINGLE, answer=["A"])],
        audience=staff,
        pass_mark=60,
    )
    rule = QualificationRule(name="安规资格", valid_months=12)
    rule.save()
    rule.exams.set([exam])
    rule.save()
    for n, person in enumerate(staff):
        take_exam(exam, person, "A" if n % 3 else "B")
    login(client, people["hr"])
    url = reverse("careers:dashboard")
    client.get(url)
    with django_assert_num_queries(with_session(12)):
        response = client.get(url)
    assert figure(response, "training-compliance")["total"]["cells"][0] == 3 * size
    assert figure(response, "exam-pass-rates")["total"]["cells"][0] == size
    assert figure(response, "qualification-status")["total"]["cells"][1] == size - len(staff[::3])


@pytest.mark.parametrize("key", FIGURES)
def test_each_figure_exports_xlsx(client, people, key):
    compliance_data([people["employee"]])
    login(client, people["hr"])
    response = client.get(reverse("careers:dashboard_export", args=[key]))
    assert response.status_code == HTTPStatus.OK
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "部门"
    assert rows[-1][0] == "合计"
    if key == "training-compliance":
        assert rows[-1][1:] == (3, 1, 1, 33)


def test_unknown_figure_and_refused_roles(client, people):
    login(client, people["hr"])
    assert client.get(reverse("careers:dashboard_export", args=["nope"])).status_code == 404
    login(client, people["employee"])
    response = client.get(reverse("careers:dashboard_export", args=["training-compliance"]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_drill_scores_average_per_department(client, people, monkeypatch):
    """The drills figure charts a mean score (not a percentage) from drills' readings."""
    from drills.integrations import dashboard as drill_dashboard
    from lms.hooks import IndicatorReading

    employee, colleague = people["employee"], people["colleague"]
    monkeypatch.setattr(
        drill_dashboard,
        "compute_participation",
        lambda start, end, ids: {
            employee.pk: IndicatorReading(Decimal(2)),
            colleague.pk: IndicatorReading(Decimal(1)),
        },
    )
    monkeypatch.setattr(
        drill_dashboard,
        "compute_role_score",
        lambda start, end, ids: {
            employee.pk: IndicatorReading(Decimal(90)),
            colleague.pk: IndicatorReading(Decimal(75)),
        },
    )
    login(client, people["hr"])
    item = figure(client.get(reverse("careers:dashboard")), "drill-scores")
    assert row(item, employee.department.name)["rate"] == Decimal("90.0")
    assert item["total"]["cells"] == [Decimal(3), Decimal(2)]
    assert item["total"]["rate"] == Decimal("82.5")
    assert item["unit"] == ""
    response = client.get(reverse("careers:dashboard_export", args=["drill-scores"]))
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[-1] == ("合计", 3, 2, 82.5)
