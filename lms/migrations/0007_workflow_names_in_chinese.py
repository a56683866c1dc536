"""Names stored as data that the admin shows as they are (workflows, tasks, the home page and
the site): in Chinese, unless someone has renamed them already."""

from django.db import migrations

RENAMES = {
    "Moderators approval": "审核员审批",
    "Emergency plan approval": "应急预案审批",
    "Emergency plan review": "应急预案审核",
    "Grid Academy": "电网学院",
}


def rename(apps, schema_editor, renames):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for old, new in renames.items():
        Workflow.objects.filter(name=old).update(name=new)
        Task.objects.filter(name=old).update(name=new)
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    for old, new in renames.items():
        Page.objects.filter(depth=2, title=old).update(title=new)
        Page.objects.filter(depth=2, draft_title=old).update(draft_title=new)
        Site.objects.filter(site_name=old).update(site_name=new)


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0006_user_session"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, se: rename(apps, se, RENAMES),
            lambda apps, se: rename(apps, se, {new: old for old, new in RENAMES.items()}),
        )
    ]
