"""One training run (一期一档) as a ``lms.hooks.TrainingRun`` for the careers archive hook.

Registered in ``wagtail_hooks`` under ``lms.hooks.TRAINING_RUN_SOURCE_HOOK``, which careers reads.
Runs a fixed number of queries whatever the size of the roster.
"""

from django.utils import timezone

from lms.hooks import (
    TrainingRun,
    TrainingRunAttendee,
    TrainingRunQuestion,
    TrainingRunQuestionnaire,
)

from ..hooks import course_exam_results
from ..models import (
    Attendance,
    Enrollment,
    PracticalCheck,
    QuestionnaireSubmission,
    TrainingSession,
)


def training_run(session_id) -> TrainingRun | None:
    session = (
        TrainingSession.objects.filter(pk=session_id).select_related("course", "trainer").first()
    )
    if session is None:
        return None
    people = {}
    enrolled = set()
    for enrollment in Enrollment.objects.filter(session=session).select_related(
        "employee__department"
    ):
        people[enrollment.employee_id] = enrollment.employee
        enrolled.add(enrollment.employee_id)
    attendance = {}
    for row in Attendance.objects.filter(session=session).select_related("employee__department"):
        attendance[row.employee_id] = row.present
        people.setdefault(row.employee_id, row.employee)
    checks = {check.employee_id: check for check in PracticalCheck.objects.filter(session=session)}
    roster = []
    for employee in sorted(people.values(), key=lambda e: e.number):
        check = checks.get(employee.pk)
        roster.append(
            TrainingRunAttendee(
                number=employee.number,
                name=employee.name,
                department=employee.department.name if employee.department_id else "",
                enrolled=employee.pk in enrolled,
                present=attendance.get(employee.pk),
                check_passed=None if check is None else check.passed,
                check_score=None if check is None else check.score,
            )
        )
    submissions = list(
        QuestionnaireSubmission.objects.filter(session=session).values_list(
            "session_id", "page_id", "form_data"
        )
    )
    from ..views import _questionnaire_summaries

    questionnaires = tuple(
        TrainingRunQuestionnaire(
            title=summary["page"].title,
            count=summary["count"],
            questions=tuple(
                TrainingRunQuestion(label=question["label"], result=str(question["result"]))
                for question in summary["questions"]
            ),
        )
        for summary in _questionnaire_summaries(session.course, submissions)
    )
    exam = course_exam_results(session.course, [session.pk]).get(session.pk)
    return TrainingRun(
        session_id=session.pk,
        title=session.display_title,
        course=session.course.title,
        code=session.course.code,
        starts_at=timezone.localtime(session.starts_at),
        ends_at=timezone.localtime(session.ends_at),
        location=session.location,
        hours=session.course.hours,
        trainer=session.trainer.name,
        trainer_id=session.trainer_id,
        capacity=session.capacity,
        roster=tuple(roster),
        enrolled_count=sum(1 for row in roster if row.enrolled),
        present_count=sum(1 for row in roster if row.present),
        checked_count=len(checks),
        passed_count=sum(1 for check in checks.values() if check.passed),
        exam=str(exam) if exam is not None else "",
        questionnaire_count=len(submissions),
        questionnaires=questionnaires,
    )
