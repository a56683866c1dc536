"""Training roles and their permissions, the plan and course index pages, and the course
approval workflow (a trainer submits, a training manager approves)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from lms.migration_pages import add_child_page, group_approval_workflow

TRAINING_MANAGER = "Training manager"

MODEL_PERMISSIONS = {
    "Trainer": {
        "trainingsession": ("add", "change", "delete", "view"),
        "enrollment": ("add", "change", "delete", "view"),
        "attendance": ("add", "change", "view"),
        "completion": ("add", "view"),
        "practicalcheck": ("add", "change", "view"),
        "trainingrule": ("view",),
        "assignment": ("view",),
        "lessonprogress": ("view",),
    },
    "HR": {
        "trainingsession": ("view",),
        "enrollment": ("add", "change", "delete", "view"),
        "attendance": ("view",),
        "completion": ("add", "change", "delete", "view"),
        "trainingrule": ("add", "change", "delete", "view"),
        "assignment": ("add", "change", "delete", "view"),
        "practicalcheck": ("view",),
        "lessonprogress": ("view",),
    },
    "Department manager": {
        "trainingsession": ("view",),
        "enrollment": ("add", "view"),
        "attendance": ("view",),
        "completion": ("view",),
        "assignment": ("view",),
    },
}
MODEL_PERMISSIONS[TRAINING_MANAGER] = {
    **MODEL_PERMISSIONS["Trainer"],
    "trainingrule": ("add", "change", "view"),
}

# Page permissions on the two index pages (and so on every page below them).
PAGE_PERMISSIONS = {
    "Trainer": ("add_page", "change_page"),
    TRAINING_MANAGER: ("add_page", "change_page", "publish_page", "unlock_page"),
}
# Trainers and training managers put material in the document and image libraries.
COLLECTION_PERMISSIONS = (
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
)


def _add_child_page(apps, parent, model_name, title, slug, **fields):
    return add_child_page(apps, parent, "courses", model_name, title, slug, **fields)


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("courses")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    manager_group, _created = Group.objects.get_or_create(name=TRAINING_MANAGER)
    manager_group.permissions.add(admin_access)
    groups = {}
    for role, models in MODEL_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        groups[role] = group
        for model, actions in models.items():
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label="courses", codename=f"{action}_{model}"
                    )
                )

    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for role in ("Trainer", TRAINING_MANAGER):
            for app_label, codename in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[role],
                    collection=root_collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )

    HomePage = apps.get_model("lms", "HomePage")
    Page = apps.get_model("wagtailcore", "Page")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return
    home = Page.objects.get(pk=home.pk)
    plan_index = _add_child_page(
        apps, home, "TrainingPlanIndexPage", "培训计划", "training-plans", intro=""
    )
    course_index = _add_child_page(apps, home, "CourseIndexPage", "课程中心", "courses", intro="")

    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    for role, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            for page in (plan_index, course_index):
                GroupPagePermission.objects.get_or_create(
                    group=groups[role], page_id=page.pk, permission=permission
                )

    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    workflow = group_approval_workflow(
        apps,
        workflow_name="课程与培训计划发布审批",
        task_name="培训主管审批",
        groups=[groups[TRAINING_MANAGER]],
    )
    for page in (plan_index, course_index):
        WorkflowPage.objects.update_or_create(page_id=page.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("lms", "0002_roles_and_home_page"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
