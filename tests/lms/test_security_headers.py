"""Security headers: the Content-Security-Policy on the portal and the admin, the production
headers, and Wagtail documents served with embedded content blocked."""

import json
import re
from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Page

from tests import factories as f

from .test_settings import _manage


def _directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def _assert_strict_policy(response):
    directives = _directives(response)
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["form-action"][0] == "'self'"
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.compile(r"'nonce-[A-Za-z0-9+/=]{16,}'")
    nonces = [source for source in script_src if nonce.fullmatch(source)]
    assert len(nonces) == 1, script_src
    return directives


@pytest.fixture
def production(settings):
    """The test run's settings are the production ones (DEBUG off) but for the TESTING bits."""
    assert settings.DEBUG is False
    return settings


def test_portal_and_admin_carry_the_policy_and_production_headers(
    client, company, superuser, production
):
    employee = f.employee(number="H1")
    client.force_login(employee.user)
    portal = client.get("/my/archive/", secure=True)
    assert portal.status_code == HTTPStatus.OK
    client.force_login(superuser)
    admin = client.get("/admin/", secure=True)
    assert admin.status_code == HTTPStatus.OK
    nonces = set()
    for response in (portal, admin):
        directives = _assert_strict_policy(response)
        assert directives["frame-ancestors"] == ["'none'"]
        nonces.update(s for s in directives["script-src"] if s.startswith("'nonce-"))
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert len(nonces) == 2  # a fresh nonce for every response


def test_the_sign_in_page_carries_the_policy_too(client, db):
    _assert_strict_policy(client.get("/accounts/login/"))


def test_the_exam_page_runs_no_inline_script(client, company):
    from assessments import services as exam_services
    from tests.factories import assessments as af

    employee = f.employee(number="H2")
    exam = af.exam(questions=[af.question()], audience=[employee])
    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    client.force_login(employee.user)
    response = client.get(f"/exams/attempts/{attempt.pk}/")
    _assert_strict_policy(response)
    html = response.content.decode()
    assert 'id="exam-text"' in html and 'data-time-up="' in html
    assert re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html) is None


def test_wagtail_preview_may_be_framed_by_the_admin_only(client, superuser, db):
    page = Page.objects.filter(depth=2).first().specific
    client.force_login(superuser)
    response = client.get(f"/admin/pages/{page.pk}/edit/preview/")
    assert response.status_code == HTTPStatus.OK
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert _directives(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize(
    ("filename", "body", "disposition"),
    [
        ("evil.html", b"<html><script>alert(document.cookie)</script></html>", "attachment"),
        ("rules.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "inline"),
    ],
)
def test_documents_are_served_with_embedded_content_blocked(
    client, superuser, filename, body, disposition
):
    document = get_document_model().objects.create(
        title=filename, file=ContentFile(body, name=filename)
    )
    client.force_login(superuser)  # documents are for signed-in people only
    response = client.get(document.url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    assert b"".join(response.streaming_content) == body


def _settings_with(env):
    script = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps({"
        "'enforced': getattr(s, 'CONTENT_SECURITY_POLICY', None),"
        "'report_only': getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None),"
        "'hsts': [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],"
        "}, default=repr))"
    )
    production = {
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "academy.example.com",
    }
    result = _manage("shell", "-c", script, env={**production, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_report_only_mode_and_extra_sources():
    plain = _settings_with({})
    assert plain["report_only"] is None
    directives = plain["enforced"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'", "csp.constants.NONCE"]
    assert plain["hsts"] == [31_536_000, True, False]  # preload only when asked for

    trial = _settings_with(
        {
            "CSP_REPORT_ONLY": "1",
            "CSP_IMG_SRC_EXTRA": "https://media.example.cn",
            "CSP_MEDIA_SRC_EXTRA": "https://media.example.cn",
            "CSP_REPORT_URI": "https://csp.example.cn/report",
            "SECURE_HSTS_PRELOAD": "1",
        }
    )
    assert trial["enforced"] is None
    directives = trial["report_only"]["DIRECTIVES"]
    assert "https://media.example.cn" in directives["img-src"]
    assert "https://media.example.cn" in directives["media-src"]
    assert directives["report-uri"] == "https://csp.example.cn/report"
    assert trial["hsts"] == [31_536_000, True, True]


def test_report_only_mode_sends_the_report_only_header(client, db, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response
    assert "object-src 'none'" in response["Content-Security-Policy-Report-Only"]


def test_the_import_preview_runs_under_the_policy(client, people, company):
    from tests.conftest import login
    from tests.factories.spreadsheets import xlsx_upload
    from tests.security.csp_scan import page_offences

    f.position(code="P12", name="配电线路工")
    headers = ["工号", "姓名", "部门编码", "岗位编码"]
    rows = [["QC0001", "员工甲", "C-A-1", "P12"], ["QC0002", "员工乙", "C-A-1", "P99"]]
    login(client, people["hr"])
    response = client.post("/admin/employees/import/", {"import_file": xlsx_upload(headers, rows)})
    assert response.status_code == HTTPStatus.OK
    assert "P99" in response.content.decode()  # the bad row is named on the page
    _assert_strict_policy(response)
    assert page_offences(response) == []
