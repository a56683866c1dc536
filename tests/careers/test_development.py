import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from wagtail import hooks

from careers import services
from careers.models import CareersError, DevelopmentPlan, PositionTemplate, RotationAssignment
from lms.hooks import ARCHIVE_SOURCE_HOOK, ArchiveEntry
from tests import factories as f


@pytest.fixture
def target(db):
    position = f.position(name="配电运检班长")
    PositionTemplate.objects.create(
        position=position,
        required_skills="配网故障抢修指挥\n班组安全管理",
        required_courses="班组长岗位培训\n配网带电作业",
    )
    return position


def submitted_plan(people, target):
    plan = services.development_plan_create(
        employee=people["employee"], year=2026, target_position=target, mentor=people["colleague"]
    )
    return services.development_plan_submit(plan=plan)


def test_template_prefills_goals_and_courses(people, target):
    plan = services.development_plan_create(
        employee=people["employee"], year=2026, target_position=target
    )
    goals = [g.description for g in plan.goals.all()]
    assert len(goals) == 2
    assert "配网故障抢修指挥" in goals[0] and "班组安全管理" in goals[1]
    assert [c.title for c in plan.planned_courses.all()] == ["班组长岗位培训", "配网带电作业"]


def test_one_plan_per_year_and_no_self_mentoring(people):
    services.development_plan_create(employee=people["employee"], year=2026)
    with pytest.raises(ValidationError):
        services.development_plan_create(employee=people["employee"], year=2026)
    with pytest.raises(ValidationError):
        services.development_plan_create(
            employee=people["employee"], year=2027, mentor=people["employee"]
        )


@pytest.mark.parametrize("approver", ["hr", "other_manager", "colleague", "employee", "trainer"])
def test_approval_outside_the_management_line_is_refused(people, target, approver):
    plan = submitted_plan(people, target)
    with pytest.raises(CareersError):
        services.development_plan_approve(plan=plan, approver=people[approver])
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.SUBMITTED and plan.approved_by is None


def test_manager_up_the_line_approves(people, company, target):
    plan = submitted_plan(people, target)
    # The company head sits two levels above the employee's team.
    head = f.employee(department=company["root"], roles=["Department manager"])
    from lms import services as lms_services

    lms_services.department_update(department=company["root"], manager=head)
    plan = services.development_plan_approve(plan=plan, approver=head)
    assert plan.status == DevelopmentPlan.Status.APPROVED and plan.approved_by == head


def test_plan_life_and_illegal_moves(people, target):
    plan = services.development_plan_create(employee=people["employee"], year=2026)
    with pytest.raises(CareersError):
        services.development_plan_approve(plan=plan, approver=people["manager"])
    with pytest.raises(CareersError):
        services.development_plan_review(plan=plan, text="好", reviewer=people["manager"])
    services.development_plan_submit(plan=plan)
    with pytest.raises(CareersError):
        services.development_plan_submit(plan=plan)
    services.development_plan_approve(plan=plan, approver=people["manager"])
    with pytest.raises(ValidationError):
        services.development_plan_review(plan=plan, text=" ", reviewer=people["manager"])
    with pytest.raises(CareersError):
        services.development_plan_review(plan=plan, text="好", reviewer=people["colleague"])
    plan = services.development_plan_review(
        plan=plan, text="年度目标基本完成", reviewer=people["hr"]
    )
    assert plan.status == DevelopmentPlan.Status.REVIEWED
    with pytest.raises(CareersError):
        services.development_goal_add(plan=plan, description="x")


def test_planned_course_progress_comes_from_the_archive(people, target):
    plan = services.development_plan_create(
        employee=people["employee"], year=2026, target_position=target
    )

    def source(employee, *, year=None):
        return [ArchiveEntry(datetime.date(2026, 5, 1), "training", "班组长岗位培训（2026春季）")]

    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, source):
        progress = services.planned_course_progress(plan)
    assert [(p["course"].title, p["done"]) for p in progress] == [
        ("班组长岗位培训", True),
        ("配网带电作业", False),
    ]
    # Without any source the plan still works: nothing is done yet.
    assert [p["done"] for p in services.planned_course_progress(plan)] == [False, False]


# --- Rotation -----------------------------------------------------------------------------


@pytest.fixture
def programme(db):
    return services.rotation_programme_create(
        name="2026年营配岗位轮换",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )


