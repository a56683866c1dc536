"""SCORM in Chromium (issue #19 §1): a trainer uploads a package in the Wagtail admin; a learner
plays a SCORM 1.2 package on a 390 px phone and a SCORM 2004 package on a desktop, leaves each
half-way and resumes where they left, finishes with a score, and sees the course completed and
the online-study hours in the archive. The package's frame can reach nothing of the site."""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from courses.models import Completion, LessonProgress
from courses.scorm import services as scorm_services
from courses.scorm.demo import scorm12_package, scorm2004_package
from courses.scorm.models import ScormAttempt, ScormPackage
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cast(live_server, tmp_path):
    cf.restore_migrated_rows_if_flushed()
    root = f.department(code="QC", name="青川县供电公司")
    trainer = f.employee(number="QC9001", name="李培华", department=root, roles=[Role.TRAINER])
    learner = f.employee(number="QC1001", name="王小明", department=root)
    course = cf.course(title="安全规程在线学习", lessons=2, hours=Decimal("2.0"))
    lessons = list(course.lessons.order_by("sort_order"))
    path12 = tmp_path / "safety12.zip"
    path12.write_bytes(scorm12_package())
    package2004 = scorm_services.package_upload(
        upload=_file(scorm2004_package(), "service2004.zip"), lesson=lessons[1]
    )
    return {
        "trainer": trainer,
        "learner": learner,
        "course": course,
        "lessons": lessons,
        "zip12": path12,
        "package2004": package2004,
    }


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/zip")


def _english(page, live_server):
    page.context.add_cookies([{"name": "ga_language", "value": "en", "url": live_server.url}])


def _saved_seq(page, above):
    """Wait until the player reports a commit newer than ``above``; return its number."""
    status = page.locator("#scorm-status")
    page.wait_for_function(
        "([above]) => Number(document.getElementById('scorm-status').dataset.seq) > above",
        arg=[above],
    )
    return int(status.get_attribute("data-seq"))


def _stored(lesson, seq, seconds=15):
    """Wait until the learner's attempt on the lesson's SCO has stored commit ``seq``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ScormAttempt.objects.filter(sco__package__lesson=lesson, seq__gte=seq).exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"commit {seq} was never stored")


def _play_half_way_then_finish(page, lesson, title):
    page.goto(f"/learning/lessons/{lesson.pk}/")
    page.get_by_role("link", name=re.compile("^(Start|Continue)$")).click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("#api-state")).to_contain_text("API")
    expect(frame.locator("#screen-label")).to_have_text("1 / 3")
    seq = _saved_seq(page, 0)
    frame.locator("#next").click()
    expect(frame.locator("#screen-label")).to_have_text("2 / 3")
    seq = _saved_seq(page, seq)
    # The commit the SCO made on screen 2 is stored (the player reports only what the server
    # acknowledged); then leave mid-way and come back: the SCO resumes there.
    _stored(lesson, seq)
    page.goto(lesson.course.url)
    page.goto(f"/learning/lessons/{lesson.pk}/")
    expect(page.get_by_text("Incomplete")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("#api-state")).to_have_attribute("data-entry", "resume")
    expect(frame.locator("#screen-label")).to_have_text("2 / 3")
    frame.locator("#next").click()
    expect(frame.locator("#screen-label")).to_have_text("3 / 3")
    frame.locator("#q1-b").check()
    frame.locator("#q2-a").check()
    # Twenty minutes of study pass before the answers go in (the SCO measures its own time).
    page.clock.fast_forward("20:00")
    frame.locator("#submit").click()
    expect(frame.locator("#result")).to_contain_text("100 / 100")
    expect(page.locator("#scorm-status")).to_have_text("Module closed; progress saved.")
    page.get_by_role("link", name="Back to the lesson").click()
    expect(page.get_by_text("You have finished this lesson.")).to_be_visible()


def _sandbox_holds(page):
    """From inside the package's frame, the site is out of reach."""
    frame = page.frames[-1]
    result = frame.evaluate(
        """async () => {
            const out = {origin: self.origin, cookie: null, parent: null, fetch: null};
            try { out.cookie = document.cookie; } catch (e) { out.cookie = 'blocked'; }
            try { out.parent = window.parent.document.title; } catch (e) { out.parent = 'blocked'; }
            try { await fetch('/my/'); out.fetch = 'reached'; } catch (e) { out.fetch = 'blocked'; }
            return out;
        }"""
    )
    blocked = "blocked"
    assert result == {"origin": "null", "cookie": blocked, "parent": blocked, "fetch": blocked}


