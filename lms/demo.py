"""Demo data for a county power-supply company, written through the services.

``seed_demo`` calls ``seed_organisation`` and then every ``DemoSeeder`` returned by a function
registered with the ``register_demo_seed`` hook (each app adds its own story), by ``order``.
"""

import abc
import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext

from . import services
from .models import Absence, Department, Employee, HomePage, Position
from .roles import Role

User = get_user_model()

DEMO_PASSWORD = "demo-2026"
ADMIN_USERNAME = "admin"

COMPANY = "QC"
DEPARTMENTS = [
    # code, name, kind, parent code
    ("QC", "青川县供电公司", Department.Kind.COMPANY, None),
    ("QC-BGS", "办公室", Department.Kind.OFFICE, "QC"),
    ("QC-RL", "人力资源部", Department.Kind.OFFICE, "QC"),
    ("QC-AJ", "安全监察部", Department.Kind.OFFICE, "QC"),
    ("QC-DK", "电力调度控制中心", Department.Kind.OFFICE, "QC"),
    ("QC-YJ", "运维检修部", Department.Kind.BRANCH, "QC"),
    ("QC-YJ-BD", "变电运维班", Department.Kind.TEAM, "QC-YJ"),
    ("QC-YJ-XL", "输电运检班", Department.Kind.TEAM, "QC-YJ"),
    ("QC-YX", "营销部（客户服务中心）", Department.Kind.BRANCH, "QC"),
    ("QC-YX-DF", "电费核算班", Department.Kind.TEAM, "QC-YX"),
    ("QC-YX-YK", "业扩报装班", Department.Kind.TEAM, "QC-YX"),
    ("QC-YX-KF", "客户服务班", Department.Kind.TEAM, "QC-YX"),
    ("QC-CG", "城关供电所", Department.Kind.STATION, "QC"),
    ("QC-HX", "黄溪供电所", Department.Kind.STATION, "QC"),
    ("QC-SQ", "石桥供电所", Department.Kind.STATION, "QC"),
]

POSITIONS = [
    ("P01", "总经理", Position.Category.MANAGEMENT),
    ("P02", "部门主任", Position.Category.MANAGEMENT),
    ("P03", "供电所所长", Position.Category.MANAGEMENT),
    ("P04", "班组长", Position.Category.MANAGEMENT),
    ("P05", "培训专责", Position.Category.PROFESSIONAL),
    ("P06", "人力资源专责", Position.Category.PROFESSIONAL),
    ("P07", "安全专责", Position.Category.PROFESSIONAL),
    ("P08", "应急管理专责", Position.Category.PROFESSIONAL),
    ("P09", "电力调度员", Position.Category.PROFESSIONAL),
    ("P10", "变电运维工", Position.Category.SKILLED),
    ("P11", "输电线路工", Position.Category.SKILLED),
    ("P12", "配电线路工", Position.Category.SKILLED),
    ("P13", "装表接电工", Position.Category.SKILLED),
    ("P14", "抄表核算收费员", Position.Category.SERVICE),
    ("P15", "营业厅客户代表", Position.Category.SERVICE),
    ("P16", "业扩报装专责", Position.Category.SERVICE),
    ("P17", "客服专员", Position.Category.SERVICE),
]

# Demo sign-ins, one per role: number, name, department, position, roles, heads department.
DEMO_USERS = [
    ("QC1001", "王小明", "QC-CG", "P12", (), None),
    ("QC9001", "李培华", "QC-RL", "P05", (Role.TRAINER,), None),
    ("QC9002", "陈思远", "QC-RL", "P06", (Role.HR,), None),
    ("QC9003", "赵建国", "QC-CG", "P03", (Role.MANAGER,), "QC-CG"),
    ("QC9004", "周应急", "QC-AJ", "P08", (Role.COORDINATOR,), None),
    ("QC9005", "孙评估", "QC-AJ", "P07", (Role.EVALUATOR,), None),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "海燕",
    "建华",
    "志强",
    "春梅",
    "国庆",
    "晓东",
    "文博",
    "雪梅",
    "振华",
    "立新",
    "红梅",
    "永刚",
    "丽娟",
    "宏伟",
    "俊杰",
    "婷婷",
    "浩然",
    "子涵",
    "一鸣",
    "思琪",
    "德胜",
]

# Where the rank and file work, and at which posts.
STAFFING = [
    ("QC-BGS", ["P02", "P15"]),
    ("QC-RL", ["P02", "P06"]),
    ("QC-AJ", ["P02", "P07"]),
    ("QC-DK", ["P02", "P09", "P09"]),
    ("QC-YJ", ["P02"]),
    ("QC-YJ-BD", ["P04", "P10", "P10", "P10"]),
    ("QC-YJ-XL", ["P04", "P11", "P11", "P11"]),
    ("QC-YX", ["P02"]),
    ("QC-YX-DF", ["P04", "P14", "P14"]),
    ("QC-YX-YK", ["P04", "P16", "P16"]),
    ("QC-YX-KF", ["P04", "P17", "P17", "P15"]),
    ("QC-CG", ["P12", "P12", "P13", "P13", "P14", "P15"]),
    ("QC-HX", ["P03", "P12", "P12", "P13", "P14"]),
    ("QC-SQ", ["P03", "P12", "P12", "P13", "P14"]),
]
EMPLOYEE_COUNT = 72