def assign(people, company, programme, start, end, who="employee", **kwargs):
    return services.rotation_assign(
        programme=programme,
        employee=people[who],
        to_department=company["other"],
        to_position=f.position(name="营业厅客户代表"),
        start=start,
        end=end,
        objectives=["掌握业扩报装流程", "独立受理客户诉求"],
        **kwargs,
    )


def test_rotation_records_from_and_to(people, company, programme):
    rotation = assign(
        people, company, programme, datetime.date(2026, 3, 1), datetime.date(2026, 5, 31)
    )
    assert rotation.from_department == company["team_a"]
    assert rotation.from_position == people["employee"].position
    assert rotation.objectives.count() == 2


def test_overlapping_rotations_are_refused(people, company, programme):
    assign(people, company, programme, datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))
    with pytest.raises(ValidationError, match="2026-03-01"):
        assign(people, company, programme, datetime.date(2026, 5, 1), datetime.date(2026, 7, 31))
    assert RotationAssignment.objects.count() == 1
    # Back to back is fine, and a cancelled rotation frees its dates.
    later = assign(
        people, company, programme, datetime.date(2026, 6, 1), datetime.date(2026, 7, 31)
    )
    services.rotation_cancel(assignment=later)
    assign(people, company, programme, datetime.date(2026, 7, 1), datetime.date(2026, 8, 31))


def test_rotation_outside_employment_is_refused(people, company, programme):
    from lms import services as lms_services

    lms_services.employee_update(employee=people["employee"], hire_date=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        assign(people, company, programme, datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))
    assert "start" in error.value.message_dict
    lms_services.employee_update(employee=people["colleague"], status="left")
    with pytest.raises(ValidationError):
        assign(
            people,
            company,
            programme,
            datetime.date(2026, 6, 1),
            datetime.date(2026, 7, 31),
            who="colleague",
        )
    assert not RotationAssignment.objects.exists()


def test_receiving_manager_evaluates_each_objective(people, company, programme):
    rotation = assign(
        people, company, programme, datetime.date(2026, 3, 1), datetime.date(2026, 5, 31)
    )
    scores = {o.pk: (Decimal(85), "熟练") for o in rotation.objectives.all()}
    with pytest.raises(CareersError):  # still planned
        services.rotation_evaluate(
            assignment=rotation, evaluator=people["other_manager"], scores=scores
        )
    services.rotation_start(assignment=rotation)
    with pytest.raises(CareersError):  # the sending manager is not the receiving one
        services.rotation_evaluate(assignment=rotation, evaluator=people["manager"], scores=scores)
    with pytest.raises(ValidationError):  # every objective needs a score
        services.rotation_evaluate(
            assignment=rotation,
            evaluator=people["other_manager"],
            scores=dict(list(scores.items())[:1]),
        )
    rotation = services.rotation_evaluate(
        assignment=rotation, evaluator=people["other_manager"], scores=scores, comment="表现良好"
    )
    rotation.refresh_from_db()
    assert rotation.status == "completed" and rotation.evaluated_by == people["other_manager"]
    assert rotation.average_score == Decimal("85.00")
    with pytest.raises(CareersError):
        services.rotation_cancel(assignment=rotation)


def test_the_plan_names_the_moves_each_person_may_make(people, target):
    """The page loops over ``available_moves``: the owner submits a draft, the management line
    approves, someone else closes an approved plan; a reviewed plan takes no more goals."""
    plan = services.development_plan_create(
        employee=people["employee"], year=2026, target_position=target
    )
    assert list(plan.available_moves(people["employee"])) == ["submit"]
    assert plan.available_moves(people["manager"]) == {}
    assert plan.available_moves(None) == {}
    services.development_plan_submit(plan=plan)
    assert list(plan.available_moves(people["manager"])) == ["approve"]
    assert plan.available_moves(people["employee"]) == {}
    assert plan.available_moves(people["colleague"]) == {}
    services.development_plan_approve(plan=plan, approver=people["manager"])
    assert list(plan.available_moves(people["manager"])) == ["review"]
    assert plan.available_moves(people["employee"]) == {}
    assert plan.takes_goals
    services.development_plan_review(plan=plan, text="目标基本达成。", reviewer=people["manager"])
    assert plan.available_moves(people["manager"]) == {}
    assert not plan.takes_goals
