"""Exams: creating one with its fixed questions, rules and audience, and one employee's
extra time or attempts."""

from django.db import transaction
from wagtail.log_actions import log

from ..models import (
    Exam,
    ExamOverride,
)

# -- exams ----------------------------------------------------------------------------------


@transaction.atomic
def exam_create(
    *,
    title: str,
    questions=(),
    rules=(),
    departments=(),
    positions=(),
    employees=(),
    acting_user=None,
    **fields,
) -> Exam:
    """Create an exam with fixed ``questions`` (Question or (Question, points)), assembly
    ``rules`` (dicts of AssemblyRule fields) and an audience."""
    from ..models import AssemblyRule, ExamQuestion

    exam = Exam(title=title, created_by=acting_user if getattr(acting_user, "pk", None) else None)
    for name, value in fields.items():
        setattr(exam, name, value)
    exam.full_clean(exclude=["created_by"])
    exam.save()
    fixed = []
    for index, entry in enumerate(questions):
        question, points = entry if isinstance(entry, tuple) else (entry, None)
        fixed.append(ExamQuestion(exam=exam, question=question, points=points, sort_order=index))
    ExamQuestion.objects.bulk_create(fixed)
    made_rules = []
    for index, rule_fields in enumerate(rules):
        rule = AssemblyRule(exam=exam, sort_order=index, **rule_fields)
        rule.full_clean(exclude=["exam"])
        made_rules.append(rule)
    AssemblyRule.objects.bulk_create(made_rules)
    exam.audience_departments.set(departments)
    exam.audience_positions.set(positions)
    exam.audience_employees.set(employees)
    exam.save()
    log(exam, "wagtail.create", user=acting_user)
    papers_when_published(exam)
    return exam


@transaction.atomic
def exam_save(*, exam: Exam, acting_user=None) -> Exam:
    """Save an exam edited as a whole in the admin: its fields with its fixed questions, rules,
    per-employee overrides and audience, which its form holds in memory until ``save()``
    commits them together. Validated; one log entry."""
    created = exam.pk is None
    if created and exam.created_by_id is None and getattr(acting_user, "pk", None):
        exam.created_by = acting_user
    exam.full_clean(exclude=["created_by"])
    exam.save()
    log(exam, "wagtail.create" if created else "wagtail.edit", user=acting_user)
    papers_when_published(exam)
    return exam


@transaction.atomic
def exam_override_set(
    *, exam: Exam, employee, extra_minutes=0, extra_attempts=0, reason="", acting_user=None
) -> ExamOverride:
    """Give one employee more time or more attempts at an exam."""
    override = ExamOverride.objects.filter(exam=exam, employee=employee).first() or ExamOverride(
        exam=exam, employee=employee
    )
    override.extra_minutes = extra_minutes
    override.extra_attempts = extra_attempts
    override.reason = reason
    override.full_clean()
    override.save()
    log(exam, "wagtail.edit", user=acting_user, data={"override_for": employee.pk})
    return override


def papers_when_published(exam: Exam):
    """A formal exam saved published and opening soon gets its papers drawn in the background
    once the save has committed (``EXAM_PAPERS_ON_PUBLISH``; the scheduled fill catches every
    other case). Asked last, so it runs after the new generation the save started."""
    from django.conf import settings

    from .papers import exams_due_for_papers, papers_refill_soon

    if not settings.EXAM_PAPERS_ON_PUBLISH:
        return
    if exam.is_published and exam.kind == Exam.Kind.FORMAL:
        if exams_due_for_papers().filter(pk=exam.pk).exists():
            papers_refill_soon(exam)


def exam_override_for(exam: Exam, employee) -> ExamOverride | None:
    return ExamOverride.objects.filter(exam=exam, employee=employee).first()
