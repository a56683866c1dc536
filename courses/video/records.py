"""What watching tracked videos contributes to the training archive: online study hours."""

from django.utils.translation import gettext as _

from lms.hooks import ArchiveCategory, ArchiveEntry, ArchiveOutcome

from ..models import Completion
from ..scorm.services import lesson_study as scorm_lesson_study
from ..scorm.services import study_hours
from .services import lesson_video_study


def archive_entries(employee, *, year=None):
    """One entry per lesson whose videos the employee watched: the unique seconds watched
    (a stretch watched twice counts once), capped by what the lesson's nominal study time
    leaves after its SCORM time, so a lesson's online study never earns more than its
    nominal time, and marked as study of a completed course where the employee has completed
    it (by default the rule then credits nothing: the completion's hours cover it). HR's rule
    for the category converts it (docs/online-study.md)."""
    completed = set(
        Completion.objects.filter(employee=employee).values_list("course_id", flat=True)
    )
    scorm_seconds = {lesson.pk: seconds for lesson, seconds, _day in scorm_lesson_study(employee)}
    covered = _("counted in the course's completion")
    entries = []
    for lesson, seconds, last_day in lesson_video_study(employee):
        if year is not None and last_day.year != year:
            continue
        limit = max(lesson.minutes * 60 - scorm_seconds.get(lesson.pk, 0), 0)
        hours = study_hours(min(seconds, limit), lesson.minutes)
        entries.append(
            ArchiveEntry(
                date=last_day,
                category=ArchiveCategory.ONLINE_STUDY,
                title=f"{lesson.course.title} · {lesson.title}",
                detail=_("Video watched %(minutes)s min (counted up to %(limit)s min)")
                % {"minutes": seconds // 60, "limit": limit // 60}
                + (f" · {covered}" if lesson.course_id in completed else ""),
                hours=hours,
                url=lesson.course.url or "",
                source="courses.video_watch",
                outcome=(
                    ArchiveOutcome.STUDY_IN_COMPLETED_COURSE
                    if lesson.course_id in completed
                    else ""
                ),
            )
        )
    return entries
