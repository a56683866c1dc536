"""Tracked video: the union of watched stretches, hostile reports, completion at the threshold,
lessons that count only once their videos (and SCOs) are done, and the hours they earn in the
archive and ledger (issue #19 §2, §3)."""

import datetime
import json
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import Completion, LessonProgress
from courses.scorm import services as scorm_services
from courses.scorm.demo import scorm12_package
from courses.video import services
from courses.video.demo import video_block, video_document, watch_stretch
from courses.video.models import VideoWatch
from courses.video.services import (
    ReportRefused,
    clean_report,
    merge_segments,
    subtract_segments,
)
from lms.hooks import ArchiveCategory, archive_entries
from tests.conftest import login, with_session
from tests.factories import courses as coursef

# --- intervals (no database) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "union"),
    [
        ([], []),
        ([[0, 10]], [[0, 10]]),
        ([[5, 10], [0, 6]], [[0, 10]]),  # unsorted, overlapping
        ([[0, 10], [10, 20]], [[0, 20]]),  # touching
        ([[0, 10], [10.1, 20]], [[0, 20]]),  # a hair apart (rounding)
        ([[0, 10], [12, 20]], [[0, 10], [12, 20]]),  # a gap stays a gap
        ([[0, 30], [5, 10], [12, 20]], [[0, 30]]),  # nested
        ([[3, 3], [4, 2]], []),  # empty and reversed stretches count for nothing
        ([[0.04, 1.26], [1.26, 2.56]], [[0.0, 2.6]]),
    ],
)
def test_merge_segments_is_the_union(segments, union):
    assert merge_segments(segments) == union


def test_subtract_segments_leaves_only_what_is_new():
    covered = [[0, 10], [20, 30]]
    assert subtract_segments([[5, 25]], covered) == [[10, 20]]
    assert subtract_segments([[0, 10]], covered) == []
    assert subtract_segments([[28, 40], [50, 60]], covered) == [[30, 40], [50, 60]]


