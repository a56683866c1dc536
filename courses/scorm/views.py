"""The SCORM player, the package files it frames, the commit endpoint and the trainers' report.

Isolation (docs/scorm.md): the player page is an ordinary portal page on our origin; it runs the
real runtime (scorm-again's ``Scorm12API`` / ``Scorm2004API``) and commits to our endpoint with
the learner's session and CSRF token. The package's own files are served from
``/learning/scorm/content/<signed link>/…`` with a Content-Security-Policy ``sandbox`` (no
``allow-same-origin``), and framed with the same ``sandbox`` attribute: the package runs in an
opaque origin, so it reads no cookie, no storage and no DOM of the site, and its requests can
reach nothing but its own files. Its pages get scorm-again's ``CrossFrameAPI`` as ``window.API``
/ ``window.API_1484_11``, which answers the SCO synchronously from a cache (primed with the
attempt's stored data) and forwards every call to the player by ``postMessage``.
"""

import json
import mimetypes
import re
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.roles import Role, get_employee, has_role

from ..models import TRAINING_MANAGER_GROUP
from . import services
from .models import ScormAttempt, ScormPackage, ScormSco, ScormVersion
from .packages import clean_package_path

CONTENT_SALT = "courses.scorm.content"
REPORT_ROLES = (Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP, Role.MANAGER)
RUNTIME_SCRIPTS = {
    ScormVersion.SCORM_12: "courses/scorm/vendor/scorm12.min.js",
    ScormVersion.SCORM_2004: "courses/scorm/vendor/scorm2004.min.js",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")
_HEAD = re.compile(rb"<head(\s[^>]*)?>", re.IGNORECASE)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_-]{1,40})", re.IGNORECASE)


def content_token(*, package: ScormPackage, attempt: ScormAttempt) -> str:
    return signing.dumps({"p": package.pk, "a": attempt.pk}, salt=CONTENT_SALT)


def content_url(token: str, href: str) -> str:
    path, _sep, query = href.partition("?")
    url = reverse("courses:scorm_content", args=[token, path])
    return f"{url}?{query}" if query else url


def _playable_sco(pk) -> ScormSco:
    sco = get_object_or_404(ScormSco.objects.select_related("package__lesson__course"), pk=pk)
    lesson = sco.package.lesson
    if lesson is None or not lesson.course.live:
        raise Http404
    return sco


@login_required
def play(request, pk):
    """The player: the SCO framed in a sandbox, the runtime in this page."""
    employee = get_employee(request.user)
    if employee is None:
        raise Http404(_("Only employees have a learning record."))
    sco = _playable_sco(pk)
    attempt = services.attempt_launch(employee=employee, sco=sco)
    attempt.sco = sco
    attempt.employee = employee
    token = content_token(package=sco.package, attempt=attempt)
    lesson = sco.package.lesson
    context = {
        "sco": sco,
        "lesson": lesson,
        "course": lesson.course,
        "attempt": attempt,
        "content_url": content_url(token, sco.href),
        "runtime_script": RUNTIME_SCRIPTS[sco.package.version],
        "player_config": {
            "version": sco.package.version,
            "commitUrl": reverse("courses:scorm_commit", args=[attempt.pk]),
            "seq": attempt.seq,
            "cmi": services.launch_data(attempt),
            "autocommitSeconds": settings.SCORM_AUTOCOMMIT_SECONDS,
            "lessonUrl": reverse("courses:lesson", args=[lesson.pk]),
        },
    }
    return render(request, "courses/scorm/player.html", context)


def _content_policy(request, prefix: str) -> str:
    origin = f"{request.scheme}://{request.get_host()}"
    own = origin + prefix
    static_url = settings.STATIC_URL
    runtime = (static_url if "://" in static_url else origin + static_url) + "courses/scorm/"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {own} {runtime} 'unsafe-inline' 'unsafe-eval'",
            f"style-src {own} 'unsafe-inline'",
            f"img-src {own} data: blob:",
            f"media-src {own} blob:",
            f"font-src {own} data:",
            f"connect-src {own}",
            f"frame-src {own}",
            "worker-src 'none'",
            "form-action 'none'",
            f"base-uri {own}",
            "frame-ancestors 'self'",
            "sandbox allow-scripts allow-forms",
        ]
    )


def _injected(attempt: ScormAttempt) -> bytes:
    """The scripts every page of the package gets first: the cross-frame API, primed."""
    data = services.launch_data(attempt)
    primed = json.dumps(data).replace("<", "\\u003c")
    return (
        f'<script src="{escape(static("courses/scorm/vendor/cross-frame-api.min.js"))}"></script>'
        f'<script type="application/json" id="ga-scorm-cmi">{primed}</script>'
        f'<script src="{escape(static("courses/scorm/frame.js"))}"></script>'
    ).encode()


