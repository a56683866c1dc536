"""Tracked video: storing what the player reports, completing the video and the lesson.

The player reports the stretches of the video it actually played (``[[start, end], …]`` in
seconds), every ``COURSES_VIDEO_REPORT_SECONDS`` while playing and on pause, seek, end and
leaving the page. The server keeps the union of everything reported (seconds watched twice
count once), credits new seconds only as fast as wall-clock time allows at
``COURSES_VIDEO_MAX_PLAYBACK_RATE`` (a token bucket, so many quick reports gain nothing), and,
for a video with "no skipping ahead", ignores any stretch that starts past the furthest point
watched from the start: the player snaps back, but
completion does not rely on the player. A video is done at ``COURSES_VIDEO_COMPLETION_PERCENT``;
the lesson is finished once all its tracked videos and SCORM modules are done.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.models import Employee

from ..models import Lesson
from .models import VideoWatch

# Stretches closer than this are one stretch: the player closes one and opens the next at the
# same instant, but rounding to a tenth of a second may leave a hair between them.
JOIN_GAP = 0.15
# How far past the furthest point watched a stretch may start and still join it when skipping
# ahead is not allowed (a seek the player made on its own, a report crossing a pause).
SKIP_TOLERANCE = 1.0
# The most separate stretches one watch keeps (an honest viewer has a handful).
MAX_STORED_SEGMENTS = 1000
# How far past the duration a reported second may lie (the browser's clock and its duration
# disagree by a frame or so).
END_TOLERANCE = 1.0


class ReportRefused(ValidationError):
    """A report that is not stored; ``status`` is the HTTP status the endpoint answers with."""

    def __init__(self, message, *, status=400, code="refused"):
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class TrackedVideo:
    """A video block of a lesson whose file is in the document library (so it can be tracked)."""

    block_id: str
    document: object
    caption: str
    prevent_skipping: bool


def tracked_videos(lesson: Lesson) -> list[TrackedVideo]:
    """The lesson's video blocks that play an uploaded file, in order. Embedded videos play on
    another site and report nothing, so they are not tracked."""
    videos = []
    for block in lesson.body:
        if block.block_type == "video" and block.value.get("file"):
            videos.append(
                TrackedVideo(
                    block_id=block.id,
                    document=block.value["file"],
                    caption=block.value.get("caption") or "",
                    prevent_skipping=bool(block.value.get("prevent_skipping")),
                )
            )
    return videos


# Intervals -------------------------------------------------------------------------------------


def merge_segments(segments) -> list[list[float]]:
    """The union of ``[start, end]`` stretches as sorted, disjoint stretches (stretches that
    overlap or touch, within ``JOIN_GAP``, become one); empty stretches are dropped."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in segments if e > s):
        if merged and start <= merged[-1][1] + JOIN_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(start, 1), round(end, 1)] for start, end in merged]


def segments_length(segments) -> float:
    return sum(end - start for start, end in segments)


def subtract_segments(segments, covered) -> list[list[float]]:
    """The parts of ``segments`` (sorted, disjoint) not in ``covered`` (sorted, disjoint)."""
    pieces = []
    for start, end in segments:
        cursor = start
        for c_start, c_end in covered:
            if c_end <= cursor or c_start >= end:
                continue
            if c_start > cursor:
                pieces.append([cursor, c_start])
            cursor = max(cursor, c_end)
            if cursor >= end:
                break
        if cursor < end:
            pieces.append([cursor, end])
    return pieces


def furthest_from_start(segments) -> float:
    """The end of the stretch watched from the beginning (0 when the start is unwatched)."""
    if segments and segments[0][0] <= JOIN_GAP:
        return segments[0][1]
    return 0.0


# Reports ---------------------------------------------------------------------------------------


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportRefused(_("%(field)s is not a number.") % {"field": name})
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ReportRefused(_("%(field)s is not a finite number.") % {"field": name})
    return number


@dataclass(frozen=True)
class Report:
    duration: float
    position: float
    segments: list[list[float]]


def clean_report(payload) -> Report:
    """The report as numbers, or ``ReportRefused`` naming the first field that is wrong."""
    if not isinstance(payload, dict):
        raise ReportRefused(_("The report is not a JSON object."))
    duration = _number(payload.get("duration"), "duration")
    if not 0 < duration <= settings.COURSES_VIDEO_MAX_SECONDS:
        raise ReportRefused(
            _("duration must be above 0 and at most %(limit)s seconds.")
            % {"limit": settings.COURSES_VIDEO_MAX_SECONDS}
        )
    position = _number(payload.get("position", 0), "position")
    if not 0 <= position <= duration + END_TOLERANCE:
        raise ReportRefused(_("position lies outside the video."))
    raw = payload.get("segments", [])
    if not isinstance(raw, list):
        raise ReportRefused(_("segments is not a list."))
    if len(raw) > settings.COURSES_VIDEO_REPORT_MAX_SEGMENTS:
        raise ReportRefused(
            _("The report carries %(count)s segments; at most %(limit)s are accepted.")
            % {"count": len(raw), "limit": settings.COURSES_VIDEO_REPORT_MAX_SEGMENTS}
        )
    segments = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, list) or len(item) != 2:
            raise ReportRefused(
                _("Segment %(number)s is not a pair [start, end].") % {"number": index}
            )
        start = _number(item[0], _("start of segment %(number)s") % {"number": index})
        end = _number(item[1], _("end of segment %(number)s") % {"number": index})
        if not 0 <= start <= end <= duration + END_TOLERANCE:
            raise ReportRefused(
                _("Segment %(number)s (%(start)s–%(end)s) lies outside the video.")
                % {"number": index, "start": item[0], "end": item[1]}
            )
        segments.append([start, min(end, duration)])
    return Report(duration=duration, position=min(position, duration), segments=segments)


def _no_skipping(segments, stored) -> list[list[float]]:
    """The reported stretches that do not start past the furthest point watched from the
    start (each accepted stretch moves that point on; one within ``SKIP_TOLERANCE`` of it is
    joined to it)."""
    furthest = furthest_from_start(stored)
    accepted = []
    for start, end in sorted(segments):
        if start > furthest + SKIP_TOLERANCE:
            continue
        start = min(start, furthest)
        accepted.append([start, end])
        furthest = max(furthest, end)
    return accepted


def _within_budget(pieces, budget: float) -> list[list[float]]:
    """New stretches in order of time, cut off once ``budget`` seconds are used."""
    kept = []
    for start, end in pieces:
        if budget <= 0:
            break
        end = min(end, start + budget)
        kept.append([start, end])
        budget -= end - start
    return kept


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def video_watch_report(
    *, employee: Employee, lesson: Lesson, block_id: str, payload, now=None
) -> VideoWatch:
    """Store one report of the player for the employee's watching of a video of the lesson.

    The watch row is locked first, so two reports (a retry, a second tab) are merged one after
    the other and neither loses the other's stretches. Returns the watch; finishing the video
    may finish the lesson (and so the course).
    """
    report = clean_report(payload)
    video = next((v for v in tracked_videos(lesson) if v.block_id == block_id), None)
    if video is None:
        raise ReportRefused(_("This lesson has no such tracked video."), status=404, code="missing")
    now = now or timezone.now()
    watch = (
        VideoWatch.objects.select_for_update()
        .filter(employee=employee, lesson=lesson, block_id=block_id)
        .first()
    )
    rate = settings.COURSES_VIDEO_MAX_PLAYBACK_RATE
    # The bucket holds two report intervals at the fastest rate: one for the interval a report
    # covers, one for a report that comes late (a slow network, a throttled tab).
    capacity = 2 * settings.COURSES_VIDEO_REPORT_SECONDS * rate
    if watch is None:
        watch = VideoWatch(
            employee=employee,
            lesson=lesson,
            block_id=block_id,
            document=video.document,
            duration=_decimal(report.duration),
            started_at=now,
            updated_at=now,
        )
        budget = capacity
    else:
        elapsed = max((now - watch.updated_at).total_seconds(), 0)
        budget = min(float(watch.allowance) + elapsed * rate, capacity)
    # The duration the browser gave first stays: a video whose file changes length is a new
    # video only for new learners (docs/online-study.md).
    duration = float(watch.duration)
    stored = [list(map(float, segment)) for segment in watch.segments]
    reported = [[start, min(end, duration)] for start, end in report.segments if start < duration]
    if video.prevent_skipping:
        reported = _no_skipping(reported, stored)
    new = _within_budget(subtract_segments(merge_segments(reported), stored), budget)
    segments = merge_segments(stored + new)
    if len(segments) > len(stored) and len(segments) > MAX_STORED_SEGMENTS:
        # Thousands of scattered slivers are no way to watch a video, only a way to bloat
        # the row: past the limit, a report that would add more is refused.
        raise ReportRefused(
            _("What was watched of this video is split into more than %(limit)s stretches.")
            % {"limit": MAX_STORED_SEGMENTS}
        )
    watch.segments = segments
    watch.allowance = _decimal(max(budget - segments_length(new), 0))
    watched = min(segments_length(watch.segments), duration)
    watch.watched_seconds = _decimal(watched)
    watch.percent = min(_decimal(100 * watched / duration), Decimal(100))
    position = min(report.position, duration)
    if video.prevent_skipping:
        position = min(position, furthest_from_start(watch.segments))
    watch.position = _decimal(position)
    watch.updated_at = now
    was_done = watch.is_done
    if not was_done and watch.percent >= settings.COURSES_VIDEO_COMPLETION_PERCENT:
        watch.completed_at = now
    watch.full_clean(exclude=["employee", "lesson", "document"])
    watch.save()
    if watch.is_done and not was_done:
        from .. import services as course_services

        # Reports themselves are the hot path and are not logged; finishing a video is a result.
        log(
            watch,
            "courses.video_watched",
            user=employee.user,
            data={"lesson": lesson.pk, "percent": str(watch.percent)},
        )

        course_services.lesson_complete_when_tracked_done(employee=employee, lesson=lesson)
    return watch


def lesson_videos_done(*, employee: Employee, lesson: Lesson) -> bool:
    """Whether the employee has watched every tracked video of the lesson (True without any)."""
    block_ids = {video.block_id for video in tracked_videos(lesson)}
    if not block_ids:
        return True
    done = set(
        VideoWatch.objects.filter(
            employee=employee, lesson=lesson, block_id__in=block_ids, completed_at__isnull=False
        ).values_list("block_id", flat=True)
    )
    return block_ids <= done


def lesson_watches(*, employee: Employee, lesson: Lesson) -> dict[str, VideoWatch]:
    """The employee's watches of the lesson's videos, by block id."""
    return {
        watch.block_id: watch
        for watch in VideoWatch.objects.filter(employee=employee, lesson=lesson)
    }


def lesson_video_study(employee: Employee):
    """(lesson, unique seconds watched, last day) per lesson whose videos the employee watched."""
    lessons = {}
    watches = VideoWatch.objects.filter(employee=employee, watched_seconds__gt=0).select_related(
        "lesson__course"
    )
    for watch in watches:
        day = timezone.localtime(watch.updated_at).date()
        lesson, seconds, last = lessons.get(watch.lesson_id, (watch.lesson, 0, day))
        lessons[watch.lesson_id] = (lesson, seconds + int(watch.watched_seconds), max(day, last))
    return list(lessons.values())
