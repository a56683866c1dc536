"""Online lessons: opening and finishing them; the last lesson finished completes the course."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import Employee

from ..models import (
    Completion,
    CoursePage,
    Lesson,
    LessonProgress,
    TrainingError,
)
from ..scorm.services import lesson_scos_done
from ..video.services import lesson_videos_done
from ._common import _today
from .completions import completion_record


@transaction.atomic
def lesson_open(*, employee: Employee, lesson: Lesson) -> LessonProgress:
    """Record that the employee opened the lesson (the first time counts)."""
    progress, created = LessonProgress.objects.get_or_create(
        employee=employee, lesson=lesson, defaults={"opened_at": timezone.now()}
    )
    return progress


@transaction.atomic
def lesson_complete(*, employee: Employee, lesson: Lesson) -> LessonProgress:
    """Mark a lesson as studied. Only a lesson the employee has opened can be finished.

    Finishing the course's last lesson records an online completion of the course.
    """
    progress = (
        LessonProgress.objects.select_for_update().filter(employee=employee, lesson=lesson).first()
    )
    if progress is None:
        raise TrainingError(
            _("Open the lesson “%(lesson)s” and study it before marking it as done.")
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None and not lesson_scos_done(employee=employee, lesson=lesson):
        raise TrainingError(
            _(
                "Finish the SCORM modules of “%(lesson)s” first: "
                "the lesson counts once they are done."
            )
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None and not lesson_videos_done(employee=employee, lesson=lesson):
        raise TrainingError(
            _("Watch the videos of “%(lesson)s” first: the lesson counts once they are watched.")
            % {"lesson": lesson.title}
        )
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        course = CoursePage.objects.get(pk=lesson.course_id)
        lesson_ids = set(course.lessons.values_list("pk", flat=True))
        done_ids = set(
            LessonProgress.objects.filter(
                employee=employee, lesson_id__in=lesson_ids, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
        if lesson_ids and lesson_ids <= done_ids:
            completion_record(
                employee=employee,
                course=course,
                completed_on=_today(),
                source=Completion.Source.ONLINE,
            )
    return progress


def lesson_complete_when_tracked_done(*, employee: Employee, lesson: Lesson) -> bool:
    """Finish the lesson if every tracked item of it (SCORM modules, uploaded videos) is done
    by the employee; called when one of them becomes done. Returns whether it is finished."""
    if not (
        lesson_scos_done(employee=employee, lesson=lesson)
        and lesson_videos_done(employee=employee, lesson=lesson)
    ):
        return False
    lesson_open(employee=employee, lesson=lesson)
    lesson_complete(employee=employee, lesson=lesson)
    return True
