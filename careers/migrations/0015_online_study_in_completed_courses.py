"""By default, online study (SCORM time, watched video) of a course the employee has completed
earns no hours of its own: the completion credits the course's hours, which cover it. HR can
change this on the online-study training-hours rule (docs/online-study.md)."""

from decimal import Decimal

from django.db import migrations

OUTCOME = "study_in_completed_course"


def forwards(apps, schema_editor):
    Rule = apps.get_model("careers", "TrainingHoursRule")
    rule, _created = Rule.objects.get_or_create(
        category="online_study",
        defaults={"counts_as": "general", "factor": Decimal("1"), "default_hours": Decimal("0")},
    )
    if OUTCOME not in rule.no_hours_for:
        rule.no_hours_for = [*rule.no_hours_for, OUTCOME]
        rule.save(update_fields=["no_hours_for"])


def backwards(apps, schema_editor):
    Rule = apps.get_model("careers", "TrainingHoursRule")
    for rule in Rule.objects.filter(category="online_study"):
        rule.no_hours_for = [code for code in rule.no_hours_for if code != OUTCOME]
        rule.save(update_fields=["no_hours_for"])


class Migration(migrations.Migration):
    dependencies = [("careers", "0014_merge_20261207_1837")]

    operations = [migrations.RunPython(forwards, backwards)]
