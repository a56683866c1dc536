"""The drill loop in a browser: schedule → evaluate on a phone → findings and actions → report
and PDF → owner completes, plan revised, someone else verifies."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from drills.models import CorrectiveAction, Drill, EvaluationSheet, Finding, RatingScale
from lms import services as lms_services
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import add_inline_row, sign_in
from tests.factories import drills as df

DRILL_PERMISSIONS = {
    Role.COORDINATOR: [
        "access_admin",
        "view_employee",
        *[
            f"{action}_{model}"
            for model in ("drill", "drillparticipant", "evaluationtemplate", "finding")
            for action in ("add", "change", "view")
        ],
        "change_correctiveaction",
        "view_correctiveaction",
    ],
    Role.MANAGER: ["access_admin", "view_employee", "view_drill"],
    Role.EVALUATOR: [],
    Role.EMPLOYEE: [],
}


@pytest.fixture
def world(transactional_db):
    # Migrations made the home page, the role groups and the rating scales.
    assert RatingScale.objects.count() == 3
    for role, codenames in DRILL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    company = f.department(code="QC", name="青川县供电公司", kind="company")
    safety = f.department(code="QC-AJ", name="安全监察部", parent=company, kind="office")
    ops = f.department(code="QC-YJ", name="运维检修部", parent=company, kind="branch")
    people = {
        "coordinator": f.employee(
            number="QC9004", name="周应急", department=safety, roles=[Role.COORDINATOR]
        ),
        "evaluator": f.employee(
            number="QC9005", name="孙评估", department=safety, roles=[Role.EVALUATOR]
        ),
        "manager": f.employee(number="QC9003", name="赵建国", department=ops, roles=[Role.MANAGER]),
        "owner": f.employee(number="QC2001", name="王抢修", department=ops),
    }
    lms_services.department_update(department=ops, manager=people["manager"])
    plan = df.plan(department=ops, code="QC-YA-ZX-03", title="防台风电网故障专项应急预案")
    template = df.template(code="QC-PG-DW")
    return {"people": people, "plan": plan, "template": template, "ops": ops}


def test_drill_loop(page, phone, world, live_server):
    people, plan = world["people"], world["plan"]

    # 1. The coordinator schedules a drill from the plan and assigns an evaluator.
    sign_in(page, "QC9004", f.PASSWORD)
    page.goto("/admin/drill_admin/new/", wait_until="networkidle")
    page.fill("#id_title", "防台风桌面推演")
    page.select_option("#id_plan", str(plan.pk))
    page.check("#id_covered_sections_1")
    page.check("#id_covered_sections_2")
    page.select_option("#id_form", "tabletop")
    page.select_option("#id_exercise_type", "tabletop")
    page.select_option("#id_scope", "single")
    page.select_option("#id_purpose", "inspection")
    page.fill("#id_scenario", "台风导致10kV线路跳闸")
    page.fill("#id_objectives", "检验应急响应流程")
    start = timezone.localtime() - datetime.timedelta(hours=3)
    page.fill("#id_planned_start", start.strftime("%Y-%m-%d %H:%M"))
    page.fill("#id_planned_end", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"))
    page.fill("#id_location", "应急指挥中心")
    page.select_option("#id_organising_department", str(world["ops"].pk))
    page.select_option("#id_coordinator", str(people["coordinator"].pk))
    page.select_option("#id_template", str(world["template"].pk))
    add_inline_row(page, "participants")
    page.select_option("#id_participants-0-employee", str(people["evaluator"].pk))
    page.select_option("#id_participants-0-role", "evaluator")
    add_inline_row(page, "participants")
    page.select_option("#id_participants-1-employee", str(people["owner"].pk))
    page.select_option("#id_participants-1-role", "player")
    page.locator("footer.footer button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/drills/\d+/$"))
    drill = Drill.objects.get()
    assert drill.plan_revision_id == plan.live_revision_id

    # The drill takes place; the coordinator records it.
    page.fill("#id_actual_start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_actual_end", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#conduct-form button[type=submit]")
    assert page.locator("#drill-status").inner_text() == "已实施"

    # 2. The evaluator fills in the sheet on a phone; each answer is saved as it is given.
    sign_in(phone, "QC9005", f.PASSWORD)
    phone.goto("/my/drills/")
    phone.get_by_role("link", name="防台风桌面推演").first.click()
    phone.wait_for_url(re.compile(r"/drills/sheets/\d+/$"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    forms = phone.locator("form[data-autosave]")
    assert forms.count() == 3
    forms.nth(0).get_by_text("S 有一些挑战").click()
    forms.nth(0).locator(".save-state").filter(has_text="已保存").wait_for()
    forms.nth(1).locator("textarea[name=reason]").fill("信息报送超时")
    forms.nth(1).get_by_text("否", exact=True).click()
    forms.nth(1).locator(".save-state").filter(has_text="已保存").wait_for()
    forms.nth(2).locator("input[name=points]").fill("82")
    forms.nth(2).locator("input[name=points]").blur()
    forms.nth(2).locator(".save-state").filter(has_text="已保存").wait_for()
    assert phone.locator("#rated-count").inner_text() == "3"
    phone.click("#submit-sheet button")
    assert phone.locator("#sheet-status").inner_text() == "已提交"
    assert EvaluationSheet.objects.get().status == "submitted"

    # 3. Findings, a corrective action, report approval and the PDF.
    page.reload()
    page.click("button[name=evaluate]")
    assert page.locator("#drill-status").inner_text() == "已评估"
    page.click("#add-finding summary")
    page.select_option("#finding-form #id_kind", "improvement")
    page.select_option("#finding-form #id_grade", "rectification")
    page.fill("#finding-form #id_title", "信息报送不及时")
    page.select_option("#finding-form #id_responsible_department", str(world["ops"].pk))
    page.click("#finding-form button[type=submit]")
    page.click("#add-action summary")
    action_form = page.locator(".action-form")
    action_form.locator("#id_finding").select_option(str(Finding.objects.get().pk))
    action_form.locator("#id_description").fill("预案增加信息报送时限")
    action_form.locator("#id_element").select_option("plan")
    action_form.locator("#id_owner").select_option(str(people["owner"].pk))
    action_form.locator("button[type=submit]").click()
    action = CorrectiveAction.objects.get()
    page.click("button[name=approve]")
    assert page.locator("#drill-status").inner_text() == "报告已批准"
    page.goto(f"/drills/{drill.pk}/report/")
    assert "信息报送不及时" in page.content()
    with page.expect_download() as download_info:
        page.click("#report-pdf")
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # 4. The owner completes the action.
    page.context.clear_cookies()
    sign_in(page, "QC2001", f.PASSWORD)
    page.goto(f"/drills/actions/{action.pk}/")
    page.fill("#id_note", "已起草修订条款")
    page.click("button[value=start]")
    page.fill("#id_note", "修订稿已完成")
    page.click("button[value=submit]")
    assert page.locator("#action-status").inner_text() == "待验证"

    # 5. The plan gets a new revision linked to the action; someone else verifies and closes it.
    page.context.clear_cookies()
    sign_in(page, "QC9004", f.PASSWORD)
    page.goto(f"/admin/pages/{plan.pk}/edit/")
    page.fill("#id_summary", "增加信息报送时限要求")
    page.select_option("#id_revision_reason", "drill_finding")
    page.select_option("#id_closes_actions", str(action.pk))
    page.locator("button.action-save").first.click()
    page.wait_for_load_state()
    action.refresh_from_db()
    assert action.plan_revision is not None
    assert (
        action.plan_revision.revision_id
        == plan.__class__.objects.get(pk=plan.pk).latest_revision_id
    )

    page.goto(f"/drills/actions/{action.pk}/")
    page.fill("#id_method", "审查预案修订稿")
    page.fill("#id_result", "已纳入修订")
    page.select_option("#id_passed", "1")
    page.click("button[value=verify]")
    assert page.locator("#action-status").inner_text() == "已关闭"
    action.refresh_from_db()
    assert action.status == "closed" and action.verified_by == people["coordinator"]
