"""Every write in training: progress, sessions, enrolment, attendance, completions, rules.

Each function is atomic, validates before it saves, refuses an illegal move with a
``TrainingError`` whose message is translated, and leaves an entry in Wagtail's audit log.
"""

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms import audit
from lms.dates import add_months
from lms.models import Employee
from lms.roles import Role, forget_cached_roles, has_role

from .hooks import completions_recorded
from .models import (
    TRAINING_MANAGER_GROUP,
    TRAINING_STAFF,
    Assignment,
    Attendance,
    Completion,
    CoursePage,
    Enrollment,
    Lesson,
    LessonProgress,
    PracticalCheck,
    QuestionnaireSubmission,
    TrainingError,
    TrainingRule,
    TrainingSession,
)
from .scorm.services import lesson_scos_done
from .video.services import lesson_videos_done


def _today():
    return timezone.localdate()


# Online lessons ------------------------------------------------------------------------------


@transaction.atomic
def lesson_open(*, employee: Employee, lesson: Lesson) -> LessonProgress:
    """Record that the employee opened the lesson (the first time counts)."""
    progress, created = LessonProgress.objects.get_or_create(
        employee=employee, lesson=lesson, defaults={"opened_at": timezone.now()}
    )
    return progress


@transaction.atomic
def lesson_complete(*, employee: Employee, lesson: Lesson) -> LessonProgress:
    """Mark a lesson as studied. Only a lesson the employee has opened can be finished.

    Finishing the course's last lesson records an online completion of the course.
    """
    progress = (
        LessonProgress.objects.select_for_update().filter(employee=employee, lesson=lesson).first()
    )
    if progress is None:
        raise TrainingError(
            _("Open the lesson “%(lesson)s” and study it before marking it as done.")
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None and not lesson_scos_done(employee=employee, lesson=lesson):
        raise TrainingError(
            _(
                "Finish the SCORM modules of “%(lesson)s” first: "
                "the lesson counts once they are done."
            )
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None and not lesson_videos_done(employee=employee, lesson=lesson):
        raise TrainingError(
            _("Watch the videos of “%(lesson)s” first: the lesson counts once they are watched.")
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        course = CoursePage.objects.get(pk=lesson.course_id)
        lesson_ids = set(course.lessons.values_list("pk", flat=True))
        done_ids = set(
            LessonProgress.objects.filter(
                employee=employee, lesson_id__in=lesson_ids, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
        if lesson_ids and lesson_ids <= done_ids:
            completion_record(
                employee=employee,
                course=course,
                completed_on=_today(),
                source=Completion.Source.ONLINE,
            )
    return progress


def lesson_complete_when_tracked_done(*, employee: Employee, lesson: Lesson) -> bool:
    """Finish the lesson if every tracked item of it (SCORM modules, uploaded videos) is done
    by the employee; called when one of them becomes done. Returns whether it is finished."""
    if not (
        lesson_scos_done(employee=employee, lesson=lesson)
        and lesson_videos_done(employee=employee, lesson=lesson)
    ):
        return False
    lesson_open(employee=employee, lesson=lesson)
    lesson_complete(employee=employee, lesson=lesson)
    return True


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


# Attendance ----------------------------------------------------------------------------------


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


# Completions ---------------------------------------------------------------------------------


def _completions_save(completions: list[Completion]):
    """Save completions and close the open assignments they fulfil (fixed query count)."""
    if not completions:
        return []
    for completion in completions:
        completion.full_clean(exclude=["employee", "course", "session"], validate_constraints=False)
    Completion.objects.bulk_create(completions, batch_size=500)
    if not all(c.pk for c in completions):  # backends that do not return primary keys
        raise RuntimeError("The database did not return the new completions' keys.")
    by_pair = {(c.employee_id, c.course_id): c for c in completions}
    open_assignments = list(
        Assignment.objects.open().filter(
            employee_id__in={c.employee_id for c in completions},
            course_id__in={c.course_id for c in completions},
        )
    )
    closed = []
    for assignment in open_assignments:
        completion = by_pair.get((assignment.employee_id, assignment.course_id))
        if completion is not None:
            assignment.completion = completion
            closed.append(assignment)
    Assignment.objects.bulk_update(closed, ["completion"], batch_size=500)
    completions_recorded(completions)
    return completions


@transaction.atomic
def completion_record(
    *,
    employee: Employee,
    course: CoursePage,
    completed_on: datetime.date,
    source: str,
    hours: Decimal | None = None,
    credits: Decimal | None = None,
    session: TrainingSession | None = None,
    provider: str = "",
    note: str = "",
    acting_user=None,
) -> Completion:
    """Record that the employee completed the course; open assignments for it are done."""
    if completed_on > _today():
        raise TrainingError(_("A completion cannot be dated in the future."))
    completion = Completion(
        employee=employee,
        course=course,
        completed_on=completed_on,
        hours=course.hours if hours is None else hours,
        credits=course.credits if credits is None else credits,
        source=source,
        session=session,
        provider=provider,
        note=note,
    )
    completion.full_clean()
    _completions_save([completion])
    log(completion, "wagtail.create", user=acting_user)
    return completion


@transaction.atomic
def completions_import(*, completions: list[Completion], acting_user=None) -> list[Completion]:
    """Save validated external training records (used by the spreadsheet import)."""
    for completion in completions:
        completion.source = Completion.Source.EXTERNAL
    _completions_save(completions)
    for completion in completions:
        log(completion, "wagtail.create", user=acting_user, data={"via": "import"})
    return completions


# Required training ---------------------------------------------------------------------------

RULE_FIELDS = ("course", "position", "department", "due_on", "interval_months", "active")


@transaction.atomic
def rule_create(*, acting_user=None, apply: bool = True, **fields) -> TrainingRule:
    rule = TrainingRule(**fields)
    rule.full_clean()
    rule.save()
    log(rule, "wagtail.create", user=acting_user)
    if apply:
        rule_apply(rule=rule)
    return rule


@transaction.atomic
def rule_update(*, rule: TrainingRule, acting_user=None, **fields) -> TrainingRule:
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    log(rule, "wagtail.edit", user=acting_user, data={"changed": sorted(fields)})
    rule_apply(rule=rule)
    return rule


def rule_employees(rule: TrainingRule):
    employees = Employee.objects.active()
    if rule.position_id:
        employees = employees.filter(position_id=rule.position_id)
    if rule.department_id:
        employees = employees.in_department(rule.department)
    return employees


@transaction.atomic
def rule_apply(*, rule: TrainingRule, today: datetime.date | None = None) -> int:
    """Create the assignments the rule asks for; return how many were created.

    Everyone in scope without a valid completion gets an open assignment (one per person and
    course). For a repeating rule, a completion stays valid for ``interval_months``; it is
    re-assigned ``COURSES_REASSIGN_LEAD_DAYS`` before it expires, due on the expiry date.
    A fixed number of queries whatever the number of people.
    """
    if not rule.active:
        return 0
    today = today or _today()
    employee_ids = list(rule_employees(rule).values_list("pk", flat=True))
    latest = dict(
        Completion.objects.filter(employee_id__in=employee_ids, course_id=rule.course_id)
        .values("employee_id")
        .annotate(last=Max("completed_on"))
        .values_list("employee_id", "last")
    )
    open_ids = set(
        Assignment.objects.open()
        .filter(employee_id__in=employee_ids, course_id=rule.course_id)
        .values_list("employee_id", flat=True)
    )
    lead = datetime.timedelta(days=settings.COURSES_REASSIGN_LEAD_DAYS)
    late_due = today + datetime.timedelta(days=settings.COURSES_NEW_ASSIGNMENT_DAYS)
    new = []
    for employee_id in employee_ids:
        if employee_id in open_ids:
            continue
        last = latest.get(employee_id)
        if last is None:
            # A rule's first due date holds for everyone it finds; someone who comes into
            # scope after that date gets COURSES_NEW_ASSIGNMENT_DAYS from today.
            due = rule.due_on if rule.due_on >= today else late_due
        elif rule.interval_months:
            expires = add_months(last, rule.interval_months)
            if expires - lead > today:
                continue
            due = expires
        else:
            continue  # completed once: done for good
        new.append(
            Assignment(employee_id=employee_id, course_id=rule.course_id, rule=rule, due_on=due)
        )
    Assignment.objects.bulk_create(new, batch_size=500)
    if new:
        log(rule, "courses.rule_applied", data={"assigned": len(new)})
    return len(new)


def rules_apply_all(*, today: datetime.date | None = None) -> int:
    total = 0
    for rule in TrainingRule.objects.filter(active=True).select_related("department"):
        total += rule_apply(rule=rule, today=today)
    return total


@transaction.atomic
def assignment_create(
    *, employee: Employee, course: CoursePage, due_on: datetime.date, acting_user=None
) -> Assignment:
    """Assign a course to one employee by hand (HR)."""
    if Assignment.objects.open().filter(employee=employee, course=course).exists():
        raise TrainingError(
            _("%(employee)s already has an open assignment for “%(course)s”.")
            % {"employee": employee, "course": course.title}
        )
    assignment = Assignment(employee=employee, course=course, due_on=due_on)
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    log(assignment, "wagtail.create", user=acting_user)
    return assignment


@transaction.atomic
def assignments_for_drill_action(action) -> list[Assignment]:
    """Assign the course a drill's training corrective action names to the drill's participants.

    Answers the drills hook ``drills_training_action_created``; ``action`` is the drills
    corrective action, read only through its public attributes (``element``, ``course_code``,
    ``due_date``, ``finding.drill.participants``). Every participant but the evaluators is
    assigned, due by the action's due date. Ignored (nothing
    assigned) when the action names no course or an unknown or unpublished one; participants who
    have left, or already hold an open assignment for the course, are skipped. A fixed number of
    queries whatever the number of participants.
    """
    code = (getattr(action, "course_code", "") or "").strip()
    if getattr(action, "element", None) != "training" or not code:
        return []
    course = CoursePage.objects.live().filter(code__iexact=code).first()
    if course is None:
        return []
    participant_ids = {
        p.employee_id
        for p in action.finding.drill.participants.all()
        if p.role != "evaluator"  # evaluators assess the drill, they are not the ones trained
    }
    employee_ids = set(
        Employee.objects.exclude(status=Employee.Status.LEFT)
        .filter(pk__in=participant_ids)
        .values_list("pk", flat=True)
    )
    employee_ids -= set(
        Assignment.objects.open()
        .filter(employee_id__in=employee_ids, course=course)
        .values_list("employee_id", flat=True)
    )
    new = [
        Assignment(employee_id=employee_id, course=course, due_on=action.due_date)
        for employee_id in sorted(employee_ids)
    ]
    Assignment.objects.bulk_create(new, batch_size=500)
    if new:
        log(
            course,
            "courses.drill_action_assigned",
            data={"action": action.pk, "assigned": len(new)},
        )
    return new


# Effectiveness -------------------------------------------------------------------------------


@transaction.atomic
def practical_check_record(
    *,
    session: TrainingSession,
    employee: Employee,
    passed: bool,
    score: Decimal | None = None,
    comment: str = "",
    acting_user=None,
) -> PracticalCheck:
    if not Attendance.objects.filter(session=session, employee=employee, present=True).exists():
        raise TrainingError(
            _("%(employee)s did not attend this session; a practical check needs attendance.")
            % {"employee": employee}
        )
    previous = (
        PracticalCheck.objects.select_for_update()
        .filter(session=session, employee=employee)
        .values("passed", "score")
        .first()
    )
    check, _created = PracticalCheck.objects.update_or_create(
        session=session,
        employee=employee,
        defaults={
            "passed": passed,
            "score": score,
            "comment": comment,
            "recorded_by": acting_user,
        },
    )
    check.full_clean()
    audit.record(
        check,
        "courses.practical_check_recorded",
        user=acting_user,
        before=previous,
        after={"passed": passed, "score": score},
        reason=comment or _("Practical check recorded"),
        employee=employee,
    )
    return check


@transaction.atomic
def training_manager_set(*, user, is_manager: bool = True, acting_user=None):
    """Make the user a training manager (who approves courses and plans), or stop it."""

    group = Group.objects.get(name=TRAINING_MANAGER_GROUP)
    if is_manager:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    forget_cached_roles(user)
    employee = getattr(user, "employee", None)
    if employee is not None:
        log(
            employee,
            "lms.roles_changed",
            user=acting_user,
            data={"training_manager": is_manager},
        )


@transaction.atomic
def questionnaire_submit(*, page, session: TrainingSession, employee: Employee, data: dict):
    """Save an employee's questionnaire answers for a session they attended (once)."""

    if not Attendance.objects.filter(session=session, employee=employee, present=True).exists():
        raise TrainingError(_("Only people who attended the session answer its questionnaire."))
    if QuestionnaireSubmission.objects.filter(
        page=page, session=session, employee=employee
    ).exists():
        raise TrainingError(_("You have already answered this questionnaire for this session."))

    submission = QuestionnaireSubmission.objects.create(
        page=page,
        session=session,
        employee=employee,
        form_data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
    return submission


def reminders_send(*, today: datetime.date | None = None) -> dict:
    """Remind everyone whose session starts in COURSES_SESSION_REMINDER_DAYS days, and everyone
    whose required course falls due in COURSES_ASSIGNMENT_REMINDER_DAYS days, through the
    notification service (inbox and e-mail unless they chose otherwise). Run once a day."""
    from lms.notifications.services import emit

    from .notifications import (
        ASSIGNMENT_DUE,
        SESSION_REMINDER,
        AssignmentDue,
        SessionReminder,
    )

    today = today or _today()
    session_day = today + datetime.timedelta(days=settings.COURSES_SESSION_REMINDER_DAYS)
    due_day = today + datetime.timedelta(days=settings.COURSES_ASSIGNMENT_REMINDER_DAYS)
    sent = {"sessions": 0, "assignments": 0}
    enrollments = Enrollment.objects.filter(
        session__starts_at__date=session_day, employee__status=Employee.Status.ACTIVE
    ).select_related("session__course", "employee")
    for enrollment in enrollments:
        session = enrollment.session
        emit(
            SESSION_REMINDER,
            SessionReminder(
                session_id=session.pk,
                session=session.display_title,
                employee_number=enrollment.employee.number,
                name=enrollment.employee.name,
                starts_at=timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                location=session.location,
            ),
            recipients=[enrollment.employee],
        )
        sent["sessions"] += 1
    assignments = (
        Assignment.objects.open()
        .filter(due_on=due_day, employee__status=Employee.Status.ACTIVE)
        .select_related("course", "employee")
    )
    for assignment in assignments:
        emit(
            ASSIGNMENT_DUE,
            AssignmentDue(
                assignment_id=assignment.pk,
                course=assignment.course.title,
                course_url=assignment.course.url or "",
                employee_number=assignment.employee.number,
                name=assignment.employee.name,
                due_on=assignment.due_on,
            ),
            recipients=[assignment.employee],
        )
        sent["assignments"] += 1
    return sent
