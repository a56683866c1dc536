"""Default conversion from archive record categories to training hours, and HR's permissions."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEFAULT_RULES = [
    # category, counts as, factor, hours when none recorded
    ("training", "professional", Decimal("1"), Decimal("0")),
    ("attendance", "compulsory", Decimal("1"), Decimal("0")),
    ("exam", "compulsory", Decimal("1"), Decimal("2")),
    ("certificate", "general", Decimal("1"), Decimal("0")),
    ("qualification", "general", Decimal("1"), Decimal("0")),
    ("drill", "professional", Decimal("1"), Decimal("4")),
    ("rotation", "professional", Decimal("1"), Decimal("0")),
    ("development", "general", Decimal("1"), Decimal("0")),
    ("appraisal", "general", Decimal("0"), Decimal("0")),
]


def forwards(apps, schema_editor):
    Rule = apps.get_model("careers", "TrainingHoursRule")
    for category, counts_as, factor, default_hours in DEFAULT_RULES:
        Rule.objects.get_or_create(
            category=category,
            defaults={"counts_as": counts_as, "factor": factor, "default_hours": default_hours},
        )
    app_config = apps.get_app_config("careers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    hr, _created = Group.objects.get_or_create(name="HR")
    for action in ("add", "change", "delete", "view"):
        hr.permissions.add(
            Permission.objects.get(
                content_type__app_label="careers", codename=f"{action}_traininghoursrule"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("careers", "0003_traininghoursrule_archiveexport")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
