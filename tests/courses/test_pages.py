from http import HTTPStatus

import pytest
from django.urls import reverse

from courses import services
from courses.models import CoursePage, PlanItem, TrainingPlanPage
from lms.roles import Role
from tests import factories as f
from tests.conftest import login
from tests.factories import courses as cf


@pytest.fixture
def training_manager(people):
    manager = f.employee(number="TM1", roles=[Role.TRAINER])
    services.training_manager_set(user=manager.user)
    return manager


def test_trainer_may_add_courses_but_not_publish(people):
    perms = cf.course_index().permissions_for_user(people["trainer"].user)
    assert perms.can_add_subpage()
    assert not perms.can_publish_subpage()
    assert not cf.course_index().permissions_for_user(people["employee"].user).can_add_subpage()


def test_trainer_submits_and_training_manager_approves(people, training_manager):
    trainer = people["trainer"].user
    page = cf.course(title="电力法规解读", publish=False, user=trainer)
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "课程与培训计划发布审批"
    state = workflow.start(page, trainer)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(page, trainer) == []  # a trainer cannot approve
    actions = [name for name, _label, _modal in task.get_actions(page, training_manager.user)]
    assert "approve" in actions
    state.current_task_state.task.specific.on_action(task_state, training_manager.user, "approve")
    page.refresh_from_db()
    assert page.live


def test_plan_page_lists_items(client, people, company):
    course = cf.course(title="安全规程")
    plan = TrainingPlanPage(
        title="2026年度培训计划",
        year=2026,
        department=company["root"],
        goals="<p>全员培训</p>",
        items=[
            PlanItem(title="安全规程", course=course, method="internal", planned_month=2, hours=8)
        ],
    )
    cf.plan_index().add_child(instance=plan)
    plan.save_revision().publish()
    login(client, people["employee"])
    body = client.get(plan.url).content.decode()
    assert "安全规程" in body and "Internal training" in body
    assert "2026年度培训计划" in client.get(cf.plan_index().url).content.decode()


def test_course_edit_page_opens_for_trainer(client, people):
    page = cf.course(publish=False)
    login(client, people["trainer"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == HTTPStatus.OK
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", cf.course_index().pk])
    )
    assert response.status_code == HTTPStatus.OK


def test_course_code_is_unique(people):
    from django.core.exceptions import ValidationError

    cf.course(code="DUP")
    with pytest.raises(ValidationError) as info:
        CoursePage(title="x", code="DUP", category="law", summary="s", hours=1).full_clean()
    assert "code" in info.value.message_dict
