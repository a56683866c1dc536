"""Careers demo story for 青川县供电公司: development plans, a rotation programme with
evaluations, and the 2026 Q3 appraisal calculated and published from imported KPI values."""

import datetime
import random
from decimal import Decimal

import tablib
from django.db import transaction

from lms.demo import DemoSeeder
from lms.importing import run_import
from lms.models import Department, Employee, Position

from . import services
from .models import (
    AppraisalPeriod,
    AppraisalResult,
    CheckIn,
    DevelopmentPlan,
    IndicatorCategory,
    IndicatorSystem,
    IndicatorValue,
    PositionTemplate,
    Recognition,
    RotationAssignment,
    RotationProgramme,
    Subject,
)
from .resources import IndicatorValueResource

SYSTEM_NAME = "青川县供电公司绩效考核办法"
PERIOD_NAME = "2026年第三季度"
PROGRAMME_NAME = "2026年营配调岗位轮换"

INDICATORS = [
    # code, name, category, subject, weight, rule, extra
    (
        "GK-01",
        "供电可靠率",
        IndicatorCategory.SUPPLY_RELIABILITY,
        Subject.DEPARTMENT,
        15,
        "pass_fail",
        {"target": Decimal("99.90"), "unit": "%", "min_value": 0, "max_value": 100},
    ),
    (
        "GK-02",
        "综合电压合格率",
        IndicatorCategory.VOLTAGE_QUALITY,
        Subject.DEPARTMENT,
        10,
        "linear",
        {
            "threshold_low": 97,
            "threshold_high": Decimal("99.5"),
            "unit": "%",
            "min_value": 0,
            "max_value": 100,
        },
    ),
    (
        "GK-03",
        "电费回收率",
        IndicatorCategory.BILLING_SERVICE,
        Subject.DEPARTMENT,
        10,
        "linear",
        {"threshold_low": 95, "threshold_high": 100, "unit": "%", "min_value": 0, "max_value": 100},
    ),
    (
        "GK-04",
        "业扩报装时限达标率",
        IndicatorCategory.NEW_CONNECTIONS,
        Subject.DEPARTMENT,
        10,
        "linear",
        {"threshold_low": 90, "threshold_high": 100, "unit": "%", "min_value": 0, "max_value": 100},
    ),
    (
        "GR-01",
        "有效投诉",
        IndicatorCategory.COMPLAINT_HANDLING,
        Subject.EMPLOYEE,
        15,
        "deduction",
        {
            "deduction_per_occurrence": 25,
            "floor_score": 0,
            "unit": "件",
            "min_value": 0,
            "max_value": 20,
        },
    ),
    (
        "GR-02",
        "培训学时完成率",
        IndicatorCategory.TRAINING,
        Subject.EMPLOYEE,
        15,
        "linear",
        {"threshold_low": 60, "threshold_high": 100, "unit": "%", "min_value": 0, "max_value": 150},
    ),
    (
        "GR-03",
        "应急演练评估得分",
        IndicatorCategory.DRILLS,
        Subject.EMPLOYEE,
        10,
        "direct",
        {"unit": "分", "min_value": 0, "max_value": 100},
    ),
    (
        "GR-04",
        "服务行为规范",
        IndicatorCategory.CONDUCT,
        Subject.EMPLOYEE,
        15,
        "deduction",
        {
            "deduction_per_occurrence": 10,
            "floor_score": 40,
            "unit": "次",
            "min_value": 0,
            "max_value": 20,
        },
    ),
]

TEMPLATES = {
    "P04": (
        "班组安全管理\n配网故障抢修现场指挥\n班组绩效与培训组织",
        "班组长岗位培训\n《电力安全工作规程》（配电部分）\n配网抢修指挥",
    ),
    "P03": (
        "供电所综合管理\n优质服务与投诉处理\n营配调业务协同",
        "供电所所长任职培训\n优质服务规范\n电力法律法规",
    ),
    "P16": ("业扩报装全流程\n供电方案编制", "业扩报装业务规范\n客户服务沟通技巧"),
}


def _employee(number):
    return Employee.objects.select_related("department", "position").filter(number=number).first()


