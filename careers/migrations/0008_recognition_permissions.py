"""Permissions on commendation and rectification records for HR and managers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("careers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    grants = {
        "HR": [f"{action}_recognition" for action in ("add", "change", "delete", "view")],
        "Department manager": ["view_recognition"],
    }
    for role, codenames in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="careers", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [("careers", "0007_recognition")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
