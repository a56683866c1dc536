"""The drill story of the demo company, written through the services.

Two plans (typhoon grid fault, mass customer complaints); a tabletop and a live drill, each
evaluated by two evaluators and approved, with findings and corrective actions in every status;
one upcoming drill whose sheet is waiting for the demo evaluator.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Page

from lms import services as lms_services
from lms.demo import DemoSeeder, _say
from lms.models import Department, Employee
from lms.roles import Role

from . import services
from .models import (
    CorrectiveAction,
    Drill,
    DrillParticipant,
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    EvaluationSheet,
    EvaluationTemplate,
    Finding,
    PlanRevisionNote,
    RatingLevel,
    ScoreSnapshot,
    TemplateCriterion,
)

TYPHOON_CODE = "QC-YA-ZX-03"
COMPLAINT_CODE = "QC-YA-ZX-07"

GRID_CRITERIA = [
    # phase, capability, role, weight, scale, text
    ("preparation", "logistics", "", "1", "yes_no", "抢修队伍、发电车、物资按预案提前预置"),
    ("alarm", "warning", "", "1", "psmu", "收到台风红色预警后 30 分钟内启动应急响应"),
    ("command", "coordination", "commander", "2", "psmu", "应急指挥部及时成立，分工明确"),
    ("command", "assessment", "commander", "1", "score100", "故障研判准确，转供方案合理"),
    ("onsite", "grid_restoration", "player", "2", "score100", "故障隔离与负荷转供操作规范"),
    ("onsite", "safety", "safety_officer", "1", "yes_no", "现场安全措施完备，无违章作业"),
    ("communication", "communications", "", "1", "psmu", "信息逐级报送及时、准确"),
    ("recovery", "grid_restoration", "player", "1", "score100", "恢复送电顺序符合预案"),
]
CUSTOMER_CRITERIA = [
    ("alarm", "warning", "", "1", "yes_no", "群体性投诉信息 15 分钟内报告值班领导"),
    ("command", "coordination", "commander", "2", "psmu", "现场处置小组分工明确，口径统一"),
    ("onsite", "customer", "player", "2", "score100", "接待客户耐心规范，诉求记录完整"),
    ("communication", "warning", "", "1", "psmu", "对外信息发布及时，舆情监测到位"),
    ("summary", "customer", "", "1", "score100", "事后回访与问题闭环"),
]


def _template(code, name, organised_by, rows):
    template = EvaluationTemplate.objects.filter(code=code).order_by("-version").first()
    if template:
        return template
    template = EvaluationTemplate.objects.create(code=code, name=name, organised_by=organised_by)
    scales = {lv.scale.code: lv.scale for lv in RatingLevel.objects.select_related("scale")}
    TemplateCriterion.objects.bulk_create(
        [
            TemplateCriterion(
                template=template,
                sort_order=i,
                text=text,
                phase=phase,
                capability=capability,
                exercise_role=role,
                weight=Decimal(weight),
                scale=scales[scale],
            )
            for i, (phase, capability, role, weight, scale, text) in enumerate(rows)
        ]
    )
    return template


def _fill(sheet, grades):
    """grades: psmu level, yes/no, points — varied per evaluator."""
    psmu, yes_no, points = grades
    levels = {(lv.scale.code, lv.code): lv for lv in RatingLevel.objects.select_related("scale")}
    for i, result in enumerate(sheet.results.select_related("criterion__scale").order_by("pk")):
        code = result.criterion.scale.code
        observed = datetime.time(9, 10 + i * 5)
        if code == "psmu":
            services.result_save(
                result=result,
                level=levels[("psmu", psmu)],
                observation="按流程执行",
                observed_at=observed,
            )
        elif code == "yes_no":
            answer = yes_no if i % 2 else "yes"
            services.result_save(
                result=result,
                level=levels[("yes_no", answer)],
                reason="信息报送超时 10 分钟" if answer == "no" else "",
                observed_at=observed,
            )
        else:
            services.result_save(result=result, points=Decimal(points - i), observed_at=observed)
    services.sheet_submit(sheet=sheet)


class DrillsDemoSeeder(DemoSeeder):
    order = 400

    def seed(self, stdout=None):
        if EmergencyPlanPage.objects.filter(code=TYPHOON_CODE).exists():
            _say(stdout, "Drills: demo data already present.")
            return
        dept = {d.code: d for d in Department.objects.all()}
        people = {e.number: e for e in Employee.objects.select_related("department", "user")}
        coordinator, evaluator, manager, employee = (
            people["QC9004"],
            people["QC9005"],
            people["QC9003"],
            people["QC1001"],
        )
        # A second evaluator from the safety office.
        second = next(
            e
            for e in people.values()
            if e.department.code == "QC-AJ" and not e.number.startswith("QC9")
        )
        lms_services.roles_set(user=second.user, roles=[Role.EVALUATOR])
        staff = {
            code: [
                e
                for e in people.values()
                if e.department.code == code and e.number.startswith("QC2")
            ]
            for code in ("QC-YJ-XL", "QC-YJ-BD", "QC-DK", "QC-YX-KF", "QC-CG")
        }

        index = EmergencyPlanIndexPage.objects.get()  # made by drills' migration 0006
        if not index.intro:
            index.intro = "<p>青川县供电公司应急预案体系：综合预案、专项预案、现场处置方案。</p>"
            index.save_revision().publish()
        typhoon = services.plan_create(
            index=index,
            code=TYPHOON_CODE,
            title="防台风电网故障专项应急预案",
            level=EmergencyPlanPage.Level.SPECIAL,
            hazard=EmergencyPlanPage.Hazard.GRID_FAULT,
            owning_department=dept["QC-YJ"],
            summary="适用于台风影响本县电网造成线路跳闸、倒杆断线、大面积停电时的应急处置。",
            organisation="<p>成立防台风应急指挥部，总指挥由公司总经理担任；下设抢修、调度、物资、客服、后勤保障组。</p>",
            response=(
                "<p>气象红色预警→启动 I 级响应；调度中心 15 分钟内研判故障范围，"
                "指挥部 30 分钟内下达抢修指令。</p>"
            ),
            disposal="<p>优先隔离故障、转供重要用户；倒杆断线现场设置安全围栏；恢复送电按先主干后分支顺序。</p>",
            resources=(
                "<p>抢修队伍 6 支 48 人，发电车 2 台，应急物资库：电杆 40 基、导线 10 km。</p>"
            ),
        )
        complaint = services.plan_create(
            index=index,
            code=COMPLAINT_CODE,
            title="群体性客户投诉事件专项应急预案",
            level=EmergencyPlanPage.Level.SPECIAL,
            hazard=EmergencyPlanPage.Hazard.MASS_CUSTOMER,
            owning_department=dept["QC-YX"],
            summary="适用于因停电、电费等引发的群体性上访、投诉及舆情事件。",
            organisation="<p>营销部牵头成立现场处置组、舆情组、联络组。</p>",
            response="<p>营业厅发现 10 人以上聚集投诉→15 分钟内报告值班领导并启动响应。</p>",
            disposal="<p>设置接待区分流客户，统一答复口径，必要时联系属地政府和公安。</p>",
            resources="<p>接待场所、宣传资料、应急联络通讯录。</p>",
        )
        grid_template = _template("QC-PG-DW", "电网故障应急演练评估表", "phase", GRID_CRITERIA)
        customer_template = _template(
            "QC-PG-KF", "客户服务突发事件演练评估表", "capability", CUSTOMER_CRITERIA
        )
        now = timezone.now()
        today = timezone.localdate()

        # 1. Tabletop drill of the typhoon plan, two months ago: closed out except one action.
        tabletop = services.drill_create(
            title="2026年防台风电网故障桌面推演",
            plan=typhoon,
            covered_sections=["organisation", "response"],
            form=Drill.Form.TABLETOP,
            exercise_type=Drill.ExerciseType.TABLETOP,
            scope=Drill.Scope.COMPREHENSIVE,
            purpose=Drill.Purpose.INSPECTION,
            scenario=(
                "第 9 号台风“海燕”正面登陆，10kV 城关线、黄溪线相继跳闸，3 个供电所 1.2 万户停电。"
            ),
            objectives="检验指挥部启动、故障研判和信息报送流程；明确各组职责衔接。",
            announced=True,
            planned_start=now - datetime.timedelta(days=60),
            planned_end=now - datetime.timedelta(days=60, hours=-3),
            location="公司应急指挥中心",
            organising_department=dept["QC-AJ"],
            coordinator=coordinator,
            template=grid_template,
            participants=[
                (evaluator, "evaluator"),
                (second, "evaluator"),
                (manager, "commander"),
                (employee, "player"),
                *((e, "player") for e in staff["QC-DK"][:2]),
                *((e, "player") for e in staff["QC-YJ-XL"][:2]),
                (staff["QC-YJ-BD"][0], "controller"),
            ],
        )
        services.drill_record_conducted(
            drill=tabletop,
            actual_start=now - datetime.timedelta(days=60),
            actual_end=now - datetime.timedelta(days=60, hours=-3),
        )
        sheets = list(tabletop.sheets.order_by("pk"))
        _fill(sheets[0], ("S", "no", 86))
        _fill(sheets[1], ("P", "yes", 91))
        services.drill_mark_evaluated(
            drill=tabletop, summary="推演总体有序，指挥部启动及时；信息报送和物资调拨存在短板。"
        )
        services.finding_record(
            drill=tabletop,
            kind="strength",
            title="指挥部启动迅速，职责分工清晰",
            recorded_by=coordinator,
        )
        report_finding = services.finding_record(
            drill=tabletop,
            kind="improvement",
            grade=Finding.Grade.RECTIFICATION,
            title="停电信息向上级报送超时",
            description="调度中心至指挥部的信息报送比预案要求晚 10 分钟。",
            responsible_department=dept["QC-DK"],
            recorded_by=coordinator,
        )
        supplies_finding = services.finding_record(
            drill=tabletop,
            kind="improvement",
            grade=Finding.Grade.IMPROVEMENT,
            title="应急物资台账与实物不一致",
            responsible_department=dept["QC-YJ"],
            recorded_by=coordinator,
        )
        dk_owner = staff["QC-DK"][0]
        closed = services.action_create(
            finding=report_finding,
            description="修订调度信息报送模板，增加 15 分钟报送时限提醒",
            element=CorrectiveAction.Element.ORGANISATION,
            owner=dk_owner,
            start_date=today - datetime.timedelta(days=55),
            created_by=coordinator,
        )
        services.action_start(action=closed, by=dk_owner, note="已组织调度员讨论")
        services.action_submit(action=closed, by=dk_owner, note="新模板已下发执行")
        services.action_verify(
            action=closed, by=coordinator, method="抽查值班记录", result="三次故障均按时报送"
        )
        awaiting = services.action_create(
            finding=supplies_finding,
            description="全面盘点应急物资库，更新台账",
            element=CorrectiveAction.Element.EQUIPMENT,
            owner=staff["QC-YJ-BD"][0],
            start_date=today - datetime.timedelta(days=55),
            created_by=coordinator,
        )
        services.action_submit(
            action=awaiting, by=staff["QC-YJ-BD"][0], note="盘点完成，台账已更新"
        )
        services.report_approve(drill=tabletop, acting_user=coordinator.user)

        # 2. Live drill of the complaint plan, three weeks ago.
        live = services.drill_create(
            title="营业厅群体性投诉事件实战演练",
            plan=complaint,
            covered_sections=["response", "disposal", "resources"],
            form=Drill.Form.LIVE,
            exercise_type=Drill.ExerciseType.FUNCTIONAL,
            scope=Drill.Scope.SINGLE,
            purpose=Drill.Purpose.DEMONSTRATION,
            scenario="因计划停电通知不到位，20 余名客户聚集城关营业厅要求赔偿，现场有人直播。",
            objectives="检验营业厅现场处置、信息报告与舆情应对能力。",
            announced=False,
            planned_start=now - datetime.timedelta(days=21),
            planned_end=now - datetime.timedelta(days=21, hours=-2),
            location="城关供电所营业厅",
            organising_department=dept["QC-YX"],
            coordinator=coordinator,
            template=customer_template,
            participants=[
                (evaluator, "evaluator"),
                (second, "evaluator"),
                (manager, "commander"),
                (employee, "simulator"),
                *((e, "player") for e in staff["QC-YX-KF"][:3]),
                *((e, "player") for e in staff["QC-CG"][:2]),
                (staff["QC-CG"][2], "safety_officer"),
            ],
        )
        services.drill_record_conducted(
            drill=live,
            actual_start=now - datetime.timedelta(days=21),
            actual_end=now - datetime.timedelta(days=21, hours=-2),
            absent=[staff["QC-CG"][1]],
        )
        sheets = list(live.sheets.order_by("pk"))
        _fill(sheets[0], ("M", "no", 72))
        _fill(sheets[1], ("S", "yes", 78))
        services.drill_mark_evaluated(
            drill=live, summary="一线接待规范，但舆情发现与口径统一偏慢；预案缺少直播舆情处置要求。"
        )
        services.finding_record(
            drill=live,
            kind="strength",
            title="营业厅员工接待耐心、分流有序",
            recorded_by=coordinator,
        )
        opinion = services.finding_record(
            drill=live,
            kind="improvement",
            grade=Finding.Grade.DEFICIENCY,
            title="预案未覆盖网络直播舆情处置",
            responsible_department=dept["QC-YX"],
            recorded_by=coordinator,
        )
        notice = services.finding_record(
            drill=live,
            kind="improvement",
            grade=Finding.Grade.RECTIFICATION,
            title="停电通知未覆盖全部敏感客户",
            responsible_department=dept["QC-CG"],
            recurrence_of=report_finding,
            recorded_by=coordinator,
        )
        kf = staff["QC-YX-KF"]
        plan_action = services.action_create(
            finding=opinion,
            description="在预案处置措施中增加网络直播与舆情处置条款",
            element=CorrectiveAction.Element.PLAN,
            owner=kf[0],
            created_by=coordinator,
        )
        services.action_start(action=plan_action, by=kf[0], note="已起草新增条款")
        services.action_submit(action=plan_action, by=kf[0], note="条款已提交审批")
        services.plan_revise(
            plan=complaint,
            reason=PlanRevisionNote.Reason.DRILL_FINDING,
            explanation="依据 2026 年营业厅群体性投诉演练发现问题，增加舆情处置条款。",
            changes={
                "disposal": complaint.disposal
                + "<p>发现网络直播或舆情苗头时，舆情组 30 分钟内核实并按统一口径回应。</p>"
            },
            closes_actions=[plan_action],
            acting_user=coordinator.user,
            submit_for_approval=True,
        )
        services.action_verify(
            action=plan_action,
            by=coordinator,
            method="审查预案修订稿",
            result="新增条款已纳入修订版并提交审批",
        )
        in_progress = services.action_create(
            finding=notice,
            description="建立敏感客户停电通知清单并双人复核",
            element=CorrectiveAction.Element.ORGANISATION,
            owner=manager,
            created_by=coordinator,
        )
        services.action_start(action=in_progress, by=manager, note="清单整理中")
        services.action_create(
            finding=notice,
            description="对营业厅人员开展舆情应对培训",
            element=CorrectiveAction.Element.TRAINING,
            owner=employee,
            created_by=coordinator,
        )
        overdue = services.action_create(
            finding=opinion,
            description="配置营业厅舆情监测终端",
            element=CorrectiveAction.Element.EQUIPMENT,
            owner=kf[1],
            start_date=today - datetime.timedelta(days=20),
            due_date=today - datetime.timedelta(days=3),
            created_by=coordinator,
        )
        assert overdue.is_overdue()
        rejected = services.action_create(
            finding=notice,
            description="为每个营业厅增配保安",
            element=CorrectiveAction.Element.ORGANISATION,
            owner=kf[2],
            created_by=coordinator,
        )
        services.action_reject(
            action=rejected, by=coordinator, reason="已由属地派出所联动机制覆盖，不单独增配"
        )
        services.report_approve(drill=live, acting_user=coordinator.user)

        # 3. An upcoming live drill: the demo evaluator has a sheet to fill.
        services.drill_create(
            title="10kV 线路倒杆断线抢修实战演练",
            plan=typhoon,
            covered_sections=["disposal", "resources"],
            form=Drill.Form.LIVE,
            exercise_type=Drill.ExerciseType.FULL_SCALE,
            scope=Drill.Scope.COMPREHENSIVE,
            purpose=Drill.Purpose.INSPECTION,
            scenario="台风过后黄溪线 23 号杆倒杆，导线落地，需带电作业与发电车保供。",
            objectives="检验抢修队伍集结、现场安全措施和发电车保供能力。",
            announced=True,
            planned_start=now + datetime.timedelta(days=10),
            planned_end=now + datetime.timedelta(days=10, hours=4),
            location="黄溪供电所 10kV 黄溪线 23 号杆",
            organising_department=dept["QC-YJ"],
            coordinator=coordinator,
            template=grid_template,
            participants=[
                (evaluator, "evaluator"),
                (second, "evaluator"),
                (employee, "player"),
                *((e, "player") for e in staff["QC-YJ-XL"][:3]),
            ],
        )
        _say(stdout, "Drills: 2 plans, 3 drills (2 evaluated and approved), findings and actions.")

    def reset(self):
        CorrectiveAction.objects.all().delete()
        Finding.objects.all().delete()
        ScoreSnapshot.objects.all().delete()
        PlanRevisionNote.objects.all().delete()
        EvaluationSheet.objects.all().delete()  # records: protected, so removed first
        DrillParticipant.objects.all().delete()
        Drill.objects.all().delete()
        EvaluationTemplate.objects.all().delete()
        # The library itself belongs to the installation (migration 0006); its plans are demo.
        for plan in EmergencyPlanPage.objects.all():
            Page.objects.get(pk=plan.pk).delete()
