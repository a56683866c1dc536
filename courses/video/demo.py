"""The demo video lesson: a four-minute WebM (VP8) the project ships, built by
``demo_files/make_lesson_video.py``; seeding and the tests put it in the document library the
same way."""

from pathlib import Path

from django.core.files.base import ContentFile

VIDEO_FILE = Path(__file__).with_name("demo_files") / "lesson.webm"
VIDEO_SECONDS = 240


def video_bytes() -> bytes:
    return VIDEO_FILE.read_bytes()


def video_document(*, title: str = "安全规程讲解（演示视频）", user=None):
    """The demo video as a document of the library (made once, found by title after that)."""
    from wagtail.documents import get_document_model

    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title, uploaded_by_user=user)
        document.file.save("lesson.webm", ContentFile(video_bytes()), save=False)
        document.file_size = len(video_bytes())
        document.save()
    return document


def video_block(document, *, prevent_skipping: bool = True, caption: str = "") -> dict:
    """A lesson body block that plays ``document`` and tracks it."""
    return {
        "type": "video",
        "value": {
            "file": document.pk,
            "embed": None,
            "caption": caption,
            "prevent_skipping": prevent_skipping,
        },
    }


def watch_stretch(*, employee, lesson, block_id, start, end, began, duration=VIDEO_SECONDS):
    """Report watching ``start``–``end`` seconds as the player does: every report interval at
    the fastest rate credited, from the moment ``began``. Returns the moment it ends and the
    watch."""
    import datetime

    from django.conf import settings

    from . import services

    interval = settings.COURSES_VIDEO_REPORT_SECONDS
    step = interval * settings.COURSES_VIDEO_MAX_PLAYBACK_RATE
    at, position, watch = began, start, None
    while position < end:
        upto = min(position + step, end)
        at += datetime.timedelta(seconds=interval)
        watch = services.video_watch_report(
            employee=employee,
            lesson=lesson,
            block_id=block_id,
            payload={"duration": duration, "position": upto, "segments": [[position, upto]]},
            now=at,
        )
        position = upto
    return at, watch
