"""What the product does across a year end and on 29 February — decided, documented
(docs/year-boundaries.md) and pinned here at the dates where it used to be left to chance.

Each test says the date it runs at (``pytest.mark.today``) and moves the clock with ``clock``.
"""

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from assessments import services as exam_services
from assessments.models import Certificate, QualificationRule, QuestionType
from assessments.qualifications import EXPIRING, LAPSED, VALID, standings
from careers import services as careers_services
from careers.archive import archive_context
from careers.dashboards import dashboard_context, latest_period
from courses import services as course_services
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import careers as cf
from tests.factories import courses as cf_courses

D = datetime.date


def figure(context, key):
    return next(item for item in context["figures"] if item["key"] == key)


def local(text):
    from tests.clock import local_moment

    return local_moment(text)


def pass_exam(exam, employee):
    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[{"item": i.pk, "response": ["A"], "seq": 1} for i in attempt.items.all()],
    )
    return exam_services.attempt_submit(attempt=attempt)


@pytest.fixture
def exam(people):
    return af.exam(
        questions=[af.question(type=QuestionType.SINGLE, answer=["A"])],
        audience=[people["employee"], people["colleague"]],
        kind="formal",
        max_attempts=5,
        pass_mark=60,
        certificate_title="安规合格证",
        certificate_valid_months=12,
    )


# -- training compliance: the year's assignments, and whatever is still open ----------------


@pytest.mark.today("2026-12-20")
def test_compliance_counts_the_years_assignments_and_open_ones_from_before(people, clock):
    employee = people["employee"]
    done_2026, open_2026, due_2027 = (cf_courses.course(lessons=0) for _ in range(3))
    course_services.assignment_create(employee=employee, course=done_2026, due_on=D(2026, 12, 1))
    course_services.completion_record(
        employee=employee, course=done_2026, completed_on=D(2026, 11, 30), source="external"
    )
    course_services.assignment_create(employee=employee, course=open_2026, due_on=D(2026, 12, 28))
    course_services.assignment_create(employee=employee, course=due_2027, due_on=D(2027, 1, 10))

    cells = figure(dashboard_context(people["hr"].user), "training-compliance")["total"]["cells"]
    # 2026: two due this year (one done), the one due in 2027 is next year's business.
    assert cells == [Decimal(2), Decimal(1), Decimal(0)]

    clock.move_to(local("2027-01-01 00:05"))
    context = dashboard_context(people["hr"].user)
    assert context["year"] == 2027
    # 2027 from zero, plus what 2026 left open (now overdue); 2026's done one is history.
    cells = figure(context, "training-compliance")["total"]["cells"]
    assert cells == [Decimal(2), Decimal(0), Decimal(1)]
    # Last year is one click away and reads as it stood on 31 December (by then the one due on
    # 28 December was overdue).
    last_year = dashboard_context(people["hr"].user, year=2026)
    assert last_year["year"] == 2026
    cells = figure(last_year, "training-compliance")["total"]["cells"]
    assert cells == [Decimal(2), Decimal(1), Decimal(1)]


