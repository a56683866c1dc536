"""Who may upload and see SCORM packages and attempts in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODEL_PERMISSIONS = {
    "Trainer": {"scormpackage": ("add", "change", "view"), "scormattempt": ("view",)},
    "Training manager": {
        "scormpackage": ("add", "change", "delete", "view"),
        "scormattempt": ("view",),
    },
    "HR": {"scormpackage": ("view",), "scormattempt": ("view",)},
}


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("courses")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in MODEL_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for model, actions in models.items():
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label="courses", codename=f"{action}_{model}"
                    )
                )


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_scorm")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
