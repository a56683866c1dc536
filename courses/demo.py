"""Demo training story for 青川县供电公司: a 2026 plan, a catalogue of courses, sessions with
attendance, required training and completions. Written through the services; idempotent."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from lms import services as lms_services
from lms.demo import DEMO_PASSWORD, DemoSeeder
from lms.models import Department, Employee, Position
from lms.roles import Role

from . import services
from .models import (
    Assignment,
    Attendance,
    Completion,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    Lesson,
    LessonProgress,
    PlanItem,
    PracticalCheck,
    QuestionnaireField,
    QuestionnairePage,
    QuestionnaireSubmission,
    ScormAttempt,
    ScormPackage,
    ScormValue,
    TrainingPlanIndexPage,
    TrainingPlanPage,
    TrainingRule,
    TrainingSession,
    VideoWatch,
)

TRAINING_MANAGER = ("QC9006", "吴振华", "QC-RL", "P02")

# code, title, category, hours, credits, summary, lessons: (title, paragraphs, key points)
COURSES = [
    (
        "KC-AQ01",
        "《电力安全工作规程（配电部分）》精讲",
        "safety",
        "8",
        "2",
        "逐条讲解配电安规的保证安全的组织措施和技术措施，结合近年典型违章案例，"
        "使一线人员掌握停电、验电、接地、悬挂标示牌和装设遮栏的要求。",
        [
            (
                "保证安全的组织措施",
                [
                    "在配电线路和设备上工作，应执行现场勘察制度、工作票制度、工作许可制度、"
                    "工作监护制度、工作间断和转移制度、工作终结制度。",
                    "工作票签发人、工作负责人、工作许可人和专责监护人应由熟悉人员技术水平、"
                    "设备情况和安规的人员担任，并经考试合格、书面公布。",
                ],
                [
                    "现场勘察先于工作票签发",
                    "一张工作票只能有一个工作负责人",
                    "监护人不得兼做其他工作",
                ],
            ),
            (
                "保证安全的技术措施",
                [
                    "停电、验电、接地、悬挂标示牌和装设遮栏（围栏）是保证安全的技术措施，"
                    "缺一不可，且必须按顺序执行。",
                    "验电应使用相应电压等级、合格的接触式验电器，验电前应先在有电设备上确认"
                    "验电器良好。",
                ],
                ["先验电、后接地", "接地线先接接地端、后接导体端", "拆除顺序与装设相反"],
            ),
            (
                "典型违章案例分析",
                [
                    "2024 年某县公司 10 kV 线路检修中，作业人员未验电即登杆作业，"
                    "因用户自备发电机倒送电造成触电。案例说明：任何情况下都不得省略验电。",
                ],
                ["反向送电是配网作业的主要风险", "低压用户自备电源应纳入现场勘察"],
            ),
        ],
    ),
    (
        "KC-AQ02",
        "两票三制与现场安全管控",
        "safety",
        "4",
        "1",
        "工作票、操作票和交接班、巡回检查、设备定期试验轮换制度的执行要点与常见问题。",
        [
            (
                "工作票的填写与执行",
                [
                    "工作票应使用统一格式，用钢笔或圆珠笔填写，一式两份，内容应正确、清楚，"
                    "不得任意涂改。",
                ],
                ["安全措施栏不得空项", "工作票延期只能办理一次"],
            ),
            (
                "倒闸操作票",
                ["倒闸操作应由两人进行，一人操作、一人监护，并执行唱票、复诵制度。"],
                ["模拟预演后再操作", "严禁无票操作"],
            ),
        ],
    ),
    (
        "KC-FG01",
        "《电力法》与《电力供应与使用条例》解读",
        "law",
        "4",
        "1",
        "解读供电企业和用户在电力供应与使用中的权利和义务，明确供电营业区、"
        "供电质量、停电通知和窃电处理的法律依据。",
        [
            (
                "供电企业的法定义务",
                [
                    "供电企业在发电、供电系统正常的情况下，应当连续向用户供电，不得中断。"
                    "因供电设施检修需要停电时，应当提前通知用户。",
                ],
                ["计划检修停电提前 7 天公告", "临时检修停电提前 24 小时通知重要用户"],
            ),
            (
                "窃电与违约用电",
                [
                    "对窃电行为，供电企业应予制止并可当场中止供电，按规定追补电费并收取违约使用电费；"
                    "构成犯罪的，依法追究刑事责任。",
                ],
                ["现场取证、录像留存", "追补电费按实际窃电时间计算"],
            ),
        ],
    ),
    (
        "KC-FG02",
        "供电营业规则与违约用电处理",
        "law",
        "4",
        "1",
        "《供电营业规则》中新装、增容、变更用电的办理要求，以及违约用电的认定与处理程序。",
        [
            (
                "变更用电业务",
                ["减容、暂停、暂换、迁址、移表、更名过户等变更用电业务应由用户提出书面申请。"],
                ["暂停每次不少于 15 天", "更名过户须结清电费"],
            ),
            (
                "违约用电的认定",
                ["擅自改变用电类别、擅自超过合同约定容量用电等行为属于违约用电。"],
                ["认定须有现场检查记录", "处理结果书面告知用户"],
            ),
        ],
    ),
    (
        "KC-FW01",
        "供电服务“十项承诺”与员工服务“十个不准”",
        "standards",
        "3",
        "1",
        "学习国家电网公司供电服务承诺和员工服务行为禁令，明确办电时限、抢修到达时限等"
        "服务标准中的量化要求。",
        [
            (
                "供电服务十项承诺",
                [
                    "城区范围抢修人员到达现场时间一般不超过 45 分钟，农村地区一般不超过 90 分钟，"
                    "特殊边远地区一般不超过 2 小时。",
                    "低压居民客户办电平均时间不超过规定工作日，实行“一证受理、一次都不跑”。",
                ],
                ["抢修到达时限按城区/农村区分", "承诺时限以公司最新发布为准"],
            ),
            (
                "员工服务十个不准",
                [
                    "不准违规停电、无故拖延送电；不准违反政府部门批准的收费项目和标准向客户收费；"
                    "不准为客户指定设计、施工、供货单位。",
                ],
                ["“三指定”是红线", "对客户咨询首问负责"],
            ),
        ],
    ),
    (
        "KC-FW02",
        "营业厅服务礼仪与行为规范",
        "conduct",
        "3",
        "1",
        "营业厅客户代表的仪容仪表、服务用语、接待流程和特殊客户服务规范。",
        [
            (
                "仪容仪表与服务用语",
                ["上岗应统一着装、佩戴工号牌，保持微笑服务；使用普通话和规范服务用语。"],
                ["首问负责、限时办结", "客户离开时礼貌道别"],
            ),
            (
                "特殊客户接待",
                ["对老年人、残障人士等特殊客户提供引导、代办和上门服务。"],
                ["设置爱心通道", "不得以系统故障为由推诿客户"],
            ),
        ],
    ),
    (
        "KC-GT01",
        "客户沟通技巧与投诉处理",
        "communication",
        "4",
        "1",
        "运用倾听、共情、澄清和确认技巧化解客户不满，掌握 95598 工单的闭环处理要求。",
        [
            (
                "有效沟通四步法",
                ["倾听客户诉求—表达理解—澄清问题—确认解决方案，避免与客户争辩。"],
                ["先处理情绪，再处理事情", "不轻易承诺无法兑现的事项"],
            ),
            (
                "投诉工单闭环",
                ["接到投诉工单后应在规定时限内联系客户、调查处理并回复，处理结果应经客户确认。"],
                ["回访满意率纳入考核", "重复投诉升级处理"],
            ),
        ],
    ),
    (
        "KC-YW01",
        "业扩报装流程与办电时限",
        "business",
        "4",
        "1",
        "高低压业扩报装的受理、现场勘查、供电方案答复、竣工检验和装表接电全流程。",
        [
            (
                "低压业扩“三零”服务",
                ["低压小微企业办电实行零上门、零审批、零投资，由供电企业投资到客户红线。"],
                ["受理资料一次告知", "全流程线上可查"],
            ),
            (
                "高压业扩关键环节",
                ["供电方案答复、设计审查、中间检查和竣工检验均有时限要求，超期须说明原因。"],
                ["方案答复时限为公司设定值", "竣工检验一次性告知问题"],
            ),
        ],
    ),
    (
        "KC-YW02",
        "电费核算与抄表管理",
        "business",
        "4",
        "1",
        "用电信息采集、抄表例日管理、电价执行与电费差错的防范和处理。",
        [
            (
                "抄表与采集",
                ["抄表例日应固定，不得随意变更；采集失败的应及时现场补抄并分析原因。"],
                ["采集成功率每日监控", "补抄须留存照片"],
            ),
            (
                "电价执行与差错处理",
                ["严格执行政府批准的电价政策，发现电费差错应及时退补并向客户说明。"],
                ["阶梯电价按年度周期计算", "退补电费须审批"],
            ),
        ],
    ),
    (
        "KC-YJ01",
        "配网故障抢修应急处置",
        "emergency",
        "6",
        "2",
        "配网故障的研判、抢修队伍组织、现场安全措施和恢复送电的应急处置流程，"
        "衔接公司大面积停电应急预案。",
        [
            (
                "故障研判与指挥",
                ["接到故障报修后，抢修指挥人员应根据配电自动化和采集信息快速研判故障范围。"],
                ["先复电、后抢修", "重要用户优先"],
            ),
            (
                "现场抢修安全",
                ["抢修作业可使用事故紧急抢修单，但同样必须执行停电、验电、接地等技术措施。"],
                ["恶劣天气作业须评估风险", "抢修结束及时汇报"],
            ),
        ],
    ),
    (
        "KC-YJ02",
        "触电急救与心肺复苏",
        "emergency",
        "2",
        "0.5",
        "脱离电源的方法、伤员状况判断、心肺复苏和自动体外除颤器（AED）的使用。",
        [
            (
                "脱离电源",
                [
                    "发现有人触电，应立即切断电源或用绝缘工具使触电者脱离电源，救护人员注意自身安全。"
                ],
                ["不得直接用手拉触电者", "高处触电防止坠落"],
            ),
            (
                "心肺复苏",
                ["胸外按压频率 100～120 次/分钟，深度 5～6 厘米，按压与人工呼吸比例为 30:2。"],
                ["尽早使用 AED", "持续抢救直至专业人员到达"],
            ),
        ],
    ),
    (
        "KC-AQ03",
        "低压带电作业安全",
        "safety",
        "4",
        "1",
        "低压带电作业的适用范围、个人防护用品、绝缘工具和作业步骤。",
        [
            (
                "作业前准备",
                ["低压带电作业应设专人监护，使用有绝缘柄的工具，工作时站在干燥的绝缘物上。"],
                ["戴绝缘手套和护目镜", "穿全棉长袖工作服"],
            ),
            (
                "作业步骤",
                ["断开导线时应先断相线、后断零线；搭接导线时顺序相反。"],
                ["人体不得同时接触两根线头", "相邻带电部分做好绝缘隔离"],
            ),
        ],
    ),
    (
        "KC-ZX01",
        "安全规程在线课件（SCORM）",
        "safety",
        "1",
        "0.5",
        "两个 SCORM 课件：停电作业（SCORM 1.2）与验电接地（SCORM 2004），手机上即可学习，"
        "学习时长自动计入在线学时。",
        [
            (
                "停电作业（SCORM 1.2 课件）",
                ["打开本课时的课件，学完三页并通过小测验。"],
                ["课件记录学习位置，可随时中断后继续"],
            ),
            (
                "验电与接地（SCORM 2004 课件）",
                ["打开本课时的课件，学完三页并通过小测验。"],
                ["得分达到 80% 即为通过"],
            ),
        ],
    ),
]

# month, content, course code, method, target positions, target departments, hours, budget
PLAN_ITEMS = [
    (
        1,
        "《电力安全工作规程》年度普考培训",
        "KC-AQ01",
        "internal",
        ["P10", "P11", "P12", "P13"],
        [],
        "8",
        "12000",
    ),
    (2, "两票三制专项培训", "KC-AQ02", "internal", ["P04", "P10", "P12"], [], "4", "3000"),
    (3, "《电力法》及供电营业规则宣贯", "KC-FG01", "online", [], ["QC-YX"], "4", "0"),
    (3, "违约用电与窃电查处案例研讨", "KC-FG02", "case_study", ["P13", "P14"], [], "4", "2000"),
    (4, "供电服务“十项承诺”全员学习", "KC-FW01", "online", [], ["QC"], "3", "0"),
    (5, "营业厅服务礼仪实训", "KC-FW02", "internal", ["P15", "P17"], [], "3", "5000"),
    (
        5,
        "客户沟通与投诉处理（外请讲师）",
        "KC-GT01",
        "external",
        ["P15", "P16", "P17"],
        [],
        "4",
        "18000",
    ),
    (
        6,
        "配网故障抢修应急演练",
        "KC-YJ01",
        "simulation",
        [],
        ["QC-YJ", "QC-CG", "QC-HX", "QC-SQ"],
        "6",
        "25000",
    ),
    (7, "业扩报装流程与办电时限", "KC-YW01", "internal", ["P16"], [], "4", "3000"),
    (8, "电费核算与抄表管理", "KC-YW02", "online", ["P14"], [], "4", "0"),
    (9, "触电急救与心肺复苏实操", "KC-YJ02", "internal", [], ["QC"], "2", "6000"),
    (10, "低压带电作业安全", "KC-AQ03", "simulation", ["P12", "P13"], [], "4", "8000"),
    (11, "年度服务质量典型案例复盘", "KC-GT01", "case_study", [], ["QC-YX", "QC-CG"], "3", "1000"),
    (
        12,
        "安规考试前集中辅导",
        "KC-AQ01",
        "internal",
        ["P10", "P11", "P12", "P13"],
        [],
        "4",
        "2000",
    ),
]

# course code, days from today (negative: held already), hours, location, capacity, employees
SESSIONS = [
    ("KC-AQ01", -240, 8, "公司三楼培训中心", 60, "field"),
    # Recent enough for its questionnaire to be offered (COURSES_QUESTIONNAIRE_DAYS).
    ("KC-FW02", -20, 3, "营销部营业厅", 30, "service"),
    ("KC-YJ01", -150, 6, "城关供电所实训场", 40, "field"),
    ("KC-YJ02", -60, 2, "公司三楼培训中心", 80, "all"),
    ("KC-GT01", 5, 4, "营销部二楼会议室", 40, "service"),
    ("KC-AQ03", 12, 4, "城关供电所实训场", 30, "field"),
]


def _employee(number):
    return Employee.objects.filter(number=number).first()


class CoursesDemoSeeder(DemoSeeder):
    order = 20

    def reset(self):
        QuestionnaireSubmission.objects.all().delete()
        PracticalCheck.objects.all().delete()
        Assignment.objects.all().delete()
        Completion.objects.all().delete()
        Attendance.objects.all().delete()
        Enrollment.objects.all().delete()
        TrainingSession.objects.all().delete()
        TrainingRule.objects.all().delete()
        VideoWatch.objects.all().delete()
        ScormValue.objects.all().delete()
        ScormAttempt.objects.all().delete()
        ScormPackage.objects.all().delete()
        LessonProgress.objects.all().delete()
        for model in (QuestionnairePage, TrainingPlanPage, CoursePage):
            for page in model.objects.all():
                page.delete()

    @transaction.atomic
    def seed(self, stdout=None):
        course_index = CourseIndexPage.objects.first()
        plan_index = TrainingPlanIndexPage.objects.first()
        if course_index is None or plan_index is None:
            return
        trainer = _employee("QC9001")
        hr = _employee("QC9002")
        manager = self._training_manager()
        courses = self._courses(course_index, trainer)
        self._plan(plan_index, courses, trainer)
        self._questionnaire(course_index, courses["KC-FW02"])
        if not TrainingSession.objects.exists():
            self._sessions(courses, trainer)
        if not TrainingRule.objects.exists():
            self._rules(courses, hr)
        self._scorm(courses["KC-ZX01"], trainer)
        self._learner(courses)
        self._video(courses["KC-FG01"], trainer)
        if stdout is not None:
            stdout.write(
                f"Training: {CoursePage.objects.count()} courses, "
                f"{PlanItem.objects.count()} plan items, {TrainingSession.objects.count()} "
                f"sessions, {Completion.objects.count()} completions, "
                f"{Assignment.objects.count()} assignments. Training manager: "
                f"{manager.number} {manager.name} (password {DEMO_PASSWORD})."
            )

    def _scorm(self, course, trainer):
        """The course's two lessons play the SCORM packages the project builds itself."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .scorm import services as scorm_services
        from .scorm.demo import scorm12_package, scorm2004_package

        lessons = list(course.lessons.order_by("sort_order", "pk"))
        for lesson, (name, build) in zip(
            lessons,
            (("safety12.zip", scorm12_package), ("service2004.zip", scorm2004_package)),
            strict=False,
        ):
            if ScormPackage.objects.filter(lesson=lesson).exists():
                continue
            scorm_services.package_upload(
                upload=SimpleUploadedFile(name, build(), content_type="application/zip"),
                lesson=lesson,
                acting_user=trainer.user if trainer else None,
            )
        # QC1001 is half-way through the SCORM 1.2 module (the trainer's report shows it).
        learner = _employee("QC1001")
        package = ScormPackage.objects.filter(lesson=lessons[0]).first() if lessons else None
        if learner is None or package is None or ScormAttempt.objects.exists():
            return
        sco = package.scos.first()
        attempt = scorm_services.attempt_launch(employee=learner, sco=sco)
        scorm_services.attempt_commit(
            attempt_id=attempt.pk,
            employee=learner,
            seq=1,
            cmi={
                "cmi.core.lesson_status": "incomplete",
                "cmi.core.lesson_location": "2",
                "cmi.core.exit": "suspend",
                "cmi.core.session_time": "0000:08:00",
                "cmi.suspend_data": '{"screen": 2, "visited": [1, 2], "answers": {}}',
            },
        )

    def _video(self, course, trainer):
        """The online course's first lesson plays the demo video (no skipping ahead): QC1001
        has watched all of it (the lesson is done and its minutes are in the archive), two
        colleagues part of it, one of them in two sittings with a stretch watched twice (every
        report as the player sends it)."""
        from .video import services as video_services
        from .video.demo import VIDEO_SECONDS, video_block, video_document, watch_stretch

        lesson = course.lessons.order_by("sort_order", "pk").first()
        if lesson is None:
            return
        if not video_services.tracked_videos(lesson):
            document = video_document(user=trainer.user if trainer else None)
            block = video_block(document, caption="《电力法》要点讲解")
            lesson.body = [*lesson.body.raw_data, block]
            lesson.save()
            course.save_revision(user=trainer.user if trainer else None).publish()
        if VideoWatch.objects.exists():
            return
        (video,) = video_services.tracked_videos(lesson)
        learner = _employee("QC1001")
        colleagues = list(
            Employee.objects.filter(department__code="QC-CG")
            .exclude(number="QC1001")
            .order_by("number")[:2]
        )
        began = timezone.now() - datetime.timedelta(days=3)
        sittings = [(learner, [(0, VIDEO_SECONDS)])] if learner else []
        if len(colleagues) == 2:
            sittings += [
                (colleagues[0], [(0, 95)]),
                # Two sittings a day apart, the second going back over ten seconds.
                (colleagues[1], [(0, 60), (50, 150)]),
            ]
        for employee, stretches in sittings:
            services.lesson_open(employee=employee, lesson=lesson)
            at = began
            for start, end in stretches:
                at, _watch = watch_stretch(
                    employee=employee,
                    lesson=lesson,
                    block_id=video.block_id,
                    start=start,
                    end=end,
                    began=at,
                )
                at += datetime.timedelta(days=1)

    def _training_manager(self):
        number, name, dept, pos = TRAINING_MANAGER
        manager = _employee(number)
        if manager is None:
            manager = lms_services.employee_create(
                number=number,
                name=name,
                department=Department.objects.get(code=dept),
                position=Position.objects.get(code=pos),
                hire_date=datetime.date(2008, 7, 1),
                email=f"{number.lower()}@qc-power.example.cn",
                password_hash=make_password(DEMO_PASSWORD),
                roles=[Role.TRAINER],
            )
            services.training_manager_set(user=manager.user)
        return manager

    def _courses(self, index, trainer):
        existing = {c.code: c for c in CoursePage.objects.all()}
        for code, title, category, hours, credits, summary, lessons in COURSES:
            if code in existing:
                continue
            page = CoursePage(
                title=title,
                code=code,
                category=category,
                hours=Decimal(hours),
                credits=Decimal(credits),
                summary=summary,
                self_enrolment=True,
                materials=[
                    {"type": "text", "value": f"<h2>课程简介</h2><p>{summary}</p>"},
                    {
                        "type": "key_points",
                        "value": {
                            "heading": "学习目标",
                            "points": [lesson[0] for lesson in lessons],
                        },
                    },
                ],
                lessons=[
                    Lesson(
                        title=lesson_title,
                        minutes=20,
                        sort_order=i,
                        body=[
                            *[{"type": "text", "value": f"<p>{p}</p>"} for p in paragraphs],
                            {
                                "type": "key_points",
                                "value": {"heading": "要点", "points": points},
                            },
                        ],
                    )
                    for i, (lesson_title, paragraphs, points) in enumerate(lessons)
                ],
            )
            index.add_child(instance=page)
            page.save_revision(user=trainer.user if trainer else None).publish()
            existing[code] = page
        prerequisites = {"KC-AQ03": ["KC-AQ01"], "KC-YJ01": ["KC-AQ01", "KC-YJ02"]}
        for code, needed in prerequisites.items():
            page = existing[code]
            if not page.prerequisites.exists():
                page.prerequisites.set([existing[n] for n in needed])
                page.save_revision().publish()
        return existing

    def _plan(self, index, courses, trainer):
        if TrainingPlanPage.objects.filter(year=2026).exists():
            return
        positions = {p.code: p for p in Position.objects.all()}
        departments = {d.code: d for d in Department.objects.all()}
        items = []
        for i, (month, title, code, method, pos, depts, hours, budget) in enumerate(PLAN_ITEMS):
            item = PlanItem(
                title=title,
                course=courses[code],
                method=method,
                planned_month=month,
                hours=Decimal(hours),
                trainer=trainer,
                budget=Decimal(budget),
                sort_order=i,
            )
            item.target_positions = [positions[c] for c in pos]
            item.target_departments = [departments[c] for c in depts]
            items.append(item)
        plan = TrainingPlanPage(
            title="青川县供电公司 2026 年度员工培训计划",
            year=2026,
            department=departments["QC"],
            goals=(
                "<p>围绕安全生产和优质服务两条主线，全年人均培训学时不少于 40 学时；"
                "一线生产人员安规考试合格率 100%；营业窗口人员服务规范培训覆盖率 100%。</p>"
            ),
            items=items,
        )
        index.add_child(instance=plan)
        plan.save_revision(user=trainer.user if trainer else None).publish()

    def _questionnaire(self, index, course):
        if QuestionnairePage.objects.exists():
            return
        page = QuestionnairePage(
            title="营业厅服务礼仪实训 · 培训效果调查",
            course=course,
            intro="<p>请对本次培训进行评价，帮助我们改进培训计划。</p>",
            thank_you_text="<p>感谢您的反馈！</p>",
            form_fields=[
                QuestionnaireField(
                    label="总体满意度（1–5 分）", field_type="number", required=True, sort_order=0
                ),
                QuestionnaireField(
                    label="内容与岗位的相关程度",
                    field_type="radio",
                    choices="非常相关\n比较相关\n一般\n不相关",
                    required=True,
                    sort_order=1,
                ),
                QuestionnaireField(
                    label="意见和建议", field_type="multiline", required=False, sort_order=2
                ),
            ],
        )
        index.add_child(instance=page)
        page.save_revision().publish()

    def _sessions(self, courses, trainer):
        active = Employee.objects.active().select_related("position", "department")
        groups = {
            "field": [e for e in active if e.position.category == "skilled"],
            "service": [e for e in active if e.position.category == "service"],
            "all": list(active),
        }
        learner = _employee("QC1001")
        now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        for code, days, hours, location, capacity, group in SESSIONS:
            course = courses[code]
            people = groups[group][: capacity - 1]
            if learner and learner not in people and group in ("field", "all", "service"):
                people = [learner, *people]
            starts = now + datetime.timedelta(days=days)
            held = days < 0
            session = services.session_create(
                course=course,
                starts_at=timezone.now() + datetime.timedelta(hours=1) if held else starts,
                ends_at=timezone.now() + datetime.timedelta(hours=1 + hours)
                if held
                else starts + datetime.timedelta(hours=hours),
                trainer=trainer,
                capacity=capacity,
                location=location,
                acting_user=trainer.user,
            )
            for employee in people[:capacity]:
                services.enrollment_create(
                    session=session, employee=employee, assigned=True, acting_user=trainer.user
                )
            if held:
                # Enrolment closes when a session is over, so held sessions are enrolled first
                # and then given their real dates.
                services.session_update(
                    session=session,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=hours),
                )
                present = [e.pk for i, e in enumerate(people[:capacity]) if i % 9 != 4]
                services.attendance_record(
                    session=session, present_ids=present, acting_user=trainer.user
                )
                for i, employee_id in enumerate(present[:8]):
                    services.practical_check_record(
                        session=session,
                        employee=Employee.objects.get(pk=employee_id),
                        passed=i % 5 != 3,
                        score=Decimal(95 - 4 * i),
                        comment="操作规范" if i % 5 != 3 else "验电步骤遗漏，需补训",
                        acting_user=trainer.user,
                    )

    def _rules(self, courses, hr):
        acting = hr.user if hr else None
        positions = {p.code: p for p in Position.objects.all()}
        year_end = datetime.date(2026, 12, 31)
        for code in ("P10", "P11", "P12", "P13"):
            services.rule_create(
                course=courses["KC-AQ01"],
                position=positions[code],
                due_on=year_end,
                interval_months=12,
                acting_user=acting,
            )
        services.rule_create(
            course=courses["KC-FW01"],
            department=Department.objects.get(code="QC"),
            due_on=datetime.date(2026, 12, 15),
            acting_user=acting,
        )
        services.rule_create(
            course=courses["KC-YJ02"],
            department=Department.objects.get(code="QC-CG"),
            due_on=datetime.date(2026, 12, 20),
            interval_months=24,
            acting_user=acting,
        )
        services.completion_record(
            employee=_employee("QC1001"),
            course=courses["KC-FG01"],
            completed_on=timezone.localdate() - datetime.timedelta(days=260),
            source="external",
            provider="国网四川省电力公司技能培训中心",
            acting_user=acting,
        )

    def _learner(self, courses):
        """QC1001 finished one course online and is half-way through another."""
        learner = _employee("QC1001")
        if learner is None or LessonProgress.objects.filter(employee=learner).exists():
            return
        for lesson in courses["KC-FW01"].lessons.all():
            services.lesson_open(employee=learner, lesson=lesson)
            services.lesson_complete(employee=learner, lesson=lesson)
        first = courses["KC-AQ03"].lessons.order_by("sort_order").first()
        services.lesson_open(employee=learner, lesson=first)
        services.lesson_complete(employee=learner, lesson=first)
