"""Commendation and rectification: issuing a record and following a rectification order up."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from ..models import Recognition


@transaction.atomic
def recognition_create(
    *,
    period,
    kind,
    employee,
    title,
    description="",
    deadline=None,
    acting_user=None,
):
    record = Recognition(
        period=period,
        kind=kind,
        employee=employee,
        title=title,
        description=description,
        deadline=deadline,
        issued_by=acting_user,
    )
    record.full_clean()
    record.save()
    log(record, "wagtail.create", user=acting_user)
    return record


@transaction.atomic
def rectification_follow_up(*, record, status, note="", acting_user=None):
    """Move a rectification order along open → in progress → rectified → verified."""
    record.set_follow_up(status)
    if note:
        stamp = timezone.localdate().isoformat()
        record.follow_up_note = f"{record.follow_up_note}\n{stamp} {note}".strip()
    record.save(update_fields=["follow_up", "follow_up_note"])
    log(record, "wagtail.edit", user=acting_user)
    return record
