"""A training plan's items keep their audience (positions, departments) once the plan is saved
and published, and the plan page's 培训对象 column shows it."""

from decimal import Decimal

from courses.models import PlanItem, TrainingPlanPage
from tests import factories as f
from tests.conftest import login
from tests.factories import courses as cf


def test_plan_items_keep_their_audience_through_publishing(client, people, company):
    position = f.position(code="POS-YY", name="营业窗口岗")
    item = PlanItem(title="服务规范", method="internal", planned_month=3, hours=Decimal(4))
    item.target_positions = [position]
    item.target_departments = [company["team_a"]]
    plan = TrainingPlanPage(
        title="2026 年度培训计划", year=2026, department=company["root"], items=[item]
    )
    cf.plan_index().add_child(instance=plan)
    plan.save_revision().publish()

    saved = TrainingPlanPage.objects.get(pk=plan.pk).items.get()
    assert list(saved.target_positions.all()) == [position]
    assert list(saved.target_departments.all()) == [company["team_a"]]
    login(client, people["employee"])
    page = client.get(plan.url).content.decode()
    row = page.split("服务规范", 1)[1].split("</tr>", 1)[0]
    assert "营业窗口岗" in row and "变电班" in row
