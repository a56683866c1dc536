"""Issue #14, finding 2: nothing that holds a result is destroyed by deleting its owner.

``test_no_foreign_key_cascades_records_away`` walks every foreign key of our apps that points
at a person, an account, an exam, a question, a period, a drill, a plan, a course or a session;
a CASCADE fails unless the model is a declared part of its owner's own definition (not a
record). Deleting such an owner is refused with a message that names what depends on it, and a
personal-data erasure is HR's own audited action that keeps the results."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import models
from django.urls import reverse
from wagtail.models import ModelLogEntry, Page

from assessments import services as exam_services
from assessments.models import Attempt, Certificate, QuestionType
from lms.models import Employee
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import careers as cf

pytestmark = pytest.mark.django_db

OWNERS = {
    "lms.Employee", "auth.User", "lms.Department", "lms.Position",
    "assessments.Exam", "assessments.Question", "assessments.QuestionCategory",
    "careers.AppraisalPeriod", "careers.DevelopmentPlan", "careers.RotationProgramme",
    "drills.Drill", "drills.EmergencyPlanPage", "courses.CoursePage", "courses.Lesson",
    "courses.TrainingSession", "courses.TrainingPlanPage", "wagtailcore.Page",
}  # fmt: skip
# Parts of their owner's definition, not records of anything that happened: they go with it.
PARTS = {
    "lms.UserSession.user": "the list of an account's open sessions",
    "lms.DirectoryAccount.user": "which directory or provider signs the account in",
    "courses.PlanItem.plan": "a line of a training plan",
    "courses.Lesson.course": "a lesson of a course (progress on it is protected)",
    "courses.TrainingRule.position": "who must take a course: configuration",
    "courses.TrainingRule.department": "who must take a course: configuration",
    "courses.QuestionnaireField.page": "a questionnaire's form fields",
    "assessments.QuestionVersion.question": "a question's own edit history",
    "assessments.ExamQuestion.exam": "an exam's fixed questions",
    "assessments.AssemblyRule.exam": "an exam's drawing rules",
    "assessments.ExamOverride.exam": "an exam's per-person time settings",
    "assessments.ExamPaper.exam": "papers drawn ahead that nobody has started (no answers)",
    "drills.PlanAttachment.page": "an emergency plan's attachments",
    "careers.PositionTemplate.position": "a post's development template",
    "careers.DevelopmentGoal.plan": "a goal written into a plan (check-ins are protected)",
    "careers.PlannedCourse.plan": "a course written into a plan",
}
OUR_APPS = {"lms", "courses", "assessments", "drills", "careers"}


def foreign_keys_to_owners():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not field.is_relation or getattr(field.remote_field, "parent_link", False):
                continue
            target = field.related_model
            labels = {m._meta.label for m in [target, *target._meta.get_parent_list()]}
            if labels & OWNERS:
                yield f"{model._meta.label}.{field.name}", field


def test_no_foreign_key_cascades_records_away():
    checked, cascades = 0, []
    for name, field in foreign_keys_to_owners():
        checked += 1
        if field.remote_field.on_delete is models.CASCADE and name not in PARTS:
            cascades.append(name)
    assert checked >= 90, checked  # the walk really walks (98 keys when this was written)
    assert cascades == [], "records cascaded away with their owner: " + ", ".join(cascades)
    stale = set(PARTS) - {name for name, _field in foreign_keys_to_owners()}
    assert stale == set()


@pytest.fixture
def certified(people):
    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(2)]
    exam = af.exam(
        questions=questions,
        audience=[people["employee"]],
        pass_mark=50,
        certificate_title="安全规程考试合格证",
        certificate_valid_months=12,
    )
    attempt = exam_services.attempt_start(exam=exam, employee=people["employee"])
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[{"item": i.pk, "response": ["A"], "seq": 1} for i in attempt.items.all()],
    )
    attempt = exam_services.attempt_submit(attempt=attempt)
    return exam, attempt, Certificate.objects.get(attempt=attempt)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_hr_cannot_delete_an_employee_with_results(client, people, certified):
    exam, attempt, certificate = certified
    employee = people["employee"]
    login(client, people["hr"])
    response = client.post(reverse("employees:delete", args=[employee.pk]))
    assert response.status_code == HTTPStatus.FOUND
    text = " ".join(messages_of(response))
    assert ("attempt" in text or "答卷" in text or "考试记录" in text) and (
        "certificate" in text or "证书" in text
    )
    assert Employee.objects.filter(pk=employee.pk).exists()
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    client.logout()
    check = client.get(reverse("assessments:certificate_check", args=[certificate.code]))
    assert check.status_code == HTTPStatus.OK


def test_an_exam_with_attempts_and_a_period_with_values_are_not_deleted(client, people, certified):
    exam, attempt, _certificate = certified
    login(client, people["trainer"])
    response = client.post(reverse("exams:delete", args=[exam.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response)
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    period = cf.period()
    cf.value(period=period, code=period.system.indicators.first().code, value=Decimal(10),
             employee=people["employee"])  # fmt: skip
    login(client, people["hr"])
    response = client.post(reverse("careers_periods:delete", args=[period.pk]))
    assert response.status_code == HTTPStatus.FOUND  # refused with a message, not a 500
    assert messages_of(response)
    assert type(period).objects.filter(pk=period.pk).exists()


def test_erasure_keeps_the_results_anonymised_and_is_audited(client, people, certified):
    exam, attempt, certificate = certified
    employee = people["employee"]
    name, number = employee.name, employee.number
    login(client, people["manager"])
    url = reverse("employees:erase", args=[employee.pk])
    assert client.post(url, {"reason": "x"}).status_code in (HTTPStatus.FOUND, 403, 404)
    assert Employee.objects.get(pk=employee.pk).name == name  # a manager may not erase
    login(client, people["hr"])
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, {"reason": ""})
    assert response.status_code == HTTPStatus.OK  # the reason is required
    response = client.post(url, {"reason": "本人申请删除个人信息（2026-12-07）"})
    assert response.status_code == HTTPStatus.FOUND
    erased = Employee.objects.select_related("user").get(pk=employee.pk)
    assert name not in erased.name and number not in erased.number and not erased.phone
    assert not erased.user.is_active and not erased.user.has_usable_password()
    assert Attempt.objects.filter(pk=attempt.pk, score=attempt.score).exists()
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    entry = ModelLogEntry.objects.filter(action="lms.employee_erased").get()
    assert name not in str(entry.data) and number not in str(entry.data)
    client.logout()
    check = client.get(reverse("assessments:certificate_check", args=[certificate.code]))
    assert check.status_code == HTTPStatus.OK and name not in check.content.decode()
    assert get_user_model().objects.filter(pk=erased.user.pk).exists()
    assert Page.objects.exists()


def test_the_delete_page_says_what_depends_on_the_employee(client, people, certified):
    """It said "referenced 0 times" and offered the button; now it names the records and
    offers none."""
    employee = people["employee"]
    login(client, people["hr"])
    response = client.get(reverse("employees:delete", args=[employee.pk]))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'data-testid="delete-refused"' in page
    assert ("certificates: 1" in page or "证书：1" in page) and "referenced 0 times" not in page
    assert "Yes, delete" not in page and "是的，删除" not in page
    # Something nothing depends on still gets Wagtail's own confirmation.
    from tests import factories as f

    bare = f.employee(number="QC7301", name="新员工")
    response = client.get(reverse("employees:delete", args=[bare.pk]))
    assert 'data-testid="delete-refused"' not in response.content.decode()


def test_the_page_delete_page_says_what_depends_on_a_course(client, people, superuser):
    from tests.factories import courses as cf

    course = cf.course()
    cf.past_session(course=course, trainer=people["trainer"])
    login(client, superuser)
    url = reverse("wagtailadmin_pages:delete", args=[course.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="delete-refused"' in page
    response = client.post(url)
    assert response.status_code == HTTPStatus.CONFLICT
    assert type(course).objects.filter(pk=course.pk).exists()
