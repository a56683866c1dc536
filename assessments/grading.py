"""Which answers wait for a grader: the grading queue and the trainer's workbench count it alike."""

from django.db.models import Q

from .models import Attempt, AttemptItem


def grading_queue(user, *, everyone: bool = False):
    """Answers that need a trainer's grade, in submitted attempts: of the user's own exams (and
    those nobody owns), or of every exam when ``everyone``."""
    queue = AttemptItem.objects.filter(
        needs_manual=True, score__isnull=True, attempt__status=Attempt.Status.SUBMITTED
    )
    if not everyone:
        queue = queue.filter(
            Q(attempt__exam__created_by=user) | Q(attempt__exam__created_by__isnull=True)
        )
    return queue
