"""Permissions on development plans, rotations and position templates for HR and managers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")
ROLE_PERMISSIONS = {
    "HR": [
        (action, model)
        for model in ("positiontemplate", "developmentplan", "rotationprogramme", "rotationassignment")
        for action in ALL
    ],
    "Department manager": [("view", "developmentplan"), ("view", "rotationassignment")],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("careers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for action, model in permissions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label="careers", codename=f"{action}_{model}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [("careers", "0005_rotationprogramme_developmentplan_developmentgoal_and_more")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