def content(request, token, path):
    """A file of a package, for the frame of a player that holds a valid signed link."""
    try:
        signed = signing.loads(
            token, salt=CONTENT_SALT, max_age=settings.SCORM_CONTENT_LINK_SECONDS
        )
        package_id, attempt_id = int(signed["p"]), int(signed["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    clean = clean_package_path(path)
    if clean is None:
        raise Http404
    package = ScormPackage.objects.filter(pk=package_id).only("folder").first()
    if package is None:
        raise Http404
    name = f"{package.folder}/{clean}"
    try:
        file = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(clean)[0] or "application/octet-stream"
    if content_type in HTML_TYPES:
        attempt = (
            ScormAttempt.objects.select_related("employee", "sco__package")
            .filter(pk=attempt_id, sco__package_id=package_id)
            .first()
        )
        if attempt is None:
            raise Http404
        with file:
            body = file.read()
        # The injected scripts move a <meta charset> past the first 1024 bytes, where browsers
        # stop looking for it: the header says it instead.
        declared = _CHARSET.search(body[:4096])
        charset = declared[1].decode("ascii") if declared else "utf-8"
        scripts = _injected(attempt)
        match = _HEAD.search(body[:65536])
        body = body[: match.end()] + scripts + body[match.end() :] if match else scripts + body
        response = HttpResponse(body, content_type=f"{content_type}; charset={charset}")
        response["Cache-Control"] = "private, no-store"
    else:
        response = FileResponse(file, content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
    prefix = reverse("courses:scorm_content", args=[token, "-"])[:-1]
    response["Content-Security-Policy"] = _content_policy(request, prefix)
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    response._csp_exempt = True
    return response


def _commit_answer(ok: bool, *, status=HTTPStatus.OK, error="", seq=None):
    body = {"result": ok, "errorCode": 0 if ok else 391}
    if error:
        body["error"] = error
    if seq is not None:
        body["seq"] = seq
    return JsonResponse(body, status=status)


@require_POST
def commit(request, pk):
    """Store a commit from the player: ``{"seq": n, "cmi": {element: value, …}}``."""
    employee = get_employee(request.user)
    if employee is None:
        return _commit_answer(
            False, status=HTTPStatus.FORBIDDEN, error=_("Sign in as an employee.")
        )
    if not ScormAttempt.objects.filter(pk=pk, employee=employee).exists():
        # Someone else's attempt (or none): nothing about it, not even what is wrong with
        # the commit, is told.
        return _commit_answer(
            False, status=HTTPStatus.NOT_FOUND, error=_("There is no such attempt of yours.")
        )
    if len(request.body) > settings.SCORM_COMMIT_MAX_BYTES:
        return _commit_answer(
            False,
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            error=_("The commit is larger than %(limit)s bytes.")
            % {"limit": settings.SCORM_COMMIT_MAX_BYTES},
        )
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _commit_answer(
            False, status=HTTPStatus.BAD_REQUEST, error=_("The commit is not JSON.")
        )
    if not isinstance(payload, dict):
        return _commit_answer(
            False, status=HTTPStatus.BAD_REQUEST, error=_("The commit is not JSON.")
        )
    try:
        attempt = services.attempt_commit(
            attempt_id=pk, employee=employee, seq=payload.get("seq"), cmi=payload.get("cmi")
        )
    except services.CommitRefused as refusal:
        return _commit_answer(False, status=refusal.status, error=" ".join(refusal.messages))
    return _commit_answer(True, seq=attempt.seq)


@login_required
def report(request, pk):
    """Per package: each learner's attempt with status, score and time (scoped)."""
    if not has_role(request.user, *REPORT_ROLES):
        raise PermissionDenied
    package = get_object_or_404(ScormPackage.objects.select_related("lesson__course"), pk=pk)
    attempts = (
        ScormAttempt.objects.visible_to(request.user)
        .filter(sco__package=package)
        .select_related("employee__department", "sco")
        .order_by("employee__department__name", "employee__number", "sco__sort_order", "number")
    )
    summary = attempts.aggregate(
        learners=Count("employee", distinct=True),
        done=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    return render(
        request,
        "courses/scorm/report.html",
        {"package": package, "attempts": attempts, "summary": summary},
    )


def lesson_scos(*, employee, lesson) -> list[ScormSco]:
    """The lesson's SCOs in order, each with the employee's latest attempt (``my_attempt``)."""
    scos = list(
        ScormSco.objects.filter(package__lesson=lesson).order_by(
            "package__title", "package_id", "sort_order"
        )
    )
    if not scos:
        return []
    attempts = {}
    for attempt in ScormAttempt.objects.filter(employee=employee, sco__in=scos).order_by("number"):
        attempts[attempt.sco_id] = attempt
    for sco in scos:
        sco.my_attempt = attempts.get(sco.pk)
    return scos
