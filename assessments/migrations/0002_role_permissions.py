"""Give the roles their permissions on the question bank, exams and certificates."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")
ROLE_PERMISSIONS = {
    "Trainer": [
        f"{action}_{model}"
        for model in ("questioncategory", "question", "exam", "qualificationrule")
        for action in ALL
    ]
    + ["view_attempt", "change_attempt", "view_certificate", "change_certificate"],
    "HR": [
        "view_exam",
        "view_attempt",
        "view_certificate",
        "change_certificate",
        "view_qualificationrule",
    ],
    "Department manager": ["view_attempt", "view_certificate"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("assessments")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="assessments", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("lms", "0002_roles_and_home_page"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
