"""What SCORM study contributes to the training archive: online study hours per lesson."""

from django.utils.translation import gettext as _

from lms.hooks import ArchiveCategory, ArchiveEntry, ArchiveOutcome

from ..models import Completion
from .services import lesson_study, study_hours


def archive_entries(employee, *, year=None):
    """One entry per lesson studied in SCORM packages: the packages' total time, capped by
    the lesson's nominal study time (HR's training-hours rule for the category converts it).
    Study of a course the employee has completed is marked so: by default the rule credits it
    nothing, since the completion's hours cover it (docs/online-study.md)."""
    completed = set(
        Completion.objects.filter(employee=employee).values_list("course_id", flat=True)
    )
    covered = _("counted in the course's completion")
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
                % {"minutes": seconds // 60, "limit": lesson.minutes}
                + (f" · {covered}" if lesson.course_id in completed else ""),
                hours=study_hours(seconds, lesson.minutes),
                url=lesson.course.url or "",
                source="courses.scorm_attempt",
                outcome=(
                    ArchiveOutcome.STUDY_IN_COMPLETED_COURSE
                    if lesson.course_id in completed
                    else ""
                ),
            )
        )
    return entries
