"""SCORM URLs in the authorisation matrix (tests/security/declarations.py imports these)."""

from django.urls import reverse

from tests.security.matrix import ANY, DENY, OK, Case, expect


def scorm_world(world):
    """A published course whose lesson holds the demo SCORM 1.2 package, and an attempt of
    ``world["employee"]`` at it (built on first use)."""
    if "scorm" in world:
        return world["scorm"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses.scorm import services
    from courses.scorm.demo import scorm12_package
    from courses.scorm.views import content_token
    from tests.factories import courses as cf

    course = cf.course(lessons=1)
    package = services.package_upload(
        upload=SimpleUploadedFile("demo12.zip", scorm12_package()),
        lesson=course.lessons.get(),
    )
    sco = package.scos.get()
    attempt = services.attempt_launch(employee=world["employee"], sco=sco)
    made = {
        "package": package,
        "sco": sco,
        "attempt": attempt,
        "token": content_token(package=package, attempt=attempt),
    }
    world["scorm"] = made
    return made


def video_world(world):
    """A published course whose first lesson plays the demo video (built on first use)."""
    if "video" in world:
        return world["video"]
    from courses.video.demo import video_block, video_document
    from courses.video.services import tracked_videos
    from tests.factories import courses as cf

    course = cf.course(lessons=1, extra_blocks=[video_block(video_document())])
    lesson = course.lessons.get()
    (video,) = tracked_videos(lesson)
    world["video"] = {"lesson": lesson, "block_id": video.block_id}
    return world["video"]


def _url(name, key):
    return lambda world: reverse(name, args=[scorm_world(world)[key].pk])


def cases():
    return {
        # Every employee may study a published course's module (accounts without an employee
        # profile, such as a bare superuser, have no learning record to play into).
        "courses:scorm_play": Case(_url("courses:scorm_play", "sco"), expect(OK, superuser=DENY)),
        # The package's files: the signed link is the key, since the sandboxed frame carries
        # no cookies; it names one package and expires (SCORM_CONTENT_LINK_SECONDS).
        "courses:scorm_content": Case(
            lambda w: reverse(
                "courses:scorm_content", args=[scorm_world(w)["token"], "index.html"]
            ),
            {role: OK for role in expect()},
        ),
        # Commits: only the attempt's own learner. (A form-encoded post is not a commit; the
        # learner's outcome is asserted by tests/courses/test_scorm.py with real commits.)
        "courses:scorm_commit": Case(
            _url("courses:scorm_commit", "attempt"),
            expect(DENY, anonymous=DENY, employee=ANY, superuser=DENY),
            method="POST",
            data=lambda w: {"seq": "1"},
        ),
        # Watched stretches of a lesson's video: every employee studies every published
        # course, each into their own record, so no role is refused the lesson; the body is
        # JSON, which the matrix's form post is not (each employee role gets a 400 with its
        # message). Accounts without an employee profile are refused; tests/courses/
        # test_video.py asserts the 200, the 404 of an unpublished course or unknown video,
        # and the 403s with real reports.
        "courses:video_report": Case(
            lambda w: reverse(
                "courses:video_report",
                args=[video_world(w)["lesson"].pk, video_world(w)["block_id"]],
            ),
            expect(ANY, anonymous=DENY, superuser=DENY),
            method="POST",
            data=lambda w: {"duration": "240"},
        ),
        # The tracked video's file (with byte ranges, for seeking): every employee studying
        # the published course; accounts without an employee profile have no lesson to study.
        "courses:video_file": Case(
            lambda w: reverse(
                "courses:video_file",
                args=[video_world(w)["lesson"].pk, video_world(w)["block_id"]],
            ),
            expect(OK, superuser=DENY),
        ),
        # The report per package: trainers and HR see everyone, managers their subtree.
        "courses:scorm_report": Case(
            _url("courses:scorm_report", "package"),
            expect(DENY, trainer=OK, hr=OK, manager=OK, other_manager=OK),
        ),
    }
