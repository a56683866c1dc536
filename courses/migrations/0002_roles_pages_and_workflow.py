"""Training roles and their permissions, the plan and course index pages, and the course
approval workflow (a trainer submits, a training manager approves)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _encode(number, width=4):
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(width, "0")


def _add_child_page(apps, parent, model_name, title, slug, **fields):
    """Add a live page under parent with historical models (treebeard is not available)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Model = apps.get_model("courses", model_name)
    existing = Model.objects.first()
    if existing is not None:
        return existing
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .first()
    )
    step = int(last.path[-4:], 36) + 1 if last else 1
    taken = set(
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).values_list(
            "slug", flat=True
        )
    )
    if slug in taken:
        slug = f"{slug}-{step}"
    content_type, _created = ContentType.objects.get_or_create(
        app_label="courses", model=model_name.lower()
    )
    page = Model.objects.create(
        title=title,
        draft_title=title,
        slug=slug,
        content_type=content_type,
        path=parent.path + _encode(step),
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{slug}/",
        locale_id=parent.locale_id,
        live=True,
        **fields,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    parent.numchild += 1
    return page


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

    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    task_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.create(
        name="培训主管审批", content_type=task_type, active=True
    )
    task.groups.set([groups[TRAINING_MANAGER]])
    workflow = Workflow.objects.create(name="课程与培训计划发布审批", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
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
