"""Helpers for data migrations that create the site's fixed pages (the course centre, the
training plans, the emergency plan library) with historical models, where treebeard's
``add_child`` is not available."""

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _encode(number, width=4):
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(width, "0")


def add_child_page(apps, parent, app_label, model_name, title, slug, **fields):
    """Add a live page of ``app_label.model_name`` under ``parent`` (a historical Page), or
    return the one that exists already."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Model = apps.get_model(app_label, model_name)
    existing = Model.objects.first()
    if existing is not None:
        return existing
    siblings = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
    last = siblings.order_by("-path").first()
    step = int(last.path[-4:], 36) + 1 if last else 1
    if siblings.filter(slug=slug).exists():
        slug = f"{slug}-{step}"
    content_type, _created = ContentType.objects.get_or_create(
        app_label=app_label, model=model_name.lower()
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


def group_approval_workflow(apps, *, workflow_name, task_name, groups):
    """A one-step approval workflow whose task the members of ``groups`` approve."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    workflow = Workflow.objects.filter(name=workflow_name).first()
    if workflow is not None and WorkflowTask.objects.filter(workflow=workflow).exists():
        return workflow
    task_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.create(name=task_name, content_type=task_type, active=True)
    task.groups.set(groups)
    workflow = workflow or Workflow.objects.create(name=workflow_name, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow
