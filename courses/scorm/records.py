"""What SCORM study contributes to the training archive: online study hours per lesson."""

from django.utils.translation import gettext as _

from lms.hooks import ArchiveCategory, ArchiveEntry

from .services import lesson_study, study_hours


def archive_entries(employee, *, year=None):
    """One entry per lesson studied in SCORM packages: the packages' total time, capped by
    the lesson's nominal study time (HR's training-hours rule for the category converts it)."""
    entries = []
    for lesson, seconds, last_day in lesson_study(employee, year=year):
        if not seconds:
            continue
        entries.append(
            ArchiveEntry(
                date=last_day,
                category=ArchiveCategory.ONLINE_STUDY,
                title=f"{lesson.course.title} · {lesson.title}",
                detail=_("SCORM study time %(minutes)s min (counted up to %(limit)s min)")
                % {"minutes": seconds // 60, "limit": lesson.minutes},
                hours=study_hours(seconds, lesson.minutes),
                url=lesson.course.url or "",
                source="courses.scorm_attempt",
            )
        )
    return entries
