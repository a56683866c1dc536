"""Attendance: the trainer's roster and the employees' check-in; attending completes the course."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.models import Employee

from ..models import (
    Attendance,
    Completion,
    TrainingError,
    TrainingSession,
)
from ._common import _completions_save


def _session_date(session):
    return timezone.localtime(session.starts_at).date()


@transaction.atomic
def attendance_record(
    *, session: TrainingSession, present_ids: Iterable[int], acting_user=None
) -> dict:
    """Save the whole roster at once: the employees in ``present_ids`` attended, every other
    enrolled employee did not. Attending completes the course (source: session attendance).

    Refuses the whole roster if it names someone who is not enrolled. Runs a fixed number of
    queries whatever the number of people.
    """
    session = (
        TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    )
    if session.starts_at > timezone.now():
        raise TrainingError(_("The session has not started yet; attendance opens when it starts."))
    present_ids = {int(pk) for pk in present_ids}
    enrolled_ids = set(session.enrollments.values_list("employee_id", flat=True))
    strangers = present_ids - enrolled_ids
    if strangers:
        names = ", ".join(
            str(e) for e in Employee.objects.filter(pk__in=strangers).order_by("number")[:5]
        )
        raise TrainingError(
            _("Not enrolled in this session, so attendance cannot be recorded: %(names)s.")
            % {"names": names or ", ".join(str(pk) for pk in sorted(strangers))}
        )
    now = timezone.now()
    existing = {a.employee_id: a for a in Attendance.objects.filter(session=session)}
    new_rows, changed = [], []
    for employee_id in enrolled_ids:
        present = employee_id in present_ids
        row = existing.get(employee_id)
        if row is None:
            new_rows.append(
                Attendance(
                    session=session,
                    employee_id=employee_id,
                    present=present,
                    method=Attendance.Method.ROSTER,
                    recorded_at=now,
                    recorded_by=acting_user,
                )
            )
        elif row.present != present:
            row.present = present
            row.method = Attendance.Method.ROSTER
            row.recorded_at = now
            row.recorded_by = acting_user
            changed.append(row)
    Attendance.objects.bulk_create(new_rows, batch_size=500)
    Attendance.objects.bulk_update(
        changed, ["present", "method", "recorded_at", "recorded_by"], batch_size=500
    )
    absent_ids = enrolled_ids - present_ids
    # Someone marked absent after all loses the completion their attendance gave them.
    Completion.objects.filter(session=session, employee_id__in=absent_ids).delete()
    _session_completions(session, present_ids)
    log(
        session,
        "courses.attendance_recorded",
        user=acting_user,
        data={"present": len(present_ids), "absent": len(absent_ids)},
    )
    return {"present": len(present_ids), "absent": len(absent_ids)}


def _session_completions(session, employee_ids):
    already = set(
        Completion.objects.filter(session=session, employee_id__in=employee_ids).values_list(
            "employee_id", flat=True
        )
    )
    completions = [
        Completion(
            employee_id=employee_id,
            course=session.course,
            completed_on=_session_date(session),
            hours=session.course.hours,
            credits=session.course.credits,
            source=Completion.Source.SESSION,
            session=session,
        )
        for employee_id in sorted(set(employee_ids) - already)
    ]
    _completions_save(completions)


@transaction.atomic
def check_in(
    *, employee: Employee, code: str, session: TrainingSession | None = None
) -> Attendance:
    """An employee checks themselves in with the session's code (typed or from its QR code)."""
    code = (code or "").strip()
    now = timezone.now()
    enrolled_sessions = TrainingSession.objects.filter(enrollments__employee=employee)
    if session is not None:
        if not enrolled_sessions.filter(pk=session.pk).exists():
            raise TrainingError(_("You are not enrolled in this session, so you cannot check in."))
        if session.check_in_code != code:
            raise TrainingError(_("That check-in code is wrong. Check it with the trainer."))
    else:
        matches = list(enrolled_sessions.filter(check_in_code=code).order_by("-starts_at"))
        if not matches:
            # The same answer whether or not another session has this code: a refusal must not
            # confirm that a guessed code exists.
            raise TrainingError(_("That check-in code is wrong. Check it with the trainer."))
        open_now = [s for s in matches if s.check_in_window()[0] <= now <= s.check_in_window()[1]]
        session = (open_now or matches)[0]
    opens, closes = session.check_in_window()
    if now < opens:
        raise TrainingError(
            _("Check-in for this session opens at %(time)s.")
            % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
        )
    if now > closes:
        raise TrainingError(_("That check-in code has expired: the session is over."))
    session = (
        TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    )
    attendance, created = Attendance.objects.get_or_create(
        session=session,
        employee=employee,
        defaults={"present": True, "method": Attendance.Method.CHECK_IN, "recorded_at": now},
    )
    if not created and not attendance.present:
        attendance.present = True
        attendance.method = Attendance.Method.CHECK_IN
        attendance.recorded_at = now
        attendance.save(update_fields=["present", "method", "recorded_at"])
    _session_completions(session, [employee.pk])
    if created:
        log(attendance, "wagtail.create", user=employee.user)
    return attendance
