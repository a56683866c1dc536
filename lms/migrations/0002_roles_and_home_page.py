"""Create the role groups with their permissions, and the site's root HomePage."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Employee": [],
    "Trainer": [("wagtailadmin", "access_admin"), ("lms", "view_employee")],
    "HR": [
        ("wagtailadmin", "access_admin"),
        *[
            ("lms", f"{action}_{model}")
            for model in ("department", "position", "employee")
            for action in ("add", "change", "delete", "view")
        ],
    ],
    "Department manager": [("wagtailadmin", "access_admin"), ("lms", "view_employee")],
    "Drill coordinator": [("wagtailadmin", "access_admin"), ("lms", "view_employee")],
    "Evaluator": [],
}


def create_roles(apps, schema_editor):
    for app_label in ("lms",):  # wagtailadmin.access_admin comes from its own migration
        app_config = apps.get_app_config(app_label)
        # Historical app configs lack models_module, which create_permissions checks for.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for app_label, codename in permissions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("lms", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    # Replace Wagtail's default welcome page.
    Page.objects.filter(depth=2, slug="home").delete()
    content_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="lms")
    locale = Locale.objects.order_by("pk").first()
    home = HomePage.objects.create(
        title="Grid Academy",
        draft_title="Grid Academy",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Grid Academy")


def remove_home_page(apps, schema_editor):
    apps.get_model("lms", "HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(create_home_page, remove_home_page),
    ]
