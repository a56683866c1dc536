import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import services
from courses.models import (
    Assignment,
    Attendance,
    Completion,
    Enrollment,
    LessonProgress,
    TrainingError,
)
from tests import factories as f
from tests.factories import courses as cf


@pytest.fixture
def course(people):
    return cf.course(title="安全规程", lessons=2)


# Lessons ------------------------------------------------------------------------------------


def test_a_lesson_cannot_be_finished_before_it_was_opened(people, course):
    lesson = course.lessons.first()
    with pytest.raises(TrainingError, match="Open the lesson"):
        services.lesson_complete(employee=people["employee"], lesson=lesson)
    assert not LessonProgress.objects.exists()


def test_finishing_every_lesson_completes_the_course_online(people, course):
    employee = people["employee"]
    first, second = course.lessons.order_by("sort_order")
    services.lesson_open(employee=employee, lesson=first)
    services.lesson_complete(employee=employee, lesson=first)
    assert not Completion.objects.exists()
    services.lesson_open(employee=employee, lesson=second)
    services.lesson_complete(employee=employee, lesson=second)
    services.lesson_complete(employee=employee, lesson=second)  # twice changes nothing
    completion = Completion.objects.get()
    assert completion.source == Completion.Source.ONLINE
    assert completion.hours == Decimal("4.0")
    assert completion.employee == employee


# Enrolment ----------------------------------------------------------------------------------


def test_self_enrolment_and_duplicate_refused(people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="already enrolled"):
        services.enrollment_create(session=session, employee=people["employee"])
    assert Enrollment.objects.count() == 1


def test_enrolment_beyond_capacity_refused(people, course):
    session = cf.session(course=course, trainer=people["trainer"], capacity=1)
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="full"):
        services.enrollment_create(session=session, employee=people["colleague"])
    assert Enrollment.objects.count() == 1


def test_self_enrolment_refused_where_not_allowed(people):
    course = cf.course(self_enrolment=False)
    session = cf.session(course=course, trainer=people["trainer"])
    with pytest.raises(TrainingError, match="self-enrolment"):
        services.enrollment_create(session=session, employee=people["employee"])
    enrollment = services.enrollment_create(
        session=session,
        employee=people["employee"],
        assigned=True,
        acting_user=people["hr"].user,
    )
    assert enrollment.source == Enrollment.Source.ASSIGNED


