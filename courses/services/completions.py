"""Completions recorded one by one (online, attended, by hand) or imported from a spreadsheet."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.models import Employee

from ..models import (
    Completion,
    CoursePage,
    TrainingError,
    TrainingSession,
)
from ._common import _completions_save, _today


@transaction.atomic
def completion_record(
    *,
    employee: Employee,
    course: CoursePage,
    completed_on: datetime.date,
    source: str,
    hours: Decimal | None = None,
    credits: Decimal | None = None,
    session: TrainingSession | None = None,
    provider: str = "",
    note: str = "",
    acting_user=None,
) -> Completion:
    """Record that the employee completed the course; open assignments for it are done."""
    if completed_on > _today():
        raise TrainingError(_("A completion cannot be dated in the future."))
    completion = Completion(
        employee=employee,
        course=course,
        completed_on=completed_on,
        hours=course.hours if hours is None else hours,
        credits=course.credits if credits is None else credits,
        source=source,
        session=session,
        provider=provider,
        note=note,
    )
    completion.full_clean()
    _completions_save([completion])
    log(completion, "wagtail.create", user=acting_user)
    return completion


@transaction.atomic
def completions_import(*, completions: list[Completion], acting_user=None) -> list[Completion]:
    """Save validated external training records (used by the spreadsheet import)."""
    for completion in completions:
        completion.source = Completion.Source.EXTERNAL
    _completions_save(completions)
    for completion in completions:
        log(completion, "wagtail.create", user=acting_user, data={"via": "import"})
    return completions
