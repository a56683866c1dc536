"""SCORM packages: upload checks, the content sandbox, the commit endpoint, tracking into lesson
and course completion and the hours ledger, the trainers' report (issue #19 §1, §3)."""

import io
import json
import zipfile
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.models import Completion, LessonProgress
from courses.scorm import services
from courses.scorm.demo import MANIFEST_12, scorm12_package, scorm2004_package
from courses.scorm.models import ScormAttempt, ScormPackage, ScormValue
from courses.scorm.views import content_token
from lms.hooks import ArchiveCategory, archive_entries
from lms.uploads import UploadRefused
from tests.conftest import login, with_session
from tests.factories import courses as coursef

pytestmark = pytest.mark.django_db


def _zip(files: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _upload(data: bytes, name="package.zip"):
    return SimpleUploadedFile(name, data, content_type="application/zip")


def _stored_files(settings):
    root = settings.MEDIA_ROOT / "scorm"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def course():
    return coursef.course(lessons=2, hours=Decimal("2.0"))


@pytest.fixture
def package12(course, people):
    lesson = course.lessons.order_by("sort_order").first()
    return services.package_upload(
        upload=_upload(scorm12_package()), lesson=lesson, acting_user=people["trainer"].user
    )


@pytest.fixture
def package2004(course, people):
    lesson = course.lessons.order_by("sort_order").last()
    return services.package_upload(
        upload=_upload(scorm2004_package()), lesson=lesson, acting_user=people["trainer"].user
    )


# --- upload ------------------------------------------------------------------------------------


def test_both_demo_packages_are_read_and_stored(package12, package2004, settings):
    assert package12.version == "1.2"
    assert package2004.version == "2004"
    assert package2004.schema_version == "2004 4th Edition"
    sco12, sco2004 = package12.scos.get(), package2004.scos.get()
    assert (sco12.href, sco12.mastery_score) == ("index.html", Decimal("80"))
    assert (sco2004.href, sco2004.scaled_passing_score) == ("content/index.html", Decimal("0.8"))
    stored = {path.name for path in _stored_files(settings)}
    assert {"imsmanifest.xml", "index.html", "sco.js", "style.css"} <= stored


DTD_MANIFEST = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<manifest identifier="x"><organizations><organization identifier="o"><title>&lol2;</title>
<item identifier="i" identifierref="r"><title>t</title></item></organization></organizations>
<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"
xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"/></resources></manifest>"""


def _good_manifest():
    return MANIFEST_12.format(title="t")


BAD_PACKAGES = {
    "no manifest": (_zip({"index.html": "<html></html>"}), "no imsmanifest.xml"),
    "zip slip": (
        _zip({"imsmanifest.xml": _good_manifest(), "index.html": "x", "../evil.html": "x"}),
        "points outside the package",
    ),
    "absolute path": (
        _zip({"imsmanifest.xml": _good_manifest(), "index.html": "x", "/etc/cron.d/x": "x"}),
        "absolute path",
    ),
    "manifest with a DTD": (
        _zip({"imsmanifest.xml": DTD_MANIFEST, "index.html": "x"}),
        "declares a DTD",
    ),
    "executable": (
        _zip({"imsmanifest.xml": _good_manifest(), "index.html": "x", "setup.exe": "MZ"}),
        "contains a program",
    ),
    "launch file missing": (_zip({"imsmanifest.xml": _good_manifest()}), "not in the package"),
    "not a zip": (b"%PDF-1.4 not a zip", "not a ZIP file"),
    "zip bomb": (
        _zip({"imsmanifest.xml": _good_manifest(), "index.html": "x", "big.txt": b"0" * 3_000_000}),
        "zip bomb",
    ),
    "not SCORM": (
        _zip({"imsmanifest.xml": "<manifest><organizations/><resources/></manifest>"}),
        "neither SCORM 1.2 nor SCORM 2004",
    ),
}


@pytest.mark.parametrize("case", BAD_PACKAGES)
def test_bad_packages_are_refused_and_nothing_is_stored(case, course, settings):
    data, reason = BAD_PACKAGES[case]
    with pytest.raises(UploadRefused) as refused:
        services.package_upload(upload=_upload(data, "bad.zip"))
    assert reason in refused.value.messages[0]
    assert "bad.zip" in refused.value.messages[0]
    assert not ScormPackage.objects.exists()
    assert _stored_files(settings) == []


def test_size_and_member_limits_are_settings(course, settings):
    settings.SCORM_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(UploadRefused, match="the limit is"):
        services.package_upload(upload=_upload(scorm12_package()))
    settings.SCORM_MAX_UPLOAD_SIZE = 10_000_000
    settings.SCORM_MAX_MEMBERS = 3
    with pytest.raises(UploadRefused, match="at most 3 are allowed"):
        services.package_upload(upload=_upload(scorm12_package()))
    settings.SCORM_MAX_MEMBERS = 100
    settings.SCORM_MAX_UNCOMPRESSED = 2000
    with pytest.raises(UploadRefused, match="unpacks to"):
        services.package_upload(upload=_upload(scorm12_package()))
    assert _stored_files(settings) == []


def test_trainer_uploads_in_the_admin_and_a_bad_package_shows_why(client, course, people, settings):
    login(client, people["trainer"])
    lesson = course.lessons.first()
    url = reverse("training_scorm_packages:add")
    response = client.post(
        url, {"title": "", "lesson": lesson.pk, "package": _upload(scorm2004_package())}
    )
    assert response.status_code == HTTPStatus.FOUND
    package = ScormPackage.objects.get()
    assert (package.lesson, package.version) == (lesson, "2004")
    response = client.post(
        url,
        {
            "title": "x",
            "lesson": lesson.pk,
            "package": _upload(BAD_PACKAGES["zip slip"][0], "z.zip"),
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "points outside the package" in response.content.decode()
    assert ScormPackage.objects.count() == 1
    index = client.get(reverse("training_scorm_packages:index"))
    assert package.title in index.content.decode()


def test_an_employee_cannot_upload(client, people):
    login(client, people["employee"])
    response = client.get(reverse("training_scorm_packages:add"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


# --- content sandbox ------------------------------------------------------------------------------


def _launch(client, employee, sco):
    login(client, employee)
    response = client.get(reverse("courses:scorm_play", args=[sco.pk]))
    assert response.status_code == HTTPStatus.OK
    return response


def test_package_files_are_served_sandboxed_with_the_api_injected(client, package12, people):
    sco = package12.scos.get()
    response = _launch(client, people["employee"], sco)
    attempt = ScormAttempt.objects.get(employee=people["employee"], sco=sco)
    token = content_token(package=package12, attempt=attempt)
    anonymous = Client()  # the sandboxed frame sends no cookies: the signed link is the key
    page = anonymous.get(reverse("courses:scorm_content", args=[token, "index.html"]))
    assert page.status_code == HTTPStatus.OK
    policy = page["Content-Security-Policy"]
    assert "sandbox allow-scripts" in policy
    assert "allow-same-origin" not in policy
    assert "connect-src http://testserver/learning/scorm/content/" in policy
    assert "frame-ancestors 'self'" in policy
    body = page.content.decode()
    assert "cross-frame-api" in body and 'id="ga-scorm-cmi"' in body
    assert body.index("ga-scorm-cmi") < body.index("shared/sco.js")
    script = anonymous.get(reverse("courses:scorm_content", args=[token, "shared/sco.js"]))
    assert script.status_code == HTTPStatus.OK
    assert "sandbox" in script["Content-Security-Policy"]
    assert b"".join(script.streaming_content).startswith(b"(function")
    assert 'sandbox="allow-scripts allow-forms"' in response.content.decode()
    for path in ("../../../etc/passwd", "shared/../../x", "missing.html"):
        assert (
            anonymous.get(reverse("courses:scorm_content", args=[token, path])).status_code
            == HTTPStatus.NOT_FOUND
        )
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (
        anonymous.get(reverse("courses:scorm_content", args=[forged, "index.html"])).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_an_unpublished_course_does_not_play(client, package12, people, course):
    course.unpublish()
    login(client, people["employee"])
    response = client.get(reverse("courses:scorm_play", args=[package12.scos.get().pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


# --- commits ------------------------------------------------------------------------------------


def _commit(client, attempt, seq, cmi, **extra):
    return client.post(
        reverse("courses:scorm_commit", args=[attempt.pk]),
        data=json.dumps({"seq": seq, "cmi": cmi}),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def attempt12(client, package12, people):
    _launch(client, people["employee"], package12.scos.get())
    return ScormAttempt.objects.get(employee=people["employee"])


def test_commit_needs_the_csrf_token(attempt12, people):
    strict = Client(enforce_csrf_checks=True)
    login(strict, people["employee"])
    response = _commit(strict, attempt12, 1, {"cmi.core.lesson_status": "incomplete"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    strict.get(reverse("courses:scorm_play", args=[attempt12.sco_id]))
    token = strict.cookies["csrftoken"].value
    response = _commit(
        strict, attempt12, 1, {"cmi.core.lesson_status": "incomplete"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"result": True, "errorCode": 0, "seq": 1}


def test_stale_commits_are_refused(client, attempt12):
    assert _commit(client, attempt12, 5, {"cmi.core.lesson_location": "3"}).status_code == 200
    stale = _commit(client, attempt12, 4, {"cmi.core.lesson_location": "1"})
    assert stale.status_code == HTTPStatus.CONFLICT
    assert stale.json()["result"] is False
    assert _commit(client, attempt12, 5, {"cmi.core.lesson_location": "1"}).status_code == 409
    attempt12.refresh_from_db()
    assert (attempt12.seq, attempt12.location) == (5, "3")


def test_another_users_attempt_is_refused(client, attempt12, people):
    login(client, people["colleague"])
    response = _commit(client, attempt12, 1, {"cmi.core.lesson_status": "passed"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    attempt12.refresh_from_db()
    assert attempt12.seq == 0
    client.logout()
    assert _commit(client, attempt12, 1, {"cmi.core.lesson_status": "passed"}).status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        {"seq": 1, "cmi": {"cmi.suspend_data": "x" * 64_001}},
        {"seq": 1, "cmi": {"cmi.core.lesson_location": "x" * 5000}},
        {"seq": 1, "cmi": {"cmi.core.lesson_status": "a\x00b"}},
        {"seq": 1, "cmi": {"<script>": "x"}},
        {"seq": 1, "cmi": {"cmi.core.score.raw": {"nested": 1}}},
        {"seq": 1, "cmi": {"cmi.core.score.raw": None}},
        {"seq": 1, "cmi": ["cmi.core.lesson_status"]},
        {"seq": "1", "cmi": {}},
        {"seq": True, "cmi": {}},
        {"seq": 10**30, "cmi": {}},
        {"seq": -1, "cmi": {}},
        {"seq": 1},
        [1, 2],
    ],
)
def test_hostile_commits_are_refused_with_a_reason(client, attempt12, payload):
    response = client.post(
        reverse("courses:scorm_commit", args=[attempt12.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["result"] is False and response.json()["error"]
    assert not ScormValue.objects.exists()


def test_not_json_and_too_large_are_refused(client, attempt12, settings):
    url = reverse("courses:scorm_commit", args=[attempt12.pk])
    assert client.post(url, data="{", content_type="application/json").status_code == 400
    assert client.post(url, data=b"\xff\xfe", content_type="application/json").status_code == 400
    settings.SCORM_COMMIT_MAX_BYTES = 100
    response = _commit(client, attempt12, 1, {"cmi.suspend_data": "x" * 200})
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_suspend_data_of_64000_characters_and_every_element_are_kept(client, attempt12):
    cmi = {
        "cmi.suspend_data": "数" * 64_000,
        "cmi.core.lesson_location": "2",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.exit": "suspend",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.student_response": "b",
        "cmi.core.session_time": "0000:05:30.50",
    }
    # scorm-again's flattened commit sends collections still empty as {}: nothing to keep.
    assert _commit(client, attempt12, 1, {**cmi, "cmi.objectives": {}}).status_code == 200
    assert services.attempt_values(attempt12) == cmi
    attempt12.refresh_from_db()
    assert (attempt12.completion_status, attempt12.session_seconds) == ("incomplete", 330)
    data = services.launch_data(attempt12)
    assert data["cmi.core.entry"] == "resume"
    assert data["cmi.core.lesson_location"] == "2"
    assert data["cmi.suspend_data"] == "数" * 64_000
    assert "cmi.core.session_time" not in data


# --- tracking, completion and hours -------------------------------------------------------------


def test_scorm12_pass_completes_the_lesson_and_time_counts_capped(client, package12, people):
    employee = people["employee"]
    sco = package12.scos.get()
    lesson = package12.lesson
    _launch(client, employee, sco)
    attempt = ScormAttempt.objects.get(employee=employee, sco=sco)
    _commit(
        client,
        attempt,
        1,
        {"cmi.core.lesson_status": "incomplete", "cmi.core.session_time": "0000:10:00"},
    )
    # The player is closed and opened again: a new session starts, the old one is kept.
    _launch(client, employee, sco)
    response = _commit(
        client,
        attempt,
        2,
        {
            "cmi.core.lesson_status": "completed",
            "cmi.core.score.raw": "60",
            "cmi.core.score.min": "0",
            "cmi.core.score.max": "100",
            "cmi.core.session_time": "0000:02:00",
        },
    )
    assert response.status_code == HTTPStatus.OK
    attempt.refresh_from_db()
    # 60 is below the manifest's mastery score of 80: completed, failed, not done.
    assert (attempt.completion_status, attempt.success_status) == ("completed", "failed")
    assert attempt.completed_at is None
    assert attempt.total_seconds == 720
    assert attempt.score_scaled == Decimal("0.6")
    _commit(
        client,
        attempt,
        3,
        {
            "cmi.core.lesson_status": "completed",
            "cmi.core.score.raw": "90",
            "cmi.core.session_time": "0000:09:00",
        },
    )
    attempt.refresh_from_db()
    assert attempt.success_status == "passed" and attempt.is_done
    progress = LessonProgress.objects.get(employee=employee, lesson=lesson)
    assert progress.completed_at is not None
    entries = archive_entries(employee, categories=[ArchiveCategory.ONLINE_STUDY])
    # 19 minutes of study, capped by the lesson's 15 nominal minutes: 0.25 h → 0.3 h.
    assert [(e.hours, e.source) for e in entries] == [(Decimal("0.3"), "courses.scorm_attempt")]


def test_a_lesson_with_scos_cannot_be_ticked_off_by_hand(client, package12, people):
    login(client, people["employee"])
    lesson = package12.lesson
    client.get(reverse("courses:lesson", args=[lesson.pk]))
    response = client.post(reverse("courses:lesson_done", args=[lesson.pk]), follow=True)
    assert "Finish the SCORM modules" in response.content.decode()
    assert LessonProgress.objects.get(lesson=lesson).completed_at is None


def test_scorm2004_and_12_passed_complete_the_course(client, package12, package2004, people):
    employee = people["employee"]
    for package, cmi in (
        (package12, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "100"}),
        (
            package2004,
            {
                "cmi.completion_status": "completed",
                "cmi.success_status": "passed",
                "cmi.score.scaled": "0.9",
                "cmi.session_time": "PT1H2M3.5S",
            },
        ),
    ):
        _launch(client, employee, package.scos.get())
        attempt = ScormAttempt.objects.get(employee=employee, sco__package=package)
        assert _commit(client, attempt, 1, cmi).status_code == HTTPStatus.OK
    attempt.refresh_from_db()
    assert attempt.session_seconds == 3723 and attempt.score_percent == Decimal("90.0")
    completion = Completion.objects.get(employee=employee, course=package12.lesson.course)
    assert completion.source == Completion.Source.ONLINE
    assert completion.hours == Decimal("2.0")


def test_durations_are_read_in_both_formats():
    assert services.parse_duration("0001:02:03.5") == 3723
    assert services.parse_duration("PT1H2M3.5S") == 3723
    assert services.parse_duration("P1DT1S") == 86400
    assert services.parse_duration("P") == 0
    assert services.parse_duration("garbage") == 0
    assert services.parse_duration("9999:00:00") == services.MAX_SESSION_SECONDS


# --- report ---------------------------------------------------------------------------------------


def _learners(package, count):
    from tests import factories as f

    sco = package.scos.get()
    for _ in range(count):
        employee = f.employee()
        attempt = services.attempt_launch(employee=employee, sco=sco)
        services.attempt_commit(
            attempt_id=attempt.pk,
            employee=employee,
            seq=1,
            cmi={"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"},
        )


# Queries: (session), user, the package with its lesson and course, the summary aggregate, the
# rows with employee, department and SCO in one join; plus the viewer's role groups for
# non-superusers, and the employee profile and headed departments for a manager.
@pytest.mark.parametrize(
    "role, expected", [("trainer", 3), ("hr", 3), ("manager", 4), ("superuser", 3)]
)
def test_report_query_count_is_the_same_at_n_and_10n(
    client, package12, people, role, expected, superuser
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, superuser if role == "superuser" else people[role])
    url = reverse("courses:scorm_report", args=[package12.pk])
    counts = []
    for count in (3, 27):
        _learners(package12, count)
        client.get(url)  # warm the per-process caches (content types, element names)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert counts == [with_session(expected)] * 2


def test_report_rows_follow_visible_to(client, package12, people):
    from tests import factories as f

    sco = package12.scos.get()
    for employee in (people["employee"], people["outsider"]):
        services.attempt_launch(employee=employee, sco=sco)
    url = reverse("courses:scorm_report", args=[package12.pk])
    login(client, people["manager"])
    body = client.get(url).content.decode()
    assert people["employee"].name in body and people["outsider"].name not in body
    login(client, people["trainer"])
    body = client.get(url).content.decode()
    assert people["employee"].name in body and people["outsider"].name in body
    login(client, people["employee"])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert f  # factories imported for symmetry with _learners


def test_demo_seed_attaches_both_packages_to_a_course(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    packages = ScormPackage.objects.select_related("lesson__course").order_by("version")
    assert [(p.version, p.lesson.course.code) for p in packages] == [
        ("1.2", "KC-ZX01"),
        ("2004", "KC-ZX01"),
    ]
    attempt = ScormAttempt.objects.get()
    assert (attempt.employee.number, attempt.location) == ("QC1001", "2")
