"""Training sessions and enrolment in them."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.models import Employee
from lms.roles import Role, has_role

from ..models import (
    TRAINING_STAFF,
    Attendance,
    CoursePage,
    Enrollment,
    TrainingError,
    TrainingSession,
)

# Sessions ------------------------------------------------------------------------------------

SESSION_FIELDS = ("course", "title", "starts_at", "ends_at", "mode", "location", "trainer")


@transaction.atomic
def session_create(
    *,
    course: CoursePage,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    trainer: Employee,
    capacity: int,
    mode: str = TrainingSession.Mode.ON_SITE,
    location: str = "",
    title: str = "",
    check_in_code: str | None = None,
    acting_user=None,
) -> TrainingSession:
    session = TrainingSession(
        course=course,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        trainer=trainer,
        capacity=capacity,
        mode=mode,
        location=location,
    )
    if check_in_code:
        session.check_in_code = check_in_code
    session.full_clean()
    session.save()
    log(session, "wagtail.create", user=acting_user)
    return session


@transaction.atomic
def session_update(*, session: TrainingSession, acting_user=None, **fields) -> TrainingSession:
    """Change a session; its capacity may not drop below the people already enrolled."""
    for name, value in fields.items():
        setattr(session, name, value)
    session.full_clean()
    enrolled = session.enrollments.count()
    if session.capacity < enrolled:
        raise TrainingError(
            _("%(count)s people are already enrolled; the capacity cannot be lower.")
            % {"count": enrolled}
        )
    session.save()
    log(session, "wagtail.edit", user=acting_user, data={"changed": sorted(fields)})
    return session


# Enrolment -----------------------------------------------------------------------------------


def can_assign(user, employee: Employee) -> bool:
    """HR and training staff enrol anyone; a manager enrols people in their department subtree."""
    if has_role(user, *TRAINING_STAFF):
        return True
    if has_role(user, Role.MANAGER):
        return Employee.objects.visible_to(user).filter(pk=employee.pk).exists()
    return False


@transaction.atomic
def enrollment_create(
    *, session: TrainingSession, employee: Employee, acting_user=None, assigned: bool = False
) -> Enrollment:
    """Enrol an employee in a session: themselves (where allowed) or assigned by HR/a manager."""
    session = (
        TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    )
    if assigned:
        if acting_user is None or not can_assign(acting_user, employee):
            raise TrainingError(
                _("You may not enrol %(employee)s: they are outside your department.")
                % {"employee": employee}
            )
    elif not session.course.self_enrolment:
        raise TrainingError(
            _("“%(course)s” does not take self-enrolment; ask HR or your manager to enrol you.")
            % {"course": session.course.title}
        )
    if not employee.is_active:
        raise TrainingError(
            _("%(employee)s is not an active employee and cannot be enrolled.")
            % {"employee": employee}
        )
    if session.ends_at < timezone.now():
        raise TrainingError(_("This session is over; enrolment is closed."))
    if Enrollment.objects.filter(session=session, employee=employee).exists():
        raise TrainingError(
            _("%(employee)s is already enrolled in this session.") % {"employee": employee}
        )
    enrolled = session.enrollments.count()
    if enrolled >= session.capacity:
        raise TrainingError(
            _("The session is full: all %(capacity)s places are taken.")
            % {"capacity": session.capacity}
        )
    enrollment = Enrollment(
        session=session,
        employee=employee,
        source=Enrollment.Source.ASSIGNED if assigned else Enrollment.Source.SELF,
        assigned_by=acting_user if assigned else None,
    )
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:  # a double submit racing past the check above
        raise TrainingError(
            _("%(employee)s is already enrolled in this session.") % {"employee": employee}
        ) from None
    log(enrollment, "wagtail.create", user=acting_user)
    return enrollment


@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment, acting_user=None):
    if Attendance.objects.filter(
        session_id=enrollment.session_id, employee_id=enrollment.employee_id
    ).exists():
        raise TrainingError(_("Attendance is recorded for this enrolment; it cannot be cancelled."))
    log(enrollment, "wagtail.delete", user=acting_user)
    enrollment.delete()
