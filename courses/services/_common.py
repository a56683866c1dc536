"""What several training services share: today's date, and saving completions (which closes
the assignments they fulfil and tells the apps that listen)."""

from django.utils import timezone

from ..hooks import completions_recorded
from ..models import (
    Assignment,
    Completion,
)


def _today():
    return timezone.localdate()


def _completions_save(completions: list[Completion]):
    """Save completions and close the open assignments they fulfil (fixed query count)."""
    if not completions:
        return []
    for completion in completions:
        completion.full_clean(exclude=["employee", "course", "session"], validate_constraints=False)
    Completion.objects.bulk_create(completions, batch_size=500)
    if not all(c.pk for c in completions):  # backends that do not return primary keys
        raise RuntimeError("The database did not return the new completions' keys.")
    by_pair = {(c.employee_id, c.course_id): c for c in completions}
    open_assignments = list(
        Assignment.objects.open().filter(
            employee_id__in={c.employee_id for c in completions},
            course_id__in={c.course_id for c in completions},
        )
    )
    closed = []
    for assignment in open_assignments:
        completion = by_pair.get((assignment.employee_id, assignment.course_id))
        if completion is not None:
            assignment.completion = completion
            closed.append(assignment)
    Assignment.objects.bulk_update(closed, ["completion"], batch_size=500)
    completions_recorded(completions)
    return completions