def test_manager_assigns_only_within_scope(people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    services.enrollment_create(
        session=session,
        employee=people["employee"],
        assigned=True,
        acting_user=people["manager"].user,
    )
    with pytest.raises(TrainingError, match="outside your department"):
        services.enrollment_create(
            session=session,
            employee=people["outsider"],
            assigned=True,
            acting_user=people["manager"].user,
        )
    with pytest.raises(TrainingError, match="outside your department"):
        services.enrollment_create(
            session=session,
            employee=people["colleague"],
            assigned=True,
            acting_user=people["employee"].user,
        )


def test_enrolment_in_a_finished_session_refused(people, course):
    session = cf.session(
        course=course, trainer=people["trainer"], starts_in=-datetime.timedelta(days=1)
    )
    with pytest.raises(TrainingError, match="over"):
        services.enrollment_create(session=session, employee=people["employee"])


def test_capacity_cannot_drop_below_enrolled(people, course):
    session = cf.session(course=course, trainer=people["trainer"], capacity=2)
    services.enrollment_create(session=session, employee=people["employee"])
    services.enrollment_create(session=session, employee=people["colleague"])
    with pytest.raises(TrainingError, match="capacity"):
        services.session_update(session=session, capacity=1)


# Attendance ---------------------------------------------------------------------------------


def test_roster_records_attendance_and_completions(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    for key in ("employee", "colleague"):
        services.enrollment_create(session=session, employee=people[key])
    result = services.attendance_record(
        session=session, present_ids=[people["employee"].pk], acting_user=people["trainer"].user
    )
    assert result == {"present": 1, "absent": 1}
    assert set(Attendance.objects.values_list("employee__number", "present")) == {
        ("E1", True),
        ("E2", False),
    }
    completion = Completion.objects.get()
    assert completion.source == Completion.Source.SESSION
    assert completion.employee == people["employee"]
    # Correcting the roster moves the completion.
    services.attendance_record(session=session, present_ids=[people["colleague"].pk])
    assert list(Completion.objects.values_list("employee__number", flat=True)) == ["E2"]


def test_roster_refuses_someone_not_enrolled(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="Not enrolled"):
        services.attendance_record(
            session=session, present_ids=[people["employee"].pk, people["outsider"].pk]
        )
    assert not Attendance.objects.exists()
    assert not Completion.objects.exists()


def test_roster_refused_before_the_session_starts(people, course):
    session = cf.session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="not started"):
        services.attendance_record(session=session, present_ids=[people["employee"].pk])


def test_check_in_with_code(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"], check_in_code="123456")
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="wrong"):
        services.check_in(employee=people["employee"], code="999999")
    # Neutral: the refusal does not confirm that the code belongs to some session.
    with pytest.raises(TrainingError, match="wrong"):
        services.check_in(employee=people["colleague"], code="123456")
    attendance = services.check_in(employee=people["employee"], code=" 123456 ")
    assert attendance.present and attendance.method == Attendance.Method.CHECK_IN
    services.check_in(employee=people["employee"], code="123456")  # again: no duplicate
    assert Completion.objects.filter(employee=people["employee"]).count() == 1


def test_check_in_with_expired_code_refused(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"], check_in_code="654321")
    services.enrollment_create(session=session, employee=people["employee"])
    services.session_update(
        session=session,
        starts_at=timezone.now() - datetime.timedelta(hours=5),
        ends_at=timezone.now() - datetime.timedelta(hours=3),
    )
    with pytest.raises(TrainingError, match="expired"):
        services.check_in(employee=people["employee"], code="654321")
    assert not Attendance.objects.exists()


def test_check_in_before_window_refused(people, course):
    session = cf.session(
        course=course,
        trainer=people["trainer"],
        starts_in=datetime.timedelta(days=1),
        check_in_code="111111",
    )
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="opens at"):
        services.check_in(employee=people["employee"], code="111111", session=session)


# Completions and required training ------------------------------------------------------------


def test_completion_in_the_future_refused(people, course):
    with pytest.raises(TrainingError, match="future"):
        services.completion_record(
            employee=people["employee"],
            course=course,
            completed_on=timezone.localdate() + datetime.timedelta(days=1),
            source=Completion.Source.EXTERNAL,
        )


def test_rule_assigns_position_and_completion_closes_it(people, course):
    due = timezone.localdate() + datetime.timedelta(days=60)
    rule = services.rule_create(
        course=course, position=people["employee"].position, due_on=due, interval_months=None
    )
    assigned = Assignment.objects.filter(rule=rule)
    # Everyone in the fixture holds the same position.
    assert assigned.count() == len(people)
    assert services.rule_apply(rule=rule) == 0  # idempotent
    mine = assigned.get(employee=people["employee"])
    assert mine.status == Assignment.Status.DUE and mine.due_on == due
    services.completion_record(
        employee=people["employee"],
        course=course,
        completed_on=timezone.localdate(),
        source=Completion.Source.EXTERNAL,
    )
    mine.refresh_from_db()
    assert mine.status == Assignment.Status.DONE
    assert services.rule_apply(rule=rule) == 0  # once is enough


def test_rule_by_department_covers_subtree_only(people, company, course):
    rule = services.rule_create(
        course=course, department=company["branch"], due_on=timezone.localdate()
    )
    numbers = set(Assignment.objects.filter(rule=rule).values_list("employee__number", flat=True))
    assert numbers == {"E1", "E2", "M1"}


def test_rule_needs_an_audience(course):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.rule_create(course=course, due_on=timezone.localdate())


def test_expired_completion_reassigns(people, company, course):
    today = timezone.localdate()
    services.completion_record(
        employee=people["employee"],
        course=course,
        completed_on=today - datetime.timedelta(days=400),
        source=Completion.Source.EXTERNAL,
    )
    services.completion_record(
        employee=people["colleague"],
        course=course,
        completed_on=today - datetime.timedelta(days=10),
        source=Completion.Source.EXTERNAL,
    )
    rule = services.rule_create(
        course=course,
        department=company["branch"],
        due_on=today + datetime.timedelta(days=30),
        interval_months=12,
    )
    by_number = {a.employee.number: a for a in Assignment.objects.filter(rule=rule)}
    # E1's completion expired: due again on its expiry date, already overdue.
    assert by_number["E1"].status == Assignment.Status.OVERDUE
    # E2's completion is still valid: nothing to do yet. M1 never did it.
    assert "E2" not in by_number
    assert by_number["M1"].due_on == today + datetime.timedelta(days=30)
    # A year later E2's completion has expired too.
    assert services.rule_apply(rule=rule, today=today + datetime.timedelta(days=365)) == 1


def test_duplicate_manual_assignment_refused(people, course):
    due = timezone.localdate()
    services.assignment_create(employee=people["employee"], course=course, due_on=due)
    with pytest.raises(TrainingError, match="already has an open assignment"):
        services.assignment_create(employee=people["employee"], course=course, due_on=due)


def test_practical_check_needs_attendance(people, course):
    session = cf.past_session(course=course, trainer=people["trainer"])
    services.enrollment_create(session=session, employee=people["employee"])
    with pytest.raises(TrainingError, match="did not attend"):
        services.practical_check_record(session=session, employee=people["employee"], passed=True)
    services.attendance_record(session=session, present_ids=[people["employee"].pk])
    check = services.practical_check_record(
        session=session, employee=people["employee"], passed=True, score=Decimal("92")
    )
    assert check.passed and check.score == Decimal("92")


def test_employee_factory_used(people):
    assert f.PASSWORD
