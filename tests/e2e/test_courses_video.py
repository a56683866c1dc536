"""Tracked video in Chromium (issue #19 §2, §3), on a 390 px phone and a 1366 px desktop: the
learner plays the lesson's video with skipping ahead blocked, tries to seek past what was
watched and is snapped back, sees only the stretch actually played counted, then watches to the
end and sees the lesson finished and the online-study hours in the archive.

The video is the demo WebM (VP8) the project ships (courses/video/demo_files/lesson.webm),
played by Debian's Chromium. The test raises the fastest playback rate that earns seconds
(COURSES_VIDEO_MAX_PLAYBACK_RATE) to 16 so four minutes of video play in about fifteen seconds.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.models import Completion, LessonProgress
from courses.video.demo import video_block, video_document
from courses.video.models import VideoWatch
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = Path(__file__).parent / "screenshots"
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}  # fmt: skip


@pytest.fixture
def cast(live_server, settings, tmp_path):
    settings.COURSES_VIDEO_MAX_PLAYBACK_RATE = 16
    settings.COURSES_VIDEO_REPORT_SECONDS = 2
    cf.restore_migrated_rows_if_flushed()
    root = f.department(code="QC", name="青川县供电公司")
    learner = f.employee(number="QC1001", name="王小明", department=root)
    course = cf.course(
        title="《电力法》在线学习",
        lessons=2,
        hours=Decimal("2.0"),
        extra_blocks=[video_block(video_document(), caption="《电力法》要点讲解")],
    )
    lesson = course.lessons.order_by("sort_order").first()
    return {"learner": learner, "course": course, "lesson": lesson}


def _video(page, script):
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); {script} }}")


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"video-{name}.png"), full_page=True)


@pytest.mark.parametrize("device", VIEWPORTS)
def test_skipping_is_blocked_only_watched_seconds_count_and_hours_are_credited(
    browser, live_server, cast, device
):
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[device])
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": "ga_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    sign_in(page, "QC1001", f.PASSWORD)
    lesson = cast["lesson"]
    page.goto(f"/learning/lessons/{lesson.pk}/")
    expect(page.get_by_text("No skipping ahead of what you have watched.")).to_be_visible()
    expect(page.get_by_role("button", name="I have studied this lesson")).to_have_count(0)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert _video(page, "return v.duration;") == pytest.approx(240, abs=1)
    assert _video(page, "return v.playsInline;") is True

    # Play the first forty-odd seconds at 16×, then pause.
    _video(page, "v.muted = true; v.playbackRate = 16; return v.play().then(() => true);")
    page.wait_for_function("() => document.querySelector('video').currentTime >= 40")
    watched_to = _video(page, "v.pause(); return v.currentTime;")
    expect(page.locator("[data-role=percent]")).not_to_have_text("Watched 0%")

    # Seeking to 3:20 snaps back to what was watched, with a word why.
    _video(page, "v.currentTime = 200; return true;")
    page.wait_for_function("() => !document.querySelector('video').seeking")
    position = _video(page, "return v.currentTime;")
    assert watched_to - 1.5 <= position <= watched_to + 1.5
    expect(
        page.get_by_text("You can only move ahead to what you have already watched.")
    ).to_be_visible()
    _shot(page, f"{device}-snapped-back")

    # The server counts the stretch played and nothing of the seek.
    page.wait_for_function(
        "() => !document.querySelector('[data-role=percent]').textContent.includes(' 0%')"
    )
    watch = VideoWatch.objects.get(employee=cast["learner"], lesson=lesson)
    assert len(watch.segments) == 1 and watch.segments[0][0] == 0
    assert 35 <= watch.watched_seconds <= Decimal(str(watched_to)) + 1
    assert watch.percent < 25 and not watch.is_done
    percent_text = page.locator("[data-role=percent]").text_content()
    assert (
        percent_text == f"Watched {watch.percent.normalize():f}%"
        or str(float(watch.percent)) in percent_text
    )

    # A scripted seek past the end and a faked report do not help either: the report of a
    # stretch far ahead is ignored by the server.
    response = page.evaluate(
        """(url) => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
              'X-CSRFToken': document.querySelector('input[name=csrfmiddlewaretoken]').value},
              body: JSON.stringify({duration: 240, position: 230, segments: [[150, 240]]})})
            .then(r => r.json())""",
        f"/learning/lessons/{lesson.pk}/videos/{watch.block_id}/watched/",
    )
    assert response["ok"] is True and response["done"] is False
    watch.refresh_from_db()
    assert watch.segments[-1][1] < 60

    # Watch on to the end: the video and so the lesson are done.
    _video(page, "v.playbackRate = 16; return v.play().then(() => true);")
    page.wait_for_function("() => document.querySelector('video').ended", timeout=60_000)
    expect(page.locator("[data-role=done]")).to_be_visible()
    expect(page.get_by_text("You have finished this lesson.")).to_be_visible()
    _shot(page, f"{device}-watched")
    watch.refresh_from_db()
    assert watch.is_done and watch.percent >= 95
    assert watch.watched_seconds <= 240
    assert LessonProgress.objects.get(employee=cast["learner"], lesson=lesson).completed_at
    # The second lesson is still to study: the course is not completed yet.
    assert not Completion.objects.filter(employee=cast["learner"], course=cast["course"]).exists()
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Coming back, the page says so and the player starts where it was.
    page.reload()
    expect(page.get_by_text("You have finished this lesson.")).to_be_visible()

    # The archive credits the unique seconds watched by itself: four minutes, 0.1 h of online
    # study, and the ledger's total is that.
    page.goto(f"/careers/archive/{cast['learner'].pk}/")
    row = page.locator("ul.entries li", has_text="Online study")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Video watched 4 min (counted up to 15 min)")
    expect(row).to_contain_text("0.1 h")
    expect(page.locator("[data-testid=ledger-total] td").nth(1)).to_have_text("0.1")
    _shot(page, f"{device}-archive")

    # In Chinese, as the staff read it.
    context.add_cookies([{"name": "ga_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(f"/learning/lessons/{lesson.pk}/")
    expect(page.get_by_text("已观看 100%")).to_be_visible()
    expect(page.get_by_text("不能快进到尚未观看的部分。")).to_be_visible()
    _shot(page, f"{device}-zh")
    context.close()
