"""The endpoint the tracked video player reports to, and the lesson page's player settings."""

import json
import mimetypes
import re
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.media import private_file_response
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


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def _chunks(handle, length):
    try:
        while length > 0:
            data = handle.read(min(_CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(request, file, *, content_type: str):
    """The file, or the one byte range the request asks for (206): a browser can seek in a
    video only when its server answers ranges, which Django's own file responses do not."""
    size = file.size
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or not (match[1] or match[2]):
        response = FileResponse(file.open("rb"), content_type=content_type)
    else:
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:
            start, end = max(size - int(match[2]), 0), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle = file.open("rb")
        handle.seek(start)
        response = StreamingHttpResponse(
            _chunks(handle, end - start + 1),
            status=HTTPStatus.PARTIAL_CONTENT,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def video_file(request, pk, block_id):
    """A tracked video's file, for employees studying the lesson, with byte ranges (seeking).
    On S3 or behind nginx (``MEDIA_ACCEL_REDIRECT``) the storage or nginx sends the bytes and
    answers the ranges itself."""
    if get_employee(request.user) is None:
        raise Http404(_("Only employees have a learning record."))
    lesson = Lesson.objects.select_related("course").filter(pk=pk).first()
    if lesson is None or not lesson.course.live:
        raise Http404
    video = next((v for v in services.tracked_videos(lesson) if v.block_id == block_id), None)
    if video is None:
        raise Http404
    file = video.document.file
    if settings.MEDIA_STORAGE == "s3" or settings.MEDIA_ACCEL_REDIRECT:
        return private_file_response(file)
    try:
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return ranged_file_response(request, file, content_type=content_type)
    except (FileNotFoundError, OSError):
        raise Http404 from None


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
            "fileUrl": reverse("courses:video_file", args=[lesson.pk, video.block_id]),
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
