"""The endpoint the tracked video player reports to, and the lesson page's player settings."""

import json
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.roles import get_employee

from ..models import Lesson
from . import services

# A report is a few numbers and at most COURSES_VIDEO_REPORT_MAX_SEGMENTS pairs of them.
REPORT_MAX_BYTES = 64 * 1024


def _answer(status=HTTPStatus.OK, **body):
    return JsonResponse(body, status=status)


def _watch_summary(watch) -> dict:
    return {
        "ok": True,
        "percent": float(watch.percent),
        "watched": float(watch.watched_seconds),
        "furthest": services.furthest_from_start(watch.segments),
        "done": watch.is_done,
        "lessonDone": watch.lesson.progress.filter(
            employee=watch.employee, completed_at__isnull=False
        ).exists(),
    }


@require_POST
def report(request, pk, block_id):
    """Store what the player played: ``{"duration": s, "position": s, "segments": [[a, b]…]}``."""
    employee = get_employee(request.user)
    if employee is None:
        return _answer(HTTPStatus.FORBIDDEN, ok=False, error=_("Sign in as an employee."))
    lesson = Lesson.objects.select_related("course").filter(pk=pk).first()
    if lesson is None or not lesson.course.live:
        return _answer(HTTPStatus.NOT_FOUND, ok=False, error=_("There is no such lesson."))
    if len(request.body) > REPORT_MAX_BYTES:
        return _answer(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            ok=False,
            error=_("The report is larger than %(limit)s bytes.") % {"limit": REPORT_MAX_BYTES},
        )
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _answer(HTTPStatus.BAD_REQUEST, ok=False, error=_("The report is not JSON."))
    try:
        watch = services.video_watch_report(
            employee=employee, lesson=lesson, block_id=block_id, payload=payload
        )
    except services.ReportRefused as refusal:
        return _answer(refusal.status, ok=False, error=" ".join(refusal.messages))
    return _answer(**_watch_summary(watch))


def lesson_players(*, employee, lesson) -> dict[str, dict]:
    """Per tracked video block id: what its player starts from (the JSON the page carries)."""
    videos = services.tracked_videos(lesson)
    if not videos:
        return {}
    watches = services.lesson_watches(employee=employee, lesson=lesson)
    players = {}
    for video in videos:
        watch = watches.get(video.block_id)
        players[video.block_id] = {
            "reportUrl": reverse("courses:video_report", args=[lesson.pk, video.block_id]),
            "segments": watch.segments if watch else [],
            "position": float(watch.position) if watch else 0,
            "percent": float(watch.percent) if watch else 0,
            "done": bool(watch and watch.is_done),
            "preventSkipping": video.prevent_skipping,
            "reportSeconds": settings.COURSES_VIDEO_REPORT_SECONDS,
            "maxRate": settings.COURSES_VIDEO_MAX_PLAYBACK_RATE,
            "completionPercent": settings.COURSES_VIDEO_COMPLETION_PERCENT,
        }
    return players