class DemoSeeder(abc.ABC):
    """What an app registers with ``register_demo_seed``: seed() must be idempotent."""

    order = 100

    @abc.abstractmethod
    def seed(self, stdout=None):
        """Create this app's demo data unless it is there already."""

    def reset(self):  # noqa: B027  (optional: an app with nothing to delete keeps this)
        """Delete this app's demo data (called in reverse order before a --reset seed)."""


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def reset_organisation():
    """Remove employees, their accounts, departments and positions (not superusers)."""
    users = list(Employee.objects.values_list("user_id", flat=True))
    Department.objects.update(manager=None)
    Absence.objects.all().delete()  # records: protected, so removed first
    Employee.objects.all().delete()
    User.objects.filter(pk__in=users, is_superuser=False).delete()
    Department.objects.all().delete()
    Position.objects.all().delete()


@transaction.atomic
def seed_organisation(stdout=None):
    departments = {d.code: d for d in Department.objects.all()}
    for code, name, kind, parent_code in DEPARTMENTS:
        if code not in departments:
            departments[code] = services.department_create(
                code=code, name=name, kind=kind, parent=departments.get(parent_code)
            )
    positions = {p.code: p for p in Position.objects.all()}
    for code, name, category in POSITIONS:
        if code not in positions:
            positions[code] = services.position_create(code=code, name=name, category=category)

    existing = set(Employee.objects.values_list("number", flat=True))
    password_hash = make_password(DEMO_PASSWORD)  # hashing is slow by design: once, not 78 times
    rng = random.Random(20260101)
    slots = [(dept, pos) for dept, posts in STAFFING for pos in posts]
    created = 0
    for index in range(EMPLOYEE_COUNT):
        number = f"QC{2001 + index:04d}"
        dept_code, pos_code = slots[index % len(slots)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        hire = datetime.date(1995 + rng.randrange(29), rng.randrange(1, 13), rng.randrange(1, 28))
        status = Employee.Status.ON_LEAVE if index % 31 == 30 else Employee.Status.ACTIVE
        if number in existing:
            continue
        services.employee_create(
            number=number,
            name=name,
            department=departments[dept_code],
            position=positions[pos_code],
            hire_date=hire,
            status=status,
            phone=f"139{rng.randrange(10**8):08d}",
            email=f"{number.lower()}@qc-power.example.cn",
            password_hash=password_hash,
        )
        created += 1

    for number, name, dept_code, pos_code, roles, heads in DEMO_USERS:
        if number in existing:
            employee = Employee.objects.get(number=number)
        else:
            employee = services.employee_create(
                number=number,
                name=name,
                department=departments[dept_code],
                position=positions[pos_code],
                hire_date=datetime.date(2012, 7, 1),
                phone="13800000000",
                email=f"{number.lower()}@qc-power.example.cn",
                password_hash=password_hash,
                roles=roles,
            )
            created += 1
        if heads and departments[heads].manager_id != employee.pk:
            services.department_update(department=departments[heads], manager=employee)

    absences = _seed_absences()

    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(ADMIN_USERNAME, "admin@qc-power.example.cn", DEMO_PASSWORD)

    home = HomePage.objects.first()
    if home is not None and not home.intro:
        home.title = "青川县供电公司 · 电网学院"
        home.intro = (
            "<p>青川县供电公司员工培训与发展平台：年度培训计划、在线学习、考试、"
            "应急演练与绩效考核，一站办理。</p>"
        )
        home.notice = "<p>2026 年度《电力安全工作规程》考试将于 12 月开考，请提前完成学习。</p>"
        home.save_revision().publish()
    _say(
        stdout,
        f"Organisation: {len(departments)} departments, {len(positions)} positions, "
        f"{created} employees created, {absences} absences from the post recorded.",
    )


def _seed_absences():
    """Those on leave have been away for months; two more came back after long absences."""
    today = datetime.date.today()
    stories = [
        (Absence.Kind.SICK_LEAVE, 130, None, "腰椎手术后休养"),
        (Absence.Kind.SECONDMENT, 240, 45, "借调市公司配网工程项目部"),
        (Absence.Kind.STUDY, 200, 120, "脱产参加高技能人才研修班"),
    ]
    away = list(
        Employee.objects.filter(status=Employee.Status.ON_LEAVE).order_by("number")[:1]
    ) + list(Employee.objects.filter(number__in=["QC2005", "QC2017"]).order_by("number"))
    recorded = 0
    for employee, (kind, started_days_ago, returned_days_ago, note) in zip(
        away, stories, strict=False
    ):
        if employee.absences.exists():
            continue
        services.absence_record(
            employee=employee,
            kind=kind,
            start_date=today - datetime.timedelta(days=started_days_ago),
            end_date=(
                today - datetime.timedelta(days=returned_days_ago) if returned_days_ago else None
            ),
            note=note,
        )
        recorded += 1
    return recorded


def demo_sign_ins():
    """The superuser, the demo employee, and everyone holding a role beyond Employee."""
    rows = [("admin", "—", "superuser")]
    employee_number, employee_name = DEMO_USERS[0][:2]
    rows.append((employee_number, employee_name, str(Role.EMPLOYEE.label)))
    holders = (
        Employee.objects.filter(
            user__groups__name__in=[r for r in Role.values if r != Role.EMPLOYEE]
        )
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("number")
        .distinct()
    )
    labels = {role.value: role.label for role in Role}
    for employee in holders:
        roles = [g.name for g in employee.user.groups.all() if g.name != Role.EMPLOYEE]
        rows.append(
            (
                employee.number,
                employee.name,
                "、".join(str(labels.get(r) or gettext(r)) for r in roles),
            )
        )
    return rows
