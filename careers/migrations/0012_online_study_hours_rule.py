"""A default training-hours rule for online study (SCORM time, capped by the lesson's nominal
study time): it counts as general hours until HR changes the rule."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    Rule = apps.get_model("careers", "TrainingHoursRule")
    Rule.objects.get_or_create(
        category="online_study",
        defaults={"counts_as": "general", "factor": Decimal("1"), "default_hours": Decimal("0")},
    )


class Migration(migrations.Migration):
    dependencies = [("careers", "0011_text_limits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
