"""After the page editor saves an emergency plan (Wagtail's ``after_create_page`` and
``after_edit_page``): the revision note and the actions it closes; the plan library's workflow."""

from ..models import (
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
)


def record_plan_revision_note(request, page):
    """After the page editor saved a plan revision, record its reason and the actions it closes."""
    from .. import services

    if isinstance(page, EmergencyPlanIndexPage):
        from wagtail.models import WorkflowPage

        if not WorkflowPage.objects.filter(page=page).exists():
            WorkflowPage.objects.create(page=page, workflow=services.plan_workflow_ensure())
        return None
    if not isinstance(page, EmergencyPlanPage):
        return None
    note = getattr(page, "_revision_note", None)
    if not note or not note["reason"] or page.latest_revision is None:
        return None
    services.plan_revision_note_record(
        plan=page,
        revision=page.latest_revision,
        reason=note["reason"],
        explanation=note["explanation"],
        actions=note["actions"],
        acting_user=request.user,
    )
    return None
