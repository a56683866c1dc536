"""assessments ↔ courses through hooks: the course report's exam column, exams open to people
assigned the course, and a certificate on completing a course where an exam is so configured."""

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments.integrations import course_exam_results, exams_for_course_assignments
from assessments.models import Certificate, Exam, QuestionType
from courses import services as course_services
from courses.hooks import ExamSummary
from courses.hooks import course_exam_results as report_exam_results
from courses.models import Completion
from tests.assessments.test_results import sit
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import courses as cf
from tests.factories import employee as make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(people):
    return cf.course(title="安全规程培训", code="AQ-01", lessons=1)


@pytest.fixture
def course_exam(course):
    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(4)]
    return af.exam(questions=questions, course=course, **CERTIFIED)


CERTIFIED = dict(
    pass_mark=75,
    review_policy="after_submit",
    certificate_title="安全规程培训合格证",
    certificate_valid_months=24,
)


@pytest.fixture
def open_exam(course_exam, company):
    """The course exam with the whole company in its audience."""
    course_exam.audience_departments.set([company["root"]])
    course_exam.save()
    return course_exam


def _session_with(course, people, employees):
    session = cf.past_session(course=course, trainer=people["trainer"], capacity=500)
    for employee in employees:
        course_services.enrollment_create(session=session, employee=employee)
    return session


# --- (a) the course report's exam column ---------------------------------------------------


def test_exam_column_counts_participants_who_sat_and_passed(client, people, course, open_exam):
    course_exam = open_exam
    session = _session_with(course, people, [people["employee"], people["colleague"]])
    other = _session_with(course, people, [people["outsider"]])
    sit(course_exam, people["employee"], ["A", "A", "A", "A"])  # 100 %
    sit(course_exam, people["colleague"], ["A", "B", "B", "B"])  # 25 %, failed
    unrelated = af.exam(questions=[af.question(answer=["A"])], audience=[people["outsider"]])
    sit(unrelated, people["outsider"], ["A"])  # not the course's exam

    results = report_exam_results(course, [session.pk, other.pk])
    assert results == {
        session.pk: ExamSummary(taken=2, passed=1, average=Decimal("62.5")),
    }
    login(client, people["trainer"])
    body = client.get(reverse("courses:course_report", args=[course.pk])).content.decode()
    assert "1 / 2 · 62.5" in body


def test_exam_column_refused_to_an_employee(client, people, course):
    login(client, people["employee"])
    response = client.get(reverse("courses:course_report", args=[course.pk]))
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)


def test_exam_column_runs_two_queries(people, course, open_exam, django_assert_num_queries):
    course_exam = open_exam

    def grow(n):
        employees = [make_employee() for _ in range(n)]
        session = _session_with(course, people, employees)
        due = timezone.localdate() + datetime.timedelta(days=9)
        for employee in employees:  # no department: the course assignment lets them sit it
            course_services.assignment_create(employee=employee, course=course, due_on=due)
            sit(course_exam, employee, ["A", "A", "A", "A"])
        return session

    first = grow(2)
    with django_assert_num_queries(2):
        assert course_exam_results(course, [first.pk])[first.pk].taken == 2
    sessions = [first] + [grow(2) for _ in range(9)]
    with django_assert_num_queries(2):
        results = course_exam_results(course, [s.pk for s in sessions])
    assert sum(r.taken for r in results.values()) == 20


# --- (b) exam audience from course assignments ------------------------------------------------


def test_an_open_assignment_opens_the_course_exam(client, people, course, course_exam):
    employee = people["employee"]
    assert course_exam not in Exam.objects.for_employee(employee)
    assignment = course_services.assignment_create(
        employee=employee, course=course, due_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    assert list(Exam.objects.for_employee(employee)) == [course_exam]
    assert course_exam not in Exam.objects.for_employee(people["colleague"])  # not assigned
    assert exams_for_course_assignments(people["colleague"]) == []

    Exam.objects.filter(pk=course_exam.pk).update(is_published=False)
    assert not Exam.objects.for_employee(employee).exists()  # unpublished: still closed
    Exam.objects.filter(pk=course_exam.pk).update(is_published=True)

    course_services.completion_record(
        employee=employee, course=course, completed_on=timezone.localdate(), source="online"
    )
    assignment.refresh_from_db()
    assert assignment.completion_id is not None
    assert course_exam not in Exam.objects.for_employee(employee)  # assignment done


def test_audience_source_runs_one_query(people, course, django_assert_num_queries):
    due = timezone.localdate() + datetime.timedelta(days=9)
    for n in (1, 10):
        for _ in range(n):
            other = cf.course()
            af.exam(questions=[af.question(answer=["A"])], course=other)
            course_services.assignment_create(employee=people["employee"], course=other, due_on=due)
        with django_assert_num_queries(1):
            ids = exams_for_course_assignments(people["employee"])
    assert len(ids) == 11


# --- (c) certificate on completing a course ---------------------------------------------------


def test_completing_the_course_issues_the_configured_certificate(people, course, course_exam):
    Exam.objects.filter(pk=course_exam.pk).update(certificate_on_course_completion=True)
    day = timezone.localdate() - datetime.timedelta(days=3)
    course_services.completion_record(
        employee=people["employee"], course=course, completed_on=day, source="online"
    )
    certificate = Certificate.objects.get(employee=people["employee"])
    assert certificate.exam == course_exam
    assert certificate.title == "安全规程培训合格证"
    assert certificate.issued_on == day
    assert certificate.expires_on == day.replace(year=day.year + 2)
    assert certificate.attempt is None
    issued = ModelLogEntry.objects.get(
        object_id=str(certificate.pk), action="assessments.certificate_issued"
    )
    assert issued.content_type.model_class() is Certificate
    assert issued.data["after"]["title"] == "安全规程培训合格证"
    # the same completion recorded again (e.g. an import) does not issue a second one
    course_services.completion_record(
        employee=people["employee"], course=course, completed_on=day, source="online"
    )
    assert Certificate.objects.filter(employee=people["employee"]).count() == 1


def test_no_certificate_unless_configured(people, course, course_exam):
    course_services.completion_record(
        employee=people["employee"],
        course=course,
        completed_on=timezone.localdate(),
        source="online",
    )
    assert not Certificate.objects.exists()


def test_flag_needs_a_course_and_a_title(course):
    with pytest.raises(ValidationError):
        af.exam(questions=[af.question(answer=["A"])], certificate_on_course_completion=True)
    with pytest.raises(ValidationError):
        af.exam(
            questions=[af.question(answer=["A"])],
            course=course,
            certificate_on_course_completion=True,
        )


def test_import_issues_certificates_in_a_fixed_number_of_queries(
    people, course, course_exam, django_assert_num_queries
):
    from assessments.integrations import certificates_for_completions

    Exam.objects.filter(pk=course_exam.pk).update(certificate_on_course_completion=True)
    day = timezone.localdate()

    def completions(n):
        return [
            Completion(
                employee=make_employee(),
                course=course,
                completed_on=day,
                hours=Decimal(1),
                source="external",
            )
            for _ in range(n)
        ]

    batch = completions(2)
    with django_assert_num_queries(5):  # exams, held, insert, holders, audit entries
        assert len(certificates_for_completions(batch)) == 2
    batch = completions(20)
    with django_assert_num_queries(5):
        assert len(certificates_for_completions(batch)) == 20