class CareersDemoSeeder(DemoSeeder):
    order = 500

    @transaction.atomic
    def seed(self, stdout=None):
        self._templates()
        made = [self._plans(), self._rotations(), self._appraisal()]
        if stdout is not None:
            stdout.write("Careers: " + "; ".join(m for m in made if m))

    def reset(self):
        Recognition.objects.all().delete()
        AppraisalResult.objects.all().delete()
        IndicatorValue.objects.all().delete()
        AppraisalPeriod.objects.all().delete()
        IndicatorSystem.objects.all().delete()
        RotationAssignment.objects.all().delete()
        RotationProgramme.objects.all().delete()
        CheckIn.objects.all().delete()  # records: protected, so removed first
        DevelopmentPlan.objects.all().delete()
        PositionTemplate.objects.all().delete()

    def _templates(self):
        for code, (skills, courses) in TEMPLATES.items():
            position = Position.objects.filter(code=code).first()
            if position is not None:
                PositionTemplate.objects.get_or_create(
                    position=position,
                    defaults={"required_skills": skills, "required_courses": courses},
                )

    def _plans(self):
        employee, manager = _employee("QC1001"), _employee("QC9003")
        if employee is None or manager is None:
            return ""
        if DevelopmentPlan.objects.filter(employee=employee, year=2026).exists():
            return "development plans already there"
        mentor = (
            Employee.objects.filter(department=employee.department)
            .exclude(pk__in=[employee.pk, manager.pk])
            .order_by("hire_date")
            .first()
        )
        plan = services.development_plan_create(
            employee=employee,
            year=2026,
            target_position=Position.objects.get(code="P04"),
            mentor=mentor,
        )
        services.development_goal_add(
            plan=plan,
            description="取得高压电工作业证",
            measure="证书取得",
            due_date=datetime.date(2026, 9, 30),
        )
        goals = list(plan.goals.all())
        services.development_goal_set_status(goal=goals[0], status="done")
        services.development_goal_set_status(goal=goals[1], status="in_progress")
        services.development_plan_submit(plan=plan)
        services.development_plan_approve(plan=plan, approver=manager)
        if mentor is not None:
            services.check_in_add(
                plan=plan, author=mentor, note="已随班参加两次配网故障抢修，现场表现沉稳。"
            )
        services.check_in_add(
            plan=plan, author=employee, note="班组长岗位培训已报名，预计10月参加。"
        )
        others = list(
            Employee.objects.active()
            .filter(department__code__in=["QC-CG", "QC-YX-YK"])
            .exclude(pk__in=[employee.pk, manager.pk])
            .order_by("number")[:3]
        )
        for other in others:
            draft = services.development_plan_create(
                employee=other, year=2026, target_position=Position.objects.get(code="P16")
            )
            if other.department.code == "QC-CG":
                services.development_plan_submit(plan=draft)
        return f"{1 + len(others)} development plans"

    def _rotations(self):
        if RotationProgramme.objects.filter(name=PROGRAMME_NAME).exists():
            return "rotation programme already there"
        manager = _employee("QC9003")
        station = Department.objects.get(code="QC-CG")
        programme = services.rotation_programme_create(
            name=PROGRAMME_NAME,
            start=datetime.date(2026, 3, 1),
            end=datetime.date(2026, 12, 31),
            description="营销、运检、调度岗位之间轮换，培养一专多能的复合型人才。",
        )
        incoming = list(
            Employee.objects.active()
            .filter(
                department__code__in=["QC-HX", "QC-SQ"], hire_date__lt=datetime.date(2026, 1, 1)
            )
            .order_by("number")[:2]
        )
        count = 0
        for index, person in enumerate(incoming):
            rotation = services.rotation_assign(
                programme=programme,
                employee=person,
                to_department=station,
                to_position=Position.objects.get(code="P13"),
                start=datetime.date(2026, 4 + index, 1),
                end=datetime.date(2026, 6 + index, 30),
                mentor=manager,
                objectives=["独立完成低压计量装置装接", "掌握城区台区线损分析", "参与迎峰度夏保电"],
            )
            services.rotation_start(assignment=rotation)
            scores = [
                (Decimal(92), "装接规范，一次合格"),
                (Decimal(84), "线损分析思路清晰"),
                (Decimal(90), "保电值守认真"),
            ]
            services.rotation_evaluate(
                assignment=rotation,
                evaluator=manager,
                scores={
                    objective.pk: scores[n] for n, objective in enumerate(rotation.objectives.all())
                },
                comment="轮岗期间工作积极主动，达到轮岗目标。",
            )
            count += 1
        employee = _employee("QC1001")
        if employee is not None:
            rotation = services.rotation_assign(
                programme=programme,
                employee=employee,
                to_department=Department.objects.get(code="QC-YX-YK"),
                to_position=Position.objects.get(code="P16"),
                start=datetime.date(2026, 10, 8),
                end=datetime.date(2026, 12, 31),
                mentor=None,
                objectives=["熟悉高低压业扩报装流程", "独立编制低压供电方案"],
            )
            services.rotation_start(assignment=rotation)
            count += 1
        return f"rotation programme with {count} assignments"

    def _appraisal(self):
        if AppraisalPeriod.objects.filter(name=PERIOD_NAME).exists():
            return "2026 Q3 appraisal already there"
        system = IndicatorSystem.objects.filter(name=SYSTEM_NAME, status="active").first()
        if system is None:
            system = services.indicator_system_create(
                name=SYSTEM_NAME, description="依据公司《服务监督与考核管理办法》制定。"
            )
            for code, name, category, subject, weight, rule, extra in INDICATORS:
                services.indicator_create(
                    system=system,
                    code=code,
                    name=name,
                    category=category,
                    subject=subject,
                    weight=Decimal(weight),
                    rule=rule,
                    **{k: Decimal(v) if isinstance(v, int) else v for k, v in extra.items()},
                )
            services.indicator_system_activate(system=system)
        period = services.appraisal_period_create(
            name=PERIOD_NAME,
            system=system,
            kind=AppraisalPeriod.Kind.QUARTER,
            start=datetime.date(2026, 7, 1),
            end=datetime.date(2026, 9, 30),
        )
        services.appraisal_period_start_collecting(period=period)
        report = run_import(IndicatorValueResource(), self._kpi_sheet(), dry_run=False, user=None)
        if not report.ok:
            raise RuntimeError(f"demo KPI import failed: {report.problems or report.file_problems}")
        services.appraisal_period_calculate(period=period)
        services.appraisal_period_freeze(period=period)
        services.appraisal_period_publish(period=period)
        self._recognitions(period)
        return f"{PERIOD_NAME} published ({report.new} KPI values imported)"

    def _kpi_sheet(self):
        rng = random.Random(2026_09_30)
        data = tablib.Dataset(headers=["考核期间", "指标编码", "工号", "部门编码", "数值", "备注"])
        department_values = {
            "GK-01": lambda: Decimal(rng.choice(["99.95", "99.93", "99.91", "99.87"])),
            "GK-02": lambda: Decimal(rng.randrange(9780, 9995)) / 100,
            "GK-03": lambda: Decimal(rng.randrange(9700, 10001)) / 100,
            "GK-04": lambda: Decimal(rng.randrange(8800, 10001)) / 100,
        }
        for department in Department.objects.order_by("path"):
            for code, make in department_values.items():
                data.append([PERIOD_NAME, code, "", department.code, make(), ""])
        for employee in Employee.objects.active().order_by("number"):
            complaints = rng.choices([0, 0, 0, 0, 1, 2], k=1)[0]
            training = rng.randrange(55, 121)
            drill = rng.randrange(70, 99)
            conduct = rng.choices([0, 0, 0, 1, 3], k=1)[0]
            if employee.number == "QC1001":
                complaints, training, drill, conduct = 0, 100, 92, 0
            for code, value in (
                ("GR-01", complaints),
                ("GR-02", training),
                ("GR-03", drill),
                ("GR-04", conduct),
            ):
                data.append([PERIOD_NAME, code, employee.number, "", value, ""])
        return data

    def _recognitions(self, period):
        results = list(
            AppraisalResult.objects.filter(period=period)
            .select_related("employee")
            .order_by("-total_score", "employee__number")
        )
        if len(results) < 3:
            return
        services.recognition_create(
            period=period,
            kind="commendation",
            employee=results[0].employee,
            title="2026年第三季度优质服务标兵",
            description="季度考核成绩全公司第一。",
        )
        services.recognition_create(
            period=period,
            kind="rectification",
            employee=results[-1].employee,
            title="有效投诉及服务规范问题整改",
            description="本季度存在有效投诉，需提交整改报告并参加服务规范复训。",
            deadline=datetime.date(2026, 11, 15),
        )
        services.recognition_create(
            period=period,
            kind="criticism",
            employee=results[-2].employee,
            title="服务行为规范通报批评",
        )
        services.recognition_create(
            period=period,
            kind="rectification",
            employee=results[-2].employee,
            title="培训学时不足整改",
            description="四季度补足专业培训学时。",
            deadline=datetime.date(2026, 12, 31),
        )