HOSTILE = {
    "not an object": ([[0, 1]], "not a JSON object"),
    "duration missing": ({"segments": []}, "duration is not a number"),
    "duration as text": ({"duration": "240", "segments": []}, "duration is not a number"),
    "duration true": ({"duration": True, "segments": []}, "duration is not a number"),
    "duration NaN": ({"duration": float("nan"), "segments": []}, "not a finite number"),
    "duration infinite": ({"duration": float("inf"), "segments": []}, "not a finite number"),
    "duration huge int": ({"duration": 10**400, "segments": []}, "not a finite number"),
    "duration zero": ({"duration": 0, "segments": []}, "above 0"),
    "duration a year": ({"duration": 365 * 86400, "segments": []}, "at most"),
    "position negative": ({"duration": 60, "position": -5, "segments": []}, "position"),
    "position past the end": ({"duration": 60, "position": 600, "segments": []}, "position"),
    "segments not a list": ({"duration": 60, "segments": "0-60"}, "segments is not a list"),
    "segment not a pair": ({"duration": 60, "segments": [[1, 2, 3]]}, "Segment 1 is not"),
    "segment an object": ({"duration": 60, "segments": [{"a": 1}]}, "Segment 1 is not"),
    "segment of text": ({"duration": 60, "segments": [["0", "5"]]}, "start of segment 1"),
    "segment null": ({"duration": 60, "segments": [[0, None]]}, "end of segment 1"),
    "segment reversed": ({"duration": 60, "segments": [[0, 5], [9, 3]]}, "Segment 2 (9–3)"),
    "segment negative": ({"duration": 60, "segments": [[-10, 5]]}, "lies outside"),
    "segment past the end": ({"duration": 60, "segments": [[0, 6000]]}, "lies outside"),
    "too many segments": (
        {"duration": 60, "segments": [[i / 10, i / 10 + 0.05] for i in range(201)]},
        "at most 200",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_reports_are_refused_naming_the_field(case):
    payload, message = HOSTILE[case]
    with pytest.raises(ReportRefused) as refused:
        clean_report(payload)
    assert message in refused.value.messages[0]
    assert refused.value.status == HTTPStatus.BAD_REQUEST


def test_a_good_report_is_cleaned_and_clipped_to_the_duration():
    report = clean_report({"duration": 60, "position": 60.5, "segments": [[0, 60.4], [1, 2]]})
    assert report.segments == [[0.0, 60.0], [1.0, 2.0]] and report.position == 60


# --- service -----------------------------------------------------------------------------------


@pytest.fixture
def video_course(db):
    document = video_document()
    return coursef.course(
        lessons=2, hours=Decimal("2.0"), minutes=15, extra_blocks=[video_block(document)]
    )


@pytest.fixture
def lesson(video_course):
    return video_course.lessons.order_by("sort_order").first()


@pytest.fixture
def block_id(lesson):
    (video,) = services.tracked_videos(lesson)
    return video.block_id


T0 = timezone.make_aware(datetime.datetime(2026, 6, 1, 9, 0))


def _report(employee, lesson, block_id, segments, *, at, duration=240, position=None):
    return services.video_watch_report(
        employee=employee,
        lesson=lesson,
        block_id=block_id,
        payload={
            "duration": duration,
            "position": position if position is not None else (segments[-1][1] if segments else 0),
            "segments": segments,
        },
        now=T0 + datetime.timedelta(seconds=at),
    )


def _watch(employee, lesson, block_id, end, *, at):
    """Watch from the start to ``end`` as the player reports it, finishing at ``at``."""
    interval = settings.COURSES_VIDEO_REPORT_SECONDS
    reports = -(-end // (interval * settings.COURSES_VIDEO_MAX_PLAYBACK_RATE))
    began = T0 + datetime.timedelta(seconds=at - reports * interval)
    _at, watch = watch_stretch(
        employee=employee, lesson=lesson, block_id=block_id, start=0, end=end, began=began
    )
    return watch


@pytest.mark.django_db
def test_only_uploaded_files_are_tracked(lesson):
    lesson.body.append(("video", {"embed": None, "file": None, "caption": "x"}))
    videos = services.tracked_videos(lesson)
    assert len(videos) == 1 and videos[0].prevent_skipping is True


@pytest.mark.django_db
def test_watched_twice_counts_once_and_resume_position_is_kept(people, lesson, block_id):
    employee = people["employee"]
    _report(employee, lesson, block_id, [[0, 10]], at=10)
    _report(employee, lesson, block_id, [[10, 20]], at=20)
    # Watching 0–20 again adds nothing.
    watch = _report(employee, lesson, block_id, [[0, 20]], at=60, position=12)
    assert watch.segments == [[0.0, 20.0]]
    assert watch.watched_seconds == Decimal("20.0")
    assert watch.percent == Decimal("8.3")
    assert watch.position == Decimal("12.0")
    assert VideoWatch.objects.get().document.title.startswith("安全规程")


@pytest.mark.django_db
def test_seconds_cannot_come_faster_than_the_clock_allows(people, lesson, block_id, settings):
    settings.COURSES_VIDEO_REPORT_SECONDS = 10
    settings.COURSES_VIDEO_MAX_PLAYBACK_RATE = 2
    employee = people["employee"]
    # A first report may carry two intervals at double speed: 40 s.
    watch = _report(employee, lesson, block_id, [[0, 240]], at=0)
    assert watch.watched_seconds == Decimal("40.0")
    # Five seconds later, five seconds at double speed more.
    watch = _report(employee, lesson, block_id, [[0, 240]], at=5)
    assert watch.watched_seconds == Decimal("50.0")
    assert watch.segments == [[0.0, 50.0]]
    # Posting again and again at once gains nothing: the allowance is spent.
    for _ in range(20):
        watch = _report(employee, lesson, block_id, [[0, 240]], at=5)
    assert watch.watched_seconds == Decimal("50.0")
    # An honest viewer at double speed, reporting every ten seconds, loses nothing, and a
    # report that comes late is covered too.
    for at, end in ((15, 70), (25, 90), (45, 130)):
        watch = _report(employee, lesson, block_id, [[50, end]], at=at)
        assert watch.watched_seconds == end
    # After a long pause the allowance is full again, but no fuller.
    watch = _report(employee, lesson, block_id, [[130, 240]], at=86_400)
    assert watch.watched_seconds == Decimal("170.0")


@pytest.mark.django_db
def test_no_skipping_ignores_what_starts_past_the_furthest_point(people, lesson, block_id):
    employee = people["employee"]
    _report(employee, lesson, block_id, [[0, 20]], at=20)
    # A stretch from 100 (a seek the player should have stopped) does not count; one that
    # carries on from 20 does.
    watch = _report(employee, lesson, block_id, [[100, 110], [20, 30]], at=40, position=110)
    assert watch.segments == [[0.0, 30.0]]
    assert watch.position == Decimal("30.0")  # resume no further than what was watched


@pytest.mark.django_db
def test_without_the_option_every_stretch_counts(people, db):
    course = coursef.course(
        lessons=1, extra_blocks=[video_block(video_document(), prevent_skipping=False)]
    )
    lesson = course.lessons.get()
    (video,) = services.tracked_videos(lesson)
    watch = _report(people["employee"], lesson, video.block_id, [[100, 110]], at=30)
    assert watch.segments == [[100.0, 110.0]]


@pytest.mark.django_db
@pytest.mark.parametrize(("threshold", "watched", "done"), [(95, 227, False), (95, 228, True),
                                                            (50, 120, True)])  # fmt: skip
def test_a_video_is_done_at_the_threshold(
    people, lesson, block_id, settings, threshold, watched, done
):
    settings.COURSES_VIDEO_COMPLETION_PERCENT = threshold
    employee = people["employee"]
    watch = _watch(employee, lesson, block_id, watched, at=watched)
    assert watch.is_done is done
    from wagtail.models import ModelLogEntry

    logged = ModelLogEntry.objects.filter(action="courses.video_watched", object_id=str(watch.pk))
    assert logged.count() == (1 if done else 0)
    # 227 / 240 = 94.6 %, 228 / 240 = 95 %.
    assert watch.percent == Decimal(str(round(100 * watched / 240, 1)))


@pytest.mark.django_db
def test_the_lesson_counts_only_once_its_video_is_watched(client, people, lesson, block_id):
    employee = people["employee"]
    login(client, employee)
    client.get(reverse("courses:lesson", args=[lesson.pk]))
    response = client.post(reverse("courses:lesson_done", args=[lesson.pk]), follow=True)
    assert "Watch the videos" in response.content.decode()
    _watch(employee, lesson, block_id, 120, at=120)
    assert LessonProgress.objects.get(employee=employee, lesson=lesson).completed_at is None
    watch_stretch(
        employee=employee,
        lesson=lesson,
        block_id=block_id,
        start=120,
        end=240,
        began=T0 + datetime.timedelta(seconds=120),
    )
    assert LessonProgress.objects.get(employee=employee, lesson=lesson).completed_at is not None
    # The second lesson is ticked off by hand as before; then the course is complete.
    second = lesson.course.lessons.order_by("sort_order").last()
    client.get(reverse("courses:lesson", args=[second.pk]))
    client.post(reverse("courses:lesson_done", args=[second.pk]))
    assert Completion.objects.filter(employee=employee, course=lesson.course).exists()


@pytest.mark.django_db
def test_a_lesson_with_a_video_and_a_sco_needs_both(people, lesson, block_id, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    employee = people["employee"]
    package = scorm_services.package_upload(
        upload=SimpleUploadedFile("p.zip", scorm12_package()), lesson=lesson
    )
    _watch(employee, lesson, block_id, 240, at=240)
    assert not LessonProgress.objects.filter(employee=employee, completed_at__isnull=False)
    attempt = scorm_services.attempt_launch(employee=employee, sco=package.scos.get())
    scorm_services.attempt_commit(
        attempt_id=attempt.pk,
        employee=employee,
        seq=1,
        cmi={"cmi.core.lesson_status": "passed", "cmi.core.session_time": "0000:02:00"},
    )
    assert LessonProgress.objects.get(employee=employee, lesson=lesson).completed_at is not None
    # Online study of the lesson: 2 min of SCORM + 4 min of video, within its 15 minutes.
    entries = archive_entries(employee, categories=[ArchiveCategory.ONLINE_STUDY])
    assert sorted((e.source, e.hours) for e in entries) == [
        ("courses.scorm_attempt", Decimal("0.0")),
        ("courses.video_watch", Decimal("0.1")),
    ]


@pytest.mark.django_db
def test_video_hours_are_capped_by_what_scorm_left_of_the_lesson(people, db, settings, tmp_path):
    """The lesson's nominal 10 minutes hold 8 minutes of SCORM time: the video, watched for 4,
    earns only the 2 left (the same study is not counted twice)."""
    settings.MEDIA_ROOT = tmp_path
    course = coursef.course(lessons=1, minutes=10, extra_blocks=[video_block(video_document())])
    lesson = course.lessons.get()
    (video,) = services.tracked_videos(lesson)
    employee = people["employee"]
    package = scorm_services.package_upload(
        upload=SimpleUploadedFile("p.zip", scorm12_package()), lesson=lesson
    )
    attempt = scorm_services.attempt_launch(employee=employee, sco=package.scos.get())
    scorm_services.attempt_commit(
        attempt_id=attempt.pk,
        employee=employee,
        seq=1,
        cmi={"cmi.core.lesson_status": "incomplete", "cmi.core.session_time": "0000:08:00"},
    )
    _watch(employee, lesson, video.block_id, 240, at=240)
    (entry,) = [
        e
        for e in archive_entries(employee, categories=[ArchiveCategory.ONLINE_STUDY])
        if e.source == "courses.video_watch"
    ]
    assert entry.hours == Decimal("0.0")  # 2 min = 0.03 h
    assert "counted up to 2 min" in entry.detail


@pytest.mark.django_db
def test_archive_rows_add_up_to_the_ledger_with_video_hours(client, people, settings):
    """Three lessons' videos, each watched in part, become online-study rows whose credited
    hours add up to the ledger's total (HR's online-study rule: general hours, factor 1)."""
    employee = people["employee"]
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 5)))
    course = coursef.course(
        lessons=3, minutes=60, hours=Decimal("2.0"), extra_blocks=[video_block(video_document())]
    )
    # Only the first lesson has the video; give the others one too.
    lessons = list(course.lessons.order_by("sort_order"))
    for extra in lessons[1:]:
        extra.body.append(("video", lessons[0].body[-1].value))
        extra.save()
    for number, (extra, minutes) in enumerate(zip(lessons, (13, 20, 31), strict=True)):
        (video,) = services.tracked_videos(extra)
        watch_stretch(
            employee=employee,
            lesson=extra,
            block_id=video.block_id,
            start=0,
            end=minutes * 60,
            began=start + datetime.timedelta(minutes=number * 40),
            duration=3600,
        )
    login(client, people["hr"])
    rows, total, html = _ledger(client, employee)
    # 13, 20 and 31 minutes: 0.2 + 0.3 + 0.5 hours.
    assert sorted(rows) == [Decimal("0.2"), Decimal("0.3"), Decimal("0.5")]
    assert sum(rows) == total == Decimal("1.0")
    assert "Video watched 31 min" in html or "观看视频 31 分钟" in html

    # Once the course is completed, its 2 hours cover that study: the video rows stay in the
    # archive but earn nothing (HR's default rule), so nothing is counted twice.
    course_services.completion_record(
        employee=employee, course=course, completed_on=today, source=Completion.Source.ONLINE
    )
    rows, total, _html = _ledger(client, employee)
    assert sorted(rows) == [0, 0, 0, Decimal("2.0")]
    assert sum(rows) == total == Decimal("2.0")

    # HR may decide otherwise: without that outcome in the rule, both count.
    from careers.models import TrainingHoursRule

    rule = TrainingHoursRule.objects.get(category="online_study")
    assert rule.no_hours_for == ["study_in_completed_course"]
    rule.no_hours_for = []
    rule.save()
    rows, total, _html = _ledger(client, employee)
    assert sum(rows) == total == Decimal("3.0")


def _ledger(client, employee):
    """The archive page's credited hours of this year's rows, the ledger's total, the page."""
    page = client.get(reverse("careers:archive", args=[employee.pk]))
    html = page.content.decode()
    year = str(page.context["ledger_year"])
    rows = [
        Decimal(hours)
        for hours, row_year in re.findall(r'data-hours="([^"]+)" data-year="(\d{4})"', html)
        if row_year == year
    ]
    return rows, page.context["ledger"][0].hours, html


# --- endpoint ----------------------------------------------------------------------------------


def _post(client, lesson, block_id, body, **kwargs):
    return client.post(
        reverse("courses:video_report", args=[lesson.pk, block_id]),
        data=body if isinstance(body, bytes | str) else json.dumps(body),
        content_type="application/json",
        **kwargs,
    )


@pytest.mark.django_db
def test_the_endpoint_stores_and_answers(client, people, lesson, block_id):
    login(client, people["employee"])
    response = _post(
        client, lesson, block_id, {"duration": 240, "position": 8, "segments": [[0, 8]]}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "ok": True, "percent": 3.3, "watched": 8.0, "furthest": 8.0, "done": False,
        "lessonDone": False,
    }  # fmt: skip
    page = client.get(reverse("courses:lesson", args=[lesson.pk])).content.decode()
    assert "playsinline" in page and "courses/video/player.js" in page
    assert '"position": 8.0' in page and "I have studied this lesson" not in page


HOSTILE_BODIES = {
    "not JSON": (b"{nope", HTTPStatus.BAD_REQUEST, "not JSON"),
    "not UTF-8": (b"\xff\xfe\x00", HTTPStatus.BAD_REQUEST, "not JSON"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, ""),
    "nested within the size": (b"[" * 30_000 + b"]" * 30_000, HTTPStatus.BAD_REQUEST, ""),
    "NaN": (b'{"duration": NaN, "segments": []}', HTTPStatus.BAD_REQUEST, "finite"),
    "a list": (b"[1, 2]", HTTPStatus.BAD_REQUEST, "not a JSON object"),
    "bad segment": (
        b'{"duration": 240, "segments": [[0, "x"]]}',
        HTTPStatus.BAD_REQUEST,
        "end of segment 1",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE_BODIES)
def test_hostile_bodies_get_a_message_never_a_500(client, people, lesson, block_id, case):
    body, status, message = HOSTILE_BODIES[case]
    login(client, people["employee"])
    response = _post(client, lesson, block_id, body)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not VideoWatch.objects.exists()


@pytest.mark.django_db
def test_unknown_video_unpublished_course_and_non_employees(
    client, people, lesson, block_id, superuser
):
    login(client, people["employee"])
    body = {"duration": 240, "segments": [[0, 5]]}
    assert _post(client, lesson, "nope", body).status_code == HTTPStatus.NOT_FOUND
    lesson.course.unpublish()
    assert _post(client, lesson, block_id, body).status_code == HTTPStatus.NOT_FOUND
    client.logout()
    assert _post(client, lesson, block_id, body).status_code == HTTPStatus.FORBIDDEN
    login(client, superuser)
    assert _post(client, lesson, block_id, body).status_code == HTTPStatus.FORBIDDEN
    assert not VideoWatch.objects.exists()


# --- the file, with byte ranges ----------------------------------------------------------------


def _file_url(lesson, block_id):
    return reverse("courses:video_file", args=[lesson.pk, block_id])


@pytest.mark.django_db
def test_the_video_file_answers_byte_ranges_so_the_player_can_seek(
    client, people, lesson, block_id
):
    from courses.video.demo import video_bytes

    data = video_bytes()
    login(client, people["employee"])
    whole = client.get(_file_url(lesson, block_id))
    assert whole.status_code == HTTPStatus.OK and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "video/webm"
    assert b"".join(whole.streaming_content) == data
    part = client.get(_file_url(lesson, block_id), headers={"Range": "bytes=100-199"})
    assert part.status_code == HTTPStatus.PARTIAL_CONTENT
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(_file_url(lesson, block_id), headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == data[-10:]
    open_end = client.get(_file_url(lesson, block_id), headers={"Range": f"bytes={len(data) - 5}-"})
    assert b"".join(open_end.streaming_content) == data[-5:]
    beyond = client.get(_file_url(lesson, block_id), headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE
    # Several ranges, or nonsense: the whole file (a server may ignore Range).
    for header in ("bytes=0-1,5-6", "bytes=x-y", "items=0-5"):
        response = client.get(_file_url(lesson, block_id), headers={"Range": header})
        assert response.status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_the_video_file_is_for_employees_studying_a_published_course(
    client, people, lesson, block_id, superuser
):
    assert client.get(_file_url(lesson, block_id)).status_code == HTTPStatus.FOUND  # sign in
    login(client, superuser)  # no employee profile, no lesson to study
    assert client.get(_file_url(lesson, block_id)).status_code == HTTPStatus.NOT_FOUND
    login(client, people["employee"])
    assert client.get(_file_url(lesson, "nope")).status_code == HTTPStatus.NOT_FOUND
    lesson.course.unpublish()
    assert client.get(_file_url(lesson, block_id)).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
@pytest.mark.parametrize("videos", [1, 10])
def test_a_lesson_page_runs_the_same_queries_whatever_its_videos(
    client, people, videos, django_assert_num_queries
):
    """Each video's watch comes from one query for all of them, and the documents from one."""
    document = video_document()
    course = coursef.course(lessons=1, extra_blocks=[video_block(document)] * videos)
    lesson = course.lessons.get()
    employee = people["employee"]
    for video in services.tracked_videos(lesson):
        _report(employee, lesson, video.block_id, [[0, 5]], at=5)
    login(client, employee)
    client.get(reverse("courses:lesson", args=[lesson.pk]))  # warm the caches
    with django_assert_num_queries(with_session(LESSON_PAGE_QUERIES)):
        page = client.get(reverse("courses:lesson", args=[lesson.pk]))
    assert page.content.decode().count("<video ") == videos


# employee (the user row is cached), lesson, opened-lesson savepoint + select + release, sibling
# lessons, the documents of all the video blocks (one query), the watches of all of them (one
# query), SCOs, the user's groups (menu), the site (page URLs); and the session where it is
# stored in the database (with_session).
LESSON_PAGE_QUERIES = 9


def test_webm_documents_are_accepted_when_their_content_is_webm():
    from django.core.files.base import ContentFile

    from courses.video.demo import video_bytes
    from lms.uploads import UploadRefused, check_document

    check_document(ContentFile(video_bytes(), name="lesson.webm"), name="lesson.webm")
    with pytest.raises(UploadRefused, match=r"not a \.webm file"):
        check_document(ContentFile(b"%PDF-1.4 pretending", name="x.webm"), name="x.webm")


@pytest.mark.django_db
def test_a_watch_cannot_be_bloated_with_slivers(people, db, monkeypatch):
    monkeypatch.setattr(services, "MAX_STORED_SEGMENTS", 5)
    course = coursef.course(
        lessons=1, extra_blocks=[video_block(video_document(), prevent_skipping=False)]
    )
    lesson = course.lessons.get()
    (video,) = services.tracked_videos(lesson)
    slivers = [[i * 10, i * 10 + 0.5] for i in range(5)]
    _report(people["employee"], lesson, video.block_id, slivers, at=10)
    with pytest.raises(ReportRefused, match="more than 5 stretches"):
        _report(people["employee"], lesson, video.block_id, [[100, 100.5]], at=20)
    # Joining what is stored is still taken.
    watch = _report(people["employee"], lesson, video.block_id, [[0, 10]], at=30)
    assert len(watch.segments) == 4