@pytest.mark.today("2027-01-01")
def test_dashboard_opens_on_the_new_year_with_last_year_a_click_away(client, people, exam):
    login(client, people["hr"])
    body = client.get(reverse("careers:dashboard")).content.decode()
    assert 'href="?year=2026"' in body and 'aria-current="page"' in body
    response = client.get(reverse("careers:dashboard"), {"year": "2026"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["year"] == 2026
    export = client.get(
        reverse("careers:dashboard_export", args=["exam-pass-rates"]), {"year": "2026"}
    )
    assert export.status_code == HTTPStatus.OK


@pytest.mark.today("2026-12-31 23:50")
def test_exam_pass_rates_follow_the_local_year(people, exam, clock):
    pass_exam(exam, people["employee"])  # 23:50 on 31 December, Beijing time (15:50 UTC)
    clock.move_to(local("2027-01-01 00:20"))  # 16:20 UTC, still 31 December in UTC
    pass_exam(exam, people["colleague"])
    rates = figure(dashboard_context(people["hr"].user), "exam-pass-rates")
    assert rates["total"]["cells"] == [Decimal(1), Decimal(1)]
    rates = figure(dashboard_context(people["hr"].user, year=2026), "exam-pass-rates")
    assert rates["total"]["cells"] == [Decimal(1), Decimal(1)]


# -- the hours ledger on 1 January ----------------------------------------------------------


@pytest.mark.today("2026-12-31 20:00")
def test_ledger_starts_the_new_year_from_zero(client, people, clock):
    employee = people["employee"]
    course = cf_courses.course(lessons=0, hours=Decimal("8.0"))
    course_services.completion_record(
        employee=employee, course=course, completed_on=D(2026, 12, 31), source="external"
    )
    assert archive_context(employee)["ledger"][0].hours == Decimal("8.0")

    clock.move_to(local("2027-01-01 08:00"))
    context = archive_context(employee)
    assert (context["ledger_year"], context["ledger"][0].hours) == (2027, Decimal(0))
    assert archive_context(employee, year=2026)["ledger"][0].hours == Decimal("8.0")
    login(client, employee)
    body = client.get(reverse("careers:archive", args=[employee.pk])).content.decode()
    assert '<option value="2026"' in body  # last year one click away


@pytest.mark.today("2027-01-01 00:30")
def test_a_plan_approved_after_midnight_belongs_to_the_new_year(people):
    plan = careers_services.development_plan_create(employee=people["employee"], year=2027)
    careers_services.development_plan_submit(plan=plan)
    careers_services.development_plan_approve(plan=plan, approver=people["manager"])
    entries = archive_context(people["employee"])["entries"]
    [entry] = [e for e in entries if e.source == "careers"]
    assert entry.date == D(2027, 1, 1)  # approved 2026-12-31 16:30 UTC


# -- appraisal periods that span a year end -------------------------------------------------


@pytest.mark.today("2027-02-10")
def test_a_period_across_the_year_end_reads_both_years(people, exam, clock):
    clock.move_to(local("2026-12-15 10:00"))
    pass_exam(exam, people["employee"])
    clock.move_to(local("2027-01-20 10:00"))
    pass_exam(exam, people["colleague"])
    clock.move_to(local("2027-02-10 10:00"))
    period = cf.period(name="2026-2027冬季考核", start=D(2026, 12, 1), end=D(2027, 1, 31))
    from lms.hooks import appraisal_indicator_sources

    source = appraisal_indicator_sources()["assessments.exam_average_score"]
    readings = source.compute(
        period.start, period.end, [people["employee"].pk, people["colleague"].pk]
    )
    assert {pk: Decimal(r.value) for pk, r in readings.items()} == {
        people["employee"].pk: Decimal(100),
        people["colleague"].pk: Decimal(100),
    }


@pytest.mark.today("2027-01-05")
def test_in_january_the_dashboard_shows_the_newest_period_with_results(people):
    old = cf.period(name="2026年第四季度", start=D(2026, 10, 1), end=D(2026, 12, 31))
    cf.value(period=old, code="KPI-TRAIN", value="90", employee=people["employee"])
    careers_services.appraisal_period_calculate(period=old)
    cf.period(name="2027年第一季度", start=D(2027, 1, 1), end=D(2027, 3, 31))  # no results yet
    assert latest_period() == old
    assert dashboard_context(people["hr"].user)["period"] == old


# -- certificates and qualifications from 29 February ---------------------------------------


@pytest.mark.today("2028-02-29")
def test_validity_from_29_february_ends_on_28_february(people, exam, clock):
    rule = QualificationRule(name="安规资格", valid_months=12, expiring_days=30)
    rule.save()
    rule.exams.set([exam])
    rule.save()
    attempt = pass_exam(exam, people["employee"])
    certificate = Certificate.objects.get(attempt=attempt)
    assert (certificate.issued_on, certificate.expires_on) == (D(2028, 2, 29), D(2029, 2, 28))

    def status(day):
        [standing] = standings([people["employee"]], today=day)[people["employee"].pk]
        return standing.status, standing.valid_until

    assert status(D(2029, 1, 28)) == (VALID, D(2029, 2, 28))
    assert status(D(2029, 2, 28)) == (EXPIRING, D(2029, 2, 28))
    assert status(D(2029, 3, 1)) == (LAPSED, D(2029, 2, 28))
    clock.move_to(local("2029-02-28 12:00"))
    assert certificate.status() == Certificate.Status.VALID
    clock.move_to(local("2029-03-01 09:00"))
    assert certificate.status() == Certificate.Status.EXPIRED


# -- reminders "N days before" across a year end --------------------------------------------


@pytest.mark.today("2026-12-27")
def test_reminders_cross_the_year_end(
    people, exam, settings, clock, django_capture_on_commit_callbacks
):
    settings.COURSES_ASSIGNMENT_REMINDER_DAYS = 7
    settings.ASSESSMENTS_CERTIFICATE_REMINDER_DAYS = 10
    employee = people["employee"]
    employee.email = "wang@example.com"
    employee.save()
    course = cf_courses.course(lessons=0)
    course_services.assignment_create(employee=employee, course=course, due_on=D(2027, 1, 3))
    clock.move_to(local("2026-01-01 10:00"))
    certificate = Certificate.objects.get(attempt=pass_exam(exam, employee))
    assert certificate.expires_on == D(2027, 1, 1)
    clock.move_to(local("2026-12-27 10:00"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # e-mails go once this commits
        assert course_services.reminders_send() == {"sessions": 0, "assignments": 1}
        assert exam_services.certificates_remind_expiring() == 1
    assert {m.to[0] for m in mail.outbox} == {"wang@example.com"}
    assert any("2027-01-03" in m.body for m in mail.outbox)
    assert any("2027-01-01" in m.subject for m in mail.outbox)