def test_trainer_uploads_and_learner_plays_both_versions_to_completion(browser, live_server, cast):
    # The trainer uploads the SCORM 1.2 package for the first lesson in the admin.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    admin = context.new_page()
    _english(admin, live_server)
    sign_in(admin, "QC9001", f.PASSWORD)
    admin.goto("/admin/training_scorm_packages/new/")
    admin.select_option("select[name=lesson]", str(cast["lessons"][0].pk))
    admin.set_input_files("input[name=package]", str(cast["zip12"]))
    admin.locator("button.button-longrunning[type=submit]").first.click()
    expect(admin.get_by_text("安全用电：停电作业（SCORM 1.2）").first).to_be_visible()
    context.close()
    package12 = ScormPackage.objects.get(version="1.2")
    assert package12.lesson == cast["lessons"][0]

    # The learner plays the SCORM 1.2 package on a phone...
    phone_context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone_context.set_default_timeout(15_000)
    phone = phone_context.new_page()
    phone.clock.install()
    _english(phone, live_server)
    sign_in(phone, "QC1001", f.PASSWORD)
    _play_half_way_then_finish(phone, cast["lessons"][0], package12.title)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_context.close()
    attempt12 = ScormAttempt.objects.get(sco__package=package12)
    assert (attempt12.completion_status, attempt12.success_status) == ("completed", "passed")
    assert attempt12.score_raw == 100 and attempt12.total_seconds >= 20 * 60

    # ...and the SCORM 2004 package on a desktop, checking the sandbox on the way.
    desk_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    desk_context.set_default_timeout(15_000)
    desk = desk_context.new_page()
    desk.clock.install()
    _english(desk, live_server)
    sign_in(desk, "QC1001", f.PASSWORD)
    desk.goto(f"/learning/lessons/{cast['lessons'][1].pk}/")
    desk.get_by_role("link", name="Start").click()
    expect(desk.frame_locator("iframe").locator("#api-state")).to_contain_text("API 2004")
    _sandbox_holds(desk)
    _play_half_way_then_finish(desk, cast["lessons"][1], cast["package2004"].title)
    attempt2004 = ScormAttempt.objects.get(sco__package=cast["package2004"])
    assert attempt2004.score_scaled == 1 and attempt2004.is_done

    learner = cast["learner"]
    assert LessonProgress.objects.filter(employee=learner, completed_at__isnull=False).count() == 2
    completion = Completion.objects.get(employee=learner, course=cast["course"])
    assert completion.source == Completion.Source.ONLINE

    # The course shows as completed. The archive keeps each lesson's online study (twenty
    # minutes and more, capped by its fifteen nominal minutes), but the course's completion
    # credits its 2 hours, which cover that study: by default the study earns nothing more
    # (docs/online-study.md), so the ledger counts the course once.
    desk.goto(cast["course"].url)
    expect(desk.get_by_test_id("course-progress")).to_have_text("2 of 2 lessons done")
    desk.goto(f"/careers/archive/{learner.pk}/")
    rows = desk.locator("ul.entries li", has_text="Online study")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(
        "(counted up to 15 min) · counted in the course's completion"
    )
    expect(rows.first).to_contain_text("no training hours")
    expect(desk.locator("[data-testid=ledger-total] td").nth(1)).to_have_text(
        re.compile(r"^2(\.0)?$")
    )
    desk_context.close()


def test_a_refused_commit_is_never_reported_as_saved(page, live_server, cast):
    """The status line speaks for the server: a commit it refused (here a stale one, as when
    the same learner plays in two tabs) reads as not saved, and the saved number stays."""
    _english(page, live_server)
    sign_in(page, "QC1001", f.PASSWORD)
    page.goto(f"/learning/lessons/{cast['lessons'][1].pk}/")
    page.get_by_role("link", name="Start").click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("#screen-label")).to_have_text("1 / 3")
    seq = _saved_seq(page, 0)
    expect(page.locator("#scorm-status")).to_have_text("Progress saved.")

    page.route(
        re.compile(r"/learning/scorm/attempts/\d+/commit/$"),
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"result": false, "errorCode": 391, "error": "A newer commit was stored."}',
        ),
    )
    frame.locator("#next").click()
    expect(frame.locator("#screen-label")).to_have_text("2 / 3")
    expect(page.locator("#scorm-status")).to_have_text("A newer commit was stored.")
    assert int(page.locator("#scorm-status").get_attribute("data-seq")) == seq
