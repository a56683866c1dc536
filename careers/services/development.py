"""Development plans: the plan from a position template, goals, planned courses, approval,
check-ins and the yearly review."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.hooks import ArchiveCategory, archive_entries
from lms.roles import Role, has_role

from ..models import (
    CareersError,
    CheckIn,
    DevelopmentGoal,
    DevelopmentPlan,
    PlannedCourse,
    PositionTemplate,
    management_line_ids,
)
from ._common import _save


@transaction.atomic
def development_plan_create(
    *,
    employee,
    year: int,
    target_position=None,
    mentor=None,
    use_template: bool = True,
    acting_user=None,
):
    """A draft plan; the target position's template pre-fills goals and planned courses."""
    if DevelopmentPlan.objects.filter(employee=employee, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(name)s already has a plan for %(year)s.")
                % {"name": employee.name, "year": year}
            }
        )
    if mentor is not None and mentor.pk == employee.pk:
        raise ValidationError({"mentor": _("An employee cannot mentor themself.")})
    plan = _save(
        DevelopmentPlan(
            employee=employee, year=year, target_position=target_position, mentor=mentor
        )
    )
    if use_template and target_position is not None:
        template = PositionTemplate.objects.filter(position=target_position).first()
        if template is not None:
            DevelopmentGoal.objects.bulk_create(
                [
                    DevelopmentGoal(
                        plan=plan,
                        description=_("Master: %(skill)s") % {"skill": skill},
                        measure=_("Confirmed by the mentor"),
                    )
                    for skill in template.skills
                ]
            )
            PlannedCourse.objects.bulk_create(
                [PlannedCourse(plan=plan, title=title) for title in template.courses]
            )
    log(plan, "wagtail.create", user=acting_user)
    return plan


@transaction.atomic
def development_goal_add(*, plan, description, measure="", due_date=None, acting_user=None):
    if plan.status == DevelopmentPlan.Status.REVIEWED:
        raise CareersError(_("A reviewed plan is closed."))
    return _save(
        DevelopmentGoal(plan=plan, description=description, measure=measure, due_date=due_date)
    )


@transaction.atomic
def development_goal_set_status(*, goal, status, acting_user=None):
    goal.status = status
    return _save(goal)


@transaction.atomic
def planned_course_add(*, plan, title, acting_user=None):
    return _save(PlannedCourse(plan=plan, title=title))


@transaction.atomic
def development_plan_submit(*, plan, acting_user=None):
    plan.submit()
    plan.save(update_fields=["status"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def development_plan_approve(*, plan, approver, acting_user=None):
    """Approve a submitted plan; only a manager in the employee's management line may."""
    plan.approve(approver)
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def development_plan_review(*, plan, text, reviewer, acting_user=None):
    """The yearly review closes an approved plan; written by the management line or HR."""
    user = getattr(reviewer, "user", None)
    if reviewer.pk not in management_line_ids(plan.employee.department) and not (
        user and has_role(user, Role.HR)
    ):
        raise CareersError(_("Only the employee's managers or HR write the yearly review."))
    plan.close_with_review(text)
    plan.save(update_fields=["review", "reviewed_at", "status"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def check_in_add(*, plan, author, note):
    if not (note or "").strip():
        raise ValidationError({"note": _("Write the note.")})
    return _save(CheckIn(plan=plan, author=author, note=note.strip()))


def planned_course_progress(plan):
    """Planned courses with whether the employee's archive shows them completed."""
    done_titles = {
        entry.title
        for entry in archive_entries(
            plan.employee,
            categories=(ArchiveCategory.TRAINING, ArchiveCategory.ATTENDANCE),
        )
    }
    return [
        {"course": course, "done": any(course.title in title for title in done_titles)}
        for course in plan.planned_courses.all()
    ]
