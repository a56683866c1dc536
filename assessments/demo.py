# ruff: noqa: E501
"""Demo data: a safety-regulation (安规) question bank, a formal annual exam built by rules,
practice quizzes and attempts by the demo employees — all written through the services."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from lms.demo import DemoSeeder
from lms.models import Department, Employee

from . import services
from .models import (
    Attempt,
    AttemptError,
    Certificate,
    DailyPractice,
    Exam,
    PracticeAnswer,
    PracticeCard,
    PracticeHarvest,
    QualificationRule,
    Question,
    QuestionCategory,
)
from .models.questions import LETTERS

ROOT = "安规"
GENERAL, SUBSTATION, LINE, DISTRIBUTION, TOOLS, FIRST_AID, TICKETS = (
    f"{ROOT}/通用规定",
    f"{ROOT}/变电安全",
    f"{ROOT}/线路安全",
    f"{ROOT}/配电安全",
    f"{ROOT}/安全工器具",
    f"{ROOT}/应急处置与触电急救",
    f"{ROOT}/两票三制",
)
ANNUAL_EXAM = "2026年度《电力安全工作规程》考试"
PRACTICE_SUBSTATION = "安规每日一练（变电）"
PRACTICE_FIRST_AID = "触电急救自测"
QUALIFICATION = "年度安规考试合格（12个月内）"
# Who has a practice history in the demo (王小明 first: the demo employee), and how many days.
PRACTICE_PEOPLE = ["QC1001", "QC2001", "QC2002", "QC2003", "QC2005", "QC2017"]
PRACTICE_DAYS = 14

# (category, what is asked, right value, wrong values, difficulty)
FACTS = [
    (SUBSTATION, "10kV及以下设备不停电时的安全距离", "0.70m", ["0.35m", "1.00m", "1.50m"], 2),
    (SUBSTATION, "20kV、35kV设备不停电时的安全距离", "1.00m", ["0.70m", "1.50m", "3.00m"], 2),
    (SUBSTATION, "66kV、110kV设备不停电时的安全距离", "1.50m", ["1.00m", "3.00m", "0.70m"], 3),
    (SUBSTATION, "220kV设备不停电时的安全距离", "3.00m", ["1.50m", "4.00m", "5.00m"], 3),
    (SUBSTATION, "330kV设备不停电时的安全距离", "4.00m", ["3.00m", "5.00m", "6.00m"], 4),
    (SUBSTATION, "500kV设备不停电时的安全距离", "5.00m", ["4.00m", "6.00m", "8.00m"], 4),
    (SUBSTATION, "10kV及以下工作人员正常活动范围与带电设备的安全距离", "0.35m",
     ["0.70m", "0.60m", "1.00m"], 3),
    (SUBSTATION, "35kV工作人员正常活动范围与带电设备的安全距离", "0.60m",
     ["0.35m", "1.00m", "1.50m"], 3),
    (SUBSTATION, "室内高压设备发生接地时，人员不得接近故障点的距离", "4m以内",
     ["2m以内", "8m以内", "10m以内"], 2),
    (SUBSTATION, "室外高压设备发生接地时，人员不得接近故障点的距离", "8m以内",
     ["4m以内", "5m以内", "12m以内"], 2),
    (SUBSTATION, "雷雨天气需要巡视室外高压设备时应穿", "绝缘靴",
     ["普通胶鞋", "布鞋", "防砸鞋"], 1),
    (SUBSTATION, "倒闸操作的人员要求", "由两人进行，一人操作一人监护",
     ["一人即可完成", "由三人进行", "由值班负责人单独进行"], 1),
    (SUBSTATION, "操作票上设备应填写", "双重名称（名称和编号）",
     ["设备名称", "设备编号", "设备型号"], 1),
    (GENERAL, "高处作业的高度基准", "坠落高度基准面2m及以上",
     ["1.5m及以上", "3m及以上", "5m及以上"], 1),
    (GENERAL, "低压电气设备的电压等级", "1000V以下", ["380V以下", "250V以下", "10kV以下"], 2),
    (GENERAL, "高压电气设备的电压等级", "1000V及以上", ["380V及以上", "250V及以上", "10kV及以上"], 2),
    (GENERAL, "梯子与地面的夹角宜为", "60°左右", ["30°左右", "45°左右", "75°以上"], 2),
    (GENERAL, "在户外变电站和高压室内搬动梯子、管子等长物应", "两人放倒搬运",
     ["一人竖直搬运", "两人竖直搬运", "扛在肩上搬运"], 2),
    (GENERAL, "临时遮栏的高度不得低于", "1.7m", ["1.2m", "1.5m", "2.0m"], 3),
    (GENERAL, "带电作业不宜进行的风力条件", "风力大于5级", ["风力大于3级", "风力大于7级", "有风即停"], 3),
    (GENERAL, "带电作业不宜进行的相对湿度", "大于80%", ["大于60%", "大于70%", "大于90%"], 3),
    (GENERAL, "中性点接地系统中运行设备的中性点应视作", "带电体",
     ["不带电体", "接地体", "绝缘体"], 3),
    (LINE, "装设接地线的顺序", "先接接地端，后接导体端",
     ["先接导体端，后接接地端", "两端同时连接", "无顺序要求"], 1),
    (LINE, "拆除接地线的顺序", "先拆导体端，后拆接地端",
     ["先拆接地端，后拆导体端", "两端同时拆除", "无顺序要求"], 1),
    (LINE, "成套接地线的截面不得小于", "25mm²", ["16mm²", "10mm²", "35mm²"], 3),
    (LINE, "登杆塔前应检查的项目", "杆根、基础和拉线是否牢固",
     ["杆塔颜色", "线路名称牌是否清洁", "导线型号"], 2),
    (LINE, "同杆塔架设多回线路中部分停电的线路上工作，应填用", "第一种工作票",
     ["第二种工作票", "带电作业工作票", "口头命令"], 3),
    (LINE, "夜间巡线应沿线路", "外侧进行", ["内侧进行", "导线正下方进行", "任意位置进行"], 2),
    (DISTRIBUTION, "低压带电作业应使用", "有绝缘柄的工具", ["金属工具", "普通螺丝刀", "无要求"], 1),
    (DISTRIBUTION, "配电设备停电检修时，应断开的是", "可能来电的各方面电源",
     ["主电源", "仅本侧电源", "仅低压电源"], 2),
    (DISTRIBUTION, "电缆试验结束后，应对被试电缆", "进行充分放电",
     ["立即恢复送电", "直接拆除试验线", "等待自然放电"], 2),
    (DISTRIBUTION, "在配电柜前后工作时，应在相邻运行设备上悬挂", "“止步，高压危险！”标示牌",
     ["“在此工作！”标示牌", "“从此上下！”标示牌", "无需悬挂"], 2),
    (TOOLS, "绝缘手套的试验周期", "6个月", ["1年", "3个月", "2年"], 2),
    (TOOLS, "绝缘靴的试验周期", "6个月", ["1年", "3个月", "2年"], 2),
    (TOOLS, "高压验电器的试验周期", "1年", ["6个月", "2年", "3年"], 3),
    (TOOLS, "安全带的试验周期", "1年", ["6个月", "2年", "3年"], 3),
    (TOOLS, "验电前应先在有电设备上确认验电器", "良好", ["外观清洁", "已充电", "已接地"], 1),
    (TOOLS, "带电设备着火时应使用", "干粉或二氧化碳灭火器",
     ["泡沫灭火器", "清水", "湿棉被"], 2),
    (FIRST_AID, "成人心肺复苏胸外按压频率", "100～120次/min",
     ["60～80次/min", "80～100次/min", "120～150次/min"], 3),
    (FIRST_AID, "成人胸外按压深度", "5～6cm", ["2～3cm", "3～4cm", "7～8cm"], 3),
    (FIRST_AID, "单人心肺复苏按压与通气之比", "30:2", ["15:2", "5:1", "30:1"], 3),
    (FIRST_AID, "发现有人触电，首先应", "迅速使触电者脱离电源",
     ["立即进行人工呼吸", "拨打电话后等待", "用手直接拉开触电者"], 1),
    (TICKETS, "第一种工作票应送达运维人员的时间", "工作前一日",
     ["工作当天", "工作前三日", "工作前一周"], 2),
    (TICKETS, "工作票的延期次数", "只能延期一次", ["可延期两次", "不限次数", "不得延期"], 2),
    (TICKETS, "工作票签发人不得兼任该项工作的", "工作负责人",
     ["专责监护人", "工作班成员", "工作许可人以外的人员"], 2),
    (TICKETS, "一级动火工作票的有效期", "24h", ["48h", "120h", "12h"], 4),
    (TICKETS, "二级动火工作票的有效期", "120h", ["24h", "72h", "168h"], 4),
]  # fmt: skip

MULTIPLE = [
    (TICKETS, "在电气设备上工作，保证安全的组织措施有", ["工作票制度", "工作许可制度",
     "工作监护制度", "工作间断、转移和终结制度", "交接班制度"], "ABCD", 2),
    (SUBSTATION, "在电气设备上工作，保证安全的技术措施有", ["停电", "验电",
     "接地", "悬挂标示牌和装设遮栏（围栏）", "办理动火手续"], "ABCD", 1),
    (TOOLS, "下列属于基本绝缘安全工器具的有", ["绝缘杆", "核相器", "绝缘手套", "验电器"], "ABD", 4),
    (TOOLS, "下列属于辅助绝缘安全工器具的有", ["绝缘手套", "绝缘靴", "绝缘胶垫", "绝缘杆"], "ABC", 3),
    (GENERAL, "作业人员的基本条件包括", ["经医师鉴定，无妨碍工作的病症",
     "具备必要的电气知识和业务技能", "具备必要的安全生产知识，学会紧急救护法", "持有驾驶证"],
     "ABC", 1),
    (LINE, "遇有下列哪些天气时应停止露天高处作业", ["6级及以上大风", "暴雨", "雷电", "晴天"],
     "ABC", 2),
    (FIRST_AID, "触电者脱离电源后，判断意识的方法包括", ["轻拍其肩部并大声呼叫", "观察胸部起伏",
     "摇晃头部", "掐人中"], "AB", 3),
    (FIRST_AID, "心肺复苏的主要措施有", ["胸外按压", "开放气道", "人工呼吸", "注射强心针"], "ABC", 2),
    (DISTRIBUTION, "低压带电作业时应采取的措施有", ["设专人监护", "戴手套、护目镜",
     "站在干燥的绝缘物上", "使用金属外壳工具"], "ABC", 2),
    (SUBSTATION, "下列情况应填用第一种工作票的有", ["高压设备上工作需要全部停电或部分停电者",
     "二次系统工作需要将高压设备停电者", "带电作业", "非运维人员用绝缘棒核相"], "AB", 4),
    (GENERAL, "现场勘察应查看的内容有", ["需要停电的范围", "保留的带电部位",
     "作业现场的条件、环境", "作业人员的家庭情况"], "ABC", 2),
    (TICKETS, "工作负责人（监护人）的安全责任包括", ["正确组织工作",
     "检查工作票所列安全措施是否正确完备", "工作前对工作班成员进行危险点告知",
     "签发工作票"], "ABC", 3),
]  # fmt: skip

SHORT = [
    (SUBSTATION, "简述验电的要求。", ["相应电压等级", "验电器", "有电设备", "各相"], 3),
    (LINE, "简述装设接地线的要求。", ["先接接地端", "导体端", "绝缘棒", "绝缘手套"], 3),
    (TICKETS, "简述工作许可人的安全责任。", ["安全措施", "正确完备", "检修设备", "停电"], 3),
    (FIRST_AID, "简述触电急救的基本原则。", ["迅速", "就地", "准确", "坚持"], 2),
    (GENERAL, "简述“四不伤害”的内容。", ["不伤害自己", "不伤害他人", "不被他人伤害",
     "保护他人不受伤害"], 1),
    (TOOLS, "简述安全帽使用前的检查内容。", ["帽壳", "帽衬", "下颏带", "合格证"], 2),
    (DISTRIBUTION, "简述低压配电箱停电检修的安全措施。", ["断开电源", "验电", "挂牌", "接地"], 3),
    (TICKETS, "简述工作终结的程序。", ["清扫", "撤离", "工作负责人", "运维人员", "签名"], 3),
]  # fmt: skip

ESSAYS = [
    (GENERAL, "结合本岗位实际，论述如何落实安全生产责任制。", 4),
    (TICKETS, "论述“两票三制”在防止人身触电事故中的作用。", 4),
    (FIRST_AID, "某配电线路检修时发生人员触电，请论述现场应急处置的步骤。", 5),
    (LINE, "论述输电线路防外破工作的主要措施。", 4),
    (SUBSTATION, "论述防止变电站电气误操作的技术措施和组织措施。", 5),
    (DISTRIBUTION, "结合近年事故案例，论述农村低压配网作业的主要危险点及预控措施。", 5),
]


# Knowledge points (知识点) by what a question asks, first match wins; else the category's name.
KNOWLEDGE_POINTS = [
    ("安全距离", "安全距离"),
    ("接地", "接地与短路"),
    ("操作", "倒闸操作"),
    ("工作票", "工作票"),
    ("许可", "工作许可"),
    ("监护", "工作监护"),
    ("高处", "高处作业"),
    ("梯", "高处作业"),
    ("急救", "触电急救"),
    ("触电", "触电急救"),
    ("心肺", "触电急救"),
    ("验电", "停电验电"),
    ("停电", "停电验电"),
    ("绝缘", "安全工器具"),
    ("电压", "电压等级"),
]


def knowledge_points_of(category: str, text: str) -> list[str]:
    for word, point in KNOWLEDGE_POINTS:
        if word in text:
            return [point]
    return [category.rsplit("/", 1)[-1]]


def bank_rows():
    """Every demo question as keyword arguments for ``services.question_create``."""
    rng = random.Random(2026)
    rows = []
    for category, asked, right, wrong, difficulty in FACTS:
        options = [right, *wrong]
        rng.shuffle(options)
        rows.append(dict(category=category, type="single", stem=f"{asked}为（　）。",
                         options=options, answer=[LETTERS[options.index(right)]],
                         difficulty=difficulty, points=Decimal(2),
                         explanation=f"《安规》规定：{asked}为{right}。"))  # fmt: skip
        rows.append(dict(category=category, type="truefalse", stem=f"{asked}为{right}。",
                         answer=True, difficulty=max(1, difficulty - 1), points=Decimal(1),
                         explanation=f"正确。{asked}为{right}。"))  # fmt: skip
        rows.append(dict(category=category, type="truefalse", stem=f"{asked}为{wrong[0]}。",
                         answer=False, difficulty=difficulty, points=Decimal(1),
                         explanation=f"错误。{asked}应为{right}。"))  # fmt: skip
        rows.append(dict(category=category, type="fill", stem=f"{asked}为____。",
                         answer=[[right, right.replace("m²", "mm2")]], difficulty=difficulty,
                         points=Decimal(2), explanation=f"{asked}为{right}。"))  # fmt: skip
    for category, stem, options, answer, difficulty in MULTIPLE:
        rows.append(dict(category=category, type="multiple", stem=stem + "（　）。",
                         options=options, answer=list(answer), difficulty=difficulty,
                         points=Decimal(4)))  # fmt: skip
    for category, stem, keywords, difficulty in SHORT:
        rows.append(dict(category=category, type="short", stem=stem, answer=keywords,
                         difficulty=difficulty, points=Decimal(5),
                         explanation="要点：" + "、".join(keywords)))  # fmt: skip
    for category, stem, difficulty in ESSAYS:
        rows.append(dict(category=category, type="essay", stem=stem, answer=[],
                         difficulty=difficulty, points=Decimal(10)))  # fmt: skip
    for row in rows:
        row["knowledge_points"] = knowledge_points_of(row["category"], row["stem"])
    return rows


class AssessmentsDemoSeeder(DemoSeeder):
    order = 300

    def seed(self, stdout=None):
        with transaction.atomic():
            created = self._seed_bank()
            exams = self._seed_exams()
            attempts = self._seed_attempts(exams)
            answers = self._seed_practice(exams)
        if stdout is not None:
            stdout.write(
                f"Assessments: {created} questions created, {len(exams)} exams, "
                f"{attempts} attempts, {answers} practice answers."
            )

    def reset(self):
        exams = Exam.objects.filter(
            title__in=[ANNUAL_EXAM, PRACTICE_SUBSTATION, PRACTICE_FIRST_AID]
        )
        exams = Exam.objects.filter(Q(pk__in=exams) | Q(mock_of__in=exams))
        demo_attempts = Attempt.objects.filter(exam__in=exams)
        PracticeHarvest.objects.filter(attempt__in=demo_attempts).delete()
        PracticeAnswer.objects.filter(
            Q(attempt__in=demo_attempts) | Q(employee__number__in=PRACTICE_PEOPLE)
        ).delete()
        PracticeCard.objects.filter(employee__number__in=PRACTICE_PEOPLE).delete()
        DailyPractice.objects.filter(employee__number__in=PRACTICE_PEOPLE).delete()
        root = QuestionCategory.get_root_nodes().filter(name=ROOT).first()
        if root is not None:  # whoever else practised the demo bank
            PracticeAnswer.objects.filter(question__category__path__startswith=root.path).delete()
            PracticeCard.objects.filter(question__category__path__startswith=root.path).delete()
        Certificate.objects.filter(exam__in=exams).delete()
        demo_attempts.delete()
        Exam.objects.filter(mock_of__isnull=False, pk__in=exams).delete()
        QualificationRule.objects.filter(name=QUALIFICATION).delete()
        exams.delete()
        root = QuestionCategory.get_root_nodes().filter(name=ROOT).first()
        if root is not None:
            Question.objects.filter(category__path__startswith=root.path).delete()
            QuestionCategory.objects.filter(path__startswith=root.path).delete()

    def _seed_bank(self):
        root = QuestionCategory.get_root_nodes().filter(name=ROOT).first()
        if root is not None and Question.objects.in_category(root).exists():
            return 0
        cache = {}
        trainer = Employee.objects.filter(number="QC9001").select_related("user").first()
        user = trainer.user if trainer else None
        count = 0
        for row in bank_rows():
            row = dict(row)
            row["category"] = services.category_for_path(row["category"], cache=cache)
            row["stem"] = services.text_to_rich_text(row["stem"])
            services.question_create(acting_user=user, **row)
            count += 1
        return count

    def _seed_exams(self):
        existing = {e.title: e for e in Exam.objects.filter(title__in=[ANNUAL_EXAM, PRACTICE_SUBSTATION, PRACTICE_FIRST_AID])}  # fmt: skip
        root = services.category_for_path(ROOT)
        company = Department.get_root_nodes().first()
        now = timezone.now()
        if ANNUAL_EXAM not in existing:
            existing[ANNUAL_EXAM] = services.exam_create(
                title=ANNUAL_EXAM,
                kind=Exam.Kind.FORMAL,
                description="本次考试覆盖《国家电网公司电力安全工作规程》变电、线路、配电部分及"
                "安全工器具、触电急救、两票三制等内容。考试时间90分钟，60分及格，共两次机会。",
                is_published=True,
                time_limit_minutes=90,
                opens_at=now - timedelta(days=7),
                closes_at=now + timedelta(days=30),
                max_attempts=2,
                grading_method=Exam.GradingMethod.HIGHEST,
                pass_mark=Decimal(60),
                review_policy=Exam.ReviewPolicy.SCORE_AFTER_SUBMIT,
                shuffle_questions=True,
                shuffle_options=True,
                partial_credit=True,
                certificate_title="电力安全工作规程考试合格证",
                certificate_valid_months=12,
                rules=[
                    {"count": 20, "type": "single", "category": root, "points": Decimal(2)},
                    {"count": 5, "type": "multiple", "category": root, "points": Decimal(4)},
                    {"count": 10, "type": "truefalse", "category": root, "points": Decimal(1)},
                    {"count": 5, "type": "fill", "category": root, "points": Decimal(2)},
                    {"count": 2, "type": "short", "category": root, "points": Decimal(5)},
                    {"count": 1, "type": "essay", "category": root, "points": Decimal(10)},
                ],
                departments=[company] if company else [],
            )
            rule = QualificationRule(
                name=QUALIFICATION, valid_months=12, expiring_days=30, return_after_months=3
            )
            rule.save()
            rule.exams.set([existing[ANNUAL_EXAM]])
            rule.save()
        if PRACTICE_SUBSTATION not in existing:
            existing[PRACTICE_SUBSTATION] = services.exam_create(
                title=PRACTICE_SUBSTATION,
                kind=Exam.Kind.PRACTICE,
                description="每次随机抽取10道变电安全题，提交后立即查看答案与解析。",
                is_published=True,
                review_policy=Exam.ReviewPolicy.IMMEDIATELY,
                rules=[
                    {
                        "count": 6,
                        "type": "single",
                        "category": services.category_for_path(SUBSTATION),
                    },
                    {
                        "count": 4,
                        "type": "truefalse",
                        "category": services.category_for_path(SUBSTATION),
                    },
                ],  # fmt: skip
                departments=[company] if company else [],
            )
        if PRACTICE_FIRST_AID not in existing:
            existing[PRACTICE_FIRST_AID] = services.exam_create(
                title=PRACTICE_FIRST_AID,
                kind=Exam.Kind.PRACTICE,
                description="触电急救与心肺复苏知识自测。",
                is_published=True,
                review_policy=Exam.ReviewPolicy.IMMEDIATELY,
                time_limit_minutes=15,
                rules=[
                    {
                        "count": 4,
                        "type": "single",
                        "category": services.category_for_path(FIRST_AID),
                    },
                    {
                        "count": 2,
                        "type": "multiple",
                        "category": services.category_for_path(FIRST_AID),
                    },
                    {"count": 2, "type": "fill", "category": services.category_for_path(FIRST_AID)},
                ],  # fmt: skip
                departments=[company] if company else [],
            )
        return existing

    def _seed_attempts(self, exams):
        annual = exams[ANNUAL_EXAM]
        if Attempt.objects.filter(exam=annual).exists():
            return 0
        rng = random.Random(7)
        trainer = Employee.objects.filter(number="QC9001").select_related("user").first()
        candidates = list(
            Employee.objects.active().filter(number__startswith="QC2").order_by("number")[:24]
        )
        now = timezone.now()
        count = 0
        for index, employee in enumerate(candidates):
            skill = 0.45 + 0.5 * rng.random()
            started = now - timedelta(days=5, hours=index)
            attempt = services.attempt_start(exam=annual, employee=employee, now=started, rng=rng)
            answers = []
            for item in attempt.items.all():
                answers.append({"item": item.pk, "seq": 1,
                                "response": _demo_response(item.snapshot, skill, rng)})  # fmt: skip
            services.attempt_save_answers(attempt=attempt, answers=answers, now=started)
            attempt = services.attempt_submit(attempt=attempt, now=started + timedelta(minutes=70))
            count += 1
            if index % 3 != 2:  # the trainer has graded most essays already
                for item in attempt.items.filter(needs_manual=True, score__isnull=True):
                    services.item_grade(
                        item=item,
                        score=(item.points * Decimal(str(round(skill, 1)))).quantize(Decimal(1)),
                        comment="论述较完整，要点基本覆盖。"
                        if skill > 0.7
                        else "要点不全，需加强学习。",
                        grader=trainer.user if trainer else None,
                        now=started + timedelta(days=1),
                    )
        demo_employee = Employee.objects.filter(number="QC1001").first()
        if demo_employee is not None:
            practice = exams[PRACTICE_SUBSTATION]
            started = now - timedelta(days=2)
            attempt = services.attempt_start(
                exam=practice, employee=demo_employee, now=started, rng=rng
            )
            answers = [{"item": item.pk, "seq": 1,
                        "response": _demo_response(item.snapshot, 0.8, rng)}
                       for item in attempt.items.all()]  # fmt: skip
            services.attempt_save_answers(attempt=attempt, answers=answers, now=started)
            services.attempt_submit(attempt=attempt, now=started + timedelta(minutes=8))
            count += 1
        return count

    def _seed_practice(self, exams):
        """Two weeks of 每日一练 for the demo employees (each with a skill, weaker on some
        knowledge points), the 错题本 re-practised now and then, their exam answers read into
        practice, and a mock of the annual exam — all through the practice services."""
        people = list(
            Employee.objects.active()
            .filter(number__in=PRACTICE_PEOPLE)
            .select_related("department", "position", "user")
            .order_by("number")
        )
        if not people or PracticeAnswer.objects.filter(employee__in=people).exists():
            return 0
        rng = random.Random(19)
        now = timezone.now()
        weak_points = ["安全距离", "接地与短路", "触电急救", "倒闸操作"]
        count = 0
        for index, employee in enumerate(people):
            skill = 0.55 + 0.08 * (index % 5)
            weak = weak_points[index % len(weak_points)]
            for days_ago in range(PRACTICE_DAYS, 0, -1):
                if rng.random() < 0.2:
                    continue  # not every day
                # Earlier in the day, but on that day: just after midnight, three hours back
                # was the day before, whose set was already answered.
                hours = min(rng.randint(0, 3), timezone.localtime(now).hour)
                moment = now - timedelta(days=days_ago, hours=hours)
                daily = services.daily_practice_for(employee=employee, now=moment)
                questions = Question.objects.in_bulk(daily.question_ids)
                for position, pk in enumerate(daily.question_ids):
                    question = questions.get(pk)
                    if question is None:
                        continue
                    chance = skill - (0.35 if weak in (question.knowledge_points or []) else 0)
                    services.daily_answer(
                        employee=employee,
                        daily=daily,
                        question_id=pk,
                        data=_practice_form(question, rng.random() < chance, rng),
                        now=moment + timedelta(minutes=position),
                    )
                    count += 1
                if days_ago % 3 == 0:  # now and then, the wrong-answer book
                    cards = list(
                        PracticeCard.objects.for_employee(employee)
                        .in_book()
                        .practisable()
                        .select_related("question")[:4]
                    )
                    for position, card in enumerate(cards):
                        services.wrong_book_answer(
                            employee=employee,
                            card=card,
                            data=_practice_form(card.question, rng.random() < 0.75, rng),
                            now=moment + timedelta(minutes=30 + position),
                        )
                        count += 1
            services.practice_sync(employee=employee, now=now)
        annual = exams.get(ANNUAL_EXAM)
        if annual is not None and annual.is_for(people[0]):
            started = now - timedelta(days=1)
            try:
                attempt = services.mock_attempt_start(
                    exam=annual, employee=people[0], now=started, rng=rng
                )
            except AttemptError:
                attempt = None
            if attempt is not None and attempt.is_open:
                answers = [{"item": item.pk, "seq": 1,
                            "response": _demo_response(item.snapshot, 0.7, rng)}
                           for item in attempt.items.all()]  # fmt: skip
                services.attempt_save_answers(attempt=attempt, answers=answers, now=started)
                services.attempt_submit(attempt=attempt, now=started + timedelta(minutes=40))
                for item in attempt.items.filter(needs_manual=True, score__isnull=True):
                    services.item_grade(item=item, score=Decimal(0), now=started)
                services.practice_sync(employee=people[0], now=now)
        return count


def _practice_form(question, right: bool, rng) -> QueryDict:
    """What the practice page would post for ``question``: the key, or a plausible slip."""
    data = QueryDict(mutable=True)
    answer = question.answer
    if question.type in ("single", "multiple"):
        keys = list(LETTERS[: len(question.options)])
        if right:
            values = list(answer)
        elif question.type == "single":
            values = [rng.choice([k for k in keys if k not in answer])]
        else:
            values = list(answer[:-1]) or [keys[0]]
    elif question.type == "truefalse":
        values = ["true" if (answer if right else not answer) else "false"]
    elif question.type == "fill":
        values = [blank[0] if right else "不清楚" for blank in answer]
    else:
        values = ["0"]
    data.setlist("answer", values)
    return data


def _demo_response(snapshot, skill, rng):
    right = rng.random() < skill
    kind, answer = snapshot["type"], snapshot["answer"]
    keys = [option["key"] for option in snapshot.get("options", [])]
    if kind == "single":
        return answer if right else [rng.choice([k for k in keys if k not in answer])]
    if kind == "multiple":
        return answer if right else sorted(answer[:-1])
    if kind == "truefalse":
        return answer if right else not answer
    if kind == "fill":
        return [blank[0] if right else "不清楚" for blank in answer]
    if kind == "short":
        chosen = answer if right else answer[:1]
        return "应注意：" + "，".join(chosen) + "。"
    return "安全生产责任制要求人人有责、层层落实。本人将严格执行两票三制，认真开展危险点分析……"
