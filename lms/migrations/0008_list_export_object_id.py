"""List exports were logged with object id "*", which Wagtail's site history reads as a primary
key (a server error); they now carry "0", which no row has."""

from django.db import migrations


def forwards(apps, schema_editor):
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ModelLogEntry.objects.filter(action="lms.personal_data_exported", object_id="*").update(
        object_id="0"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0007_protect_records"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
