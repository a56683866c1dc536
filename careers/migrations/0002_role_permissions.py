"""Give the role groups their permissions on the appraisal models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")
ROLE_PERMISSIONS = {
    "HR": [
        (action, model)
        for model in (
            "indicatorsystem",
            "indicator",
            "appraisalperiod",
            "indicatorvalue",
        )
        for action in ALL
    ]
    # Results and the audit trail are written by the calculation only.
    + [("view", "appraisalresult"), ("view", "appraisalaudit")],
    "Department manager": [("view", "appraisalresult"), ("view", "indicatorvalue")],
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
    dependencies = [
        ("careers", "0001_initial"),
        ("lms", "0002_roles_and_home_page"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
