"""Ship the three rating scales and give the role groups their permissions on drill records."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

SCALES = [
    (
        "psmu",
        "P/S/M/U（HSEEP 能力表现评级）",
        "levels",
        "HSEEP core-capability ratings: Performed without challenges / with some challenges / "
        "with major challenges / Unable to be performed.",
        [
            ("P", "P 无挑战完成", Decimal("100"), None, False,
             "与核心能力相关的目标和关键任务均已完成，实现了演练目标，未对其他活动造成负面影响；"
             "未给公众或应急人员带来额外的健康或安全风险，并符合相关预案、制度、程序、规章和法律。"
             "（Performed without Challenges）"),
            ("S", "S 有一些挑战", Decimal("75"), None, False,
             "目标和关键任务均已完成，实现了演练目标，未对其他活动造成负面影响，未带来额外的健康"
             "或安全风险，并符合相关预案和规定；但发现了提高效果或效率的机会。"
             "（Performed with Some Challenges）"),
            ("M", "M 有重大挑战", Decimal("40"), None, False,
             "目标和关键任务已完成并实现了演练目标，但出现以下一种或多种情况：对其他活动的执行"
             "造成负面影响；给公众或应急人员带来额外的健康或安全风险；未按相关预案、制度、程序、"
             "规章和法律执行。（Performed with Major Challenges）"),
            ("U", "U 未能完成", Decimal("0"), None, False,
             "与核心能力相关的目标和关键任务未能以实现演练目标的方式完成。"
             "（Unable to be Performed）"),
        ],
    ),
    (
        "yes_no",
        "是/否（AQ/T 9009 评估表）",
        "levels",
        "Yes/no checklist as used with AQ/T 9009 drill evaluation; a 'no' needs a reason.",
        [
            ("yes", "是", Decimal("100"), None, False, "该项要求在演练中得到满足。"),
            ("no", "否", Decimal("0"), None, True, "该项要求未满足；须说明原因。"),
        ],
    ),
    (
        "score100",
        "百分制（四档）",
        "points",
        "A score from 0 to 100 in four bands: ≥ 90 excellent, 75–89 good, 60–74 satisfactory, "
        "< 60 needs improvement.",
        [
            ("excellent", "优秀", Decimal("90"), Decimal("90"), False, "90 分及以上"),
            ("good", "良好", Decimal("75"), Decimal("75"), False, "75–89 分"),
            ("satisfactory", "合格", Decimal("60"), Decimal("60"), False, "60–74 分"),
            ("needs_improvement", "需改进", Decimal("0"), Decimal("0"), False, "60 分以下"),
        ],
    ),
]

ROLE_PERMISSIONS = {
    "Drill coordinator": [
        f"{action}_{model}"
        for model in (
            "drill",
            "drillparticipant",
            "evaluationtemplate",
            "templatecriterion",
            "evaluationsheet",
            "finding",
            "correctiveaction",
            "planrevisionnote",
        )
        for action in ("add", "change", "delete", "view")
    ]
    + ["view_ratingscale", "view_scoresnapshot"],
    "Department manager": ["view_drill", "view_correctiveaction", "view_finding"],
}


def ship_scales(apps, schema_editor):
    RatingScale = apps.get_model("drills", "RatingScale")
    RatingLevel = apps.get_model("drills", "RatingLevel")
    for code, name, kind, description, levels in SCALES:
        scale, _created = RatingScale.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "description": description}
        )
        for order, (level_code, label, value, min_points, requires_reason, definition) in enumerate(
            levels
        ):
            RatingLevel.objects.update_or_create(
                scale=scale,
                code=level_code,
                defaults={
                    "label": label,
                    "value": value,
                    "min_points": min_points,
                    "requires_reason": requires_reason,
                    "definition": definition,
                    "sort_order": order,
                },
            )


def grant_permissions(apps, schema_editor):
    app_config = apps.get_app_config("drills")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="drills", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0001_initial"),
        ("lms", "0002_roles_and_home_page"),
    ]

    operations = [
        migrations.RunPython(ship_scales, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
