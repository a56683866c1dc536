"""What assessments contributes to training (courses) through courses' and its own hooks.

- ``register_course_exam_results``: the exam column of the course effectiveness report.
- ``exams_for_course_assignments`` (read by ``Exam`` audiences, not a hook): employees with an
  open assignment for a course may take the published exams linked to that course.
- ``register_course_completions_recorded``: a completion of a course issues the certificate of
  each exam of that course configured with ``certificate_on_course_completion``.

assessments may import courses (imports point lms ← courses ← assessments); each function runs a
fixed number of queries.
"""

from decimal import Decimal

from django.db.models import Case, Max, Value, When
from django.utils.translation import gettext as _

from courses.hooks import ExamSummary
from courses.models import Assignment, Enrollment
from lms import audit
from lms.models import Employee

from ..models import Attempt, Certificate, Exam
from ..services import add_months, certificate_state


def course_exam_results(course, session_ids) -> dict[int, ExamSummary]:
    """Per training session: how many enrolled participants sat an exam of the course (graded),
    how many passed, and their average best percentage. Two queries."""
    session_ids = list(session_ids)
    if not session_ids:
        return {}
    enrolled = list(
        Enrollment.objects.filter(session_id__in=session_ids).values_list(
            "session_id", "employee_id"
        )
    )
    best = {
        row["employee_id"]: row
        for row in Attempt.objects.filter(
            exam__course=course,
            exam__kind=Exam.Kind.FORMAL,
            status=Attempt.Status.GRADED,
            employee_id__in={employee_id for _, employee_id in enrolled},
        )
        .values("employee_id")
        # MAX over a boolean is not portable (PostgreSQL has none): take it over 1/0.
        .annotate(
            percent=Max("percent"),
            passed=Max(Case(When(passed=True, then=Value(1)), default=Value(0))),
        )
    }
    per_session: dict[int, list] = {}
    for session_id, employee_id in enrolled:
        row = best.get(employee_id)
        if row is not None:
            per_session.setdefault(session_id, []).append(row)
    results = {}
    for session_id, rows in per_session.items():
        percents = [row["percent"] for row in rows if row["percent"] is not None]
        average = sum(percents, Decimal(0)) / len(percents) if percents else None
        results[session_id] = ExamSummary(
            taken=len(rows), passed=sum(1 for row in rows if row["passed"]), average=average
        )
    return results


def exams_for_course_assignments(employee) -> list[int]:
    """Exams of the courses the employee has an open assignment for. One query."""
    return list(
        Exam.objects.filter(
            course__in=Assignment.objects.open().filter(employee=employee).values("course_id")
        ).values_list("pk", flat=True)
    )


def certificates_for_completions(completions) -> list[Certificate]:
    """Issue the certificates configured for completing a course; a holder who already has a
    valid one of that exam issued on or after the completion date gets none. A fixed number of
    queries (certificates and their audit entries are inserted in bulk)."""
    course_ids = {c.course_id for c in completions}
    exams = list(
        Exam.objects.filter(
            course_id__in=course_ids, certificate_on_course_completion=True
        ).exclude(certificate_title="")
    )
    if not exams:
        return []
    employee_ids = {c.employee_id for c in completions}
    held = set(
        Certificate.objects.filter(
            exam__in=exams, employee_id__in=employee_ids, revoked=False
        ).values_list("exam_id", "employee_id", "issued_on")
    )
    new = []
    for completion in completions:
        for exam in exams:
            if exam.course_id != completion.course_id:
                continue
            if any(
                e == exam.pk and p == completion.employee_id and d >= completion.completed_on
                for e, p, d in held
            ):
                continue
            issued = completion.completed_on
            new.append(
                Certificate(
                    employee_id=completion.employee_id,
                    exam=exam,
                    title=exam.certificate_title,
                    issued_on=issued,
                    expires_on=add_months(issued, exam.certificate_valid_months)
                    if exam.certificate_valid_months
                    else None,
                )
            )
            held.add((exam.pk, completion.employee_id, issued))
    if not new:
        return []
    Certificate.objects.bulk_create(new, batch_size=500)
    employees = Employee.objects.select_related("department").in_bulk({c.employee_id for c in new})
    reason = _("Course completed")
    audit.record_many(
        [
            audit.Entry(
                certificate,
                "assessments.certificate_issued",
                after=certificate_state(certificate),
                reason=reason,
                employee_id=certificate.employee_id,
                department_id=employees[certificate.employee_id].department_id,
                department_path=employees[certificate.employee_id].department.path,
                title=f"{certificate.title} · {employees[certificate.employee_id]}",
            )
            for certificate in new
        ]
    )
    return new


__all__ = ["certificates_for_completions", "course_exam_results", "exams_for_course_assignments"]
