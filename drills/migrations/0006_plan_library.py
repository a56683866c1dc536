"""The emergency plan library (应急预案库) exists on every installation, not only where the demo
or a test created it: signed-in staff only, under the plan approval workflow, coordinators
write plans in it and department heads approve (approval publishes)."""

from django.db import migrations

from lms.migration_pages import add_child_page, group_approval_workflow

# As drills.services names them (a migration keeps its own copy of what it wrote).
WORKFLOW_NAME = "应急预案审批"
TASK_NAME = "应急预案审核"
COORDINATOR = "Drill coordinator"
MANAGER = "Department manager"
PAGE_PERMISSIONS = {
    COORDINATOR: ("add_page", "change_page"),
    MANAGER: ("change_page", "publish_page"),
}


def forwards(apps, schema_editor):
    HomePage = apps.get_model("lms", "HomePage")
    Page = apps.get_model("wagtailcore", "Page")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return
    index = add_child_page(
        apps,
        Page.objects.get(pk=home.pk),
        "drills",
        "EmergencyPlanIndexPage",
        "应急预案库",
        "plans",
        intro="",
    )
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    PageViewRestriction.objects.get_or_create(page_id=index.pk, restriction_type="login")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in PAGE_PERMISSIONS}
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    for role, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[role],
                page_id=index.pk,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    workflow = group_approval_workflow(
        apps, workflow_name=WORKFLOW_NAME, task_name=TASK_NAME, groups=[groups[MANAGER]]
    )
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0005_protect_records"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
