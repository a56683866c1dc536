"""Employee pages (exams, attempts, results, certificates), trainer pages (report, grading,
exports) and the public certificate check page."""

import json
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lms import ratelimit
from lms.importing import XLSX_CONTENT_TYPE
from lms.models import Employee
from lms.pdf import pdf_response
from lms.roles import Role, get_employee, remember_employee, require_role
from lms.spreadsheets import xlsx_bytes

from . import certificates, grading, qualifications, services, statistics
from .answers import render_answer
from .forms import GradeForm
from .fragments import render_items
from .models import Attempt, AttemptError, AttemptItem, Certificate, Exam


def _employee_or_404(request):
    employee = get_employee(request.user)
    if employee is None:
        raise Http404
    return employee


def _own_attempt(request, pk) -> Attempt:
    """The signed-in employee's attempt, read with its exam and employee in one query (the
    autosave endpoint's hot path); the employee is remembered for the rest of the request."""
    if not request.user.is_authenticated:
        raise Http404
    attempt = get_object_or_404(
        Attempt.objects.select_related(
            "exam", "employee__department", "employee__position", "employee__user"
        ),
        pk=pk,
        employee__user=request.user,
    )
    remember_employee(request.user, attempt.employee)
    return attempt


# -- employee -------------------------------------------------------------------------------


@login_required
def exam_list(request):
    employee = _employee_or_404(request)
    now = timezone.now()
    exams = list(Exam.objects.for_employee(employee).order_by("closes_at", "title"))
    attempts = list(
        Attempt.objects.filter(employee=employee, exam__in=exams).order_by("exam", "number")
    )
    by_exam = {}
    for attempt in attempts:
        by_exam.setdefault(attempt.exam_id, []).append(attempt)
    rows = []
    for exam in exams:
        exam_attempts = by_exam.get(exam.pk, [])
        rows.append(
            {
                "exam": exam,
                "is_open": exam.is_open(now),
                "attempts": exam_attempts,
                "open_attempt": next((a for a in exam_attempts if a.is_open), None),
            }
        )
    return render(request, "assessments/exam_list.html", {"rows": rows, "section_slug": "exams"})


@login_required
def exam_detail(request, pk):
    employee = _employee_or_404(request)
    exam = get_object_or_404(Exam.objects.for_employee(employee), pk=pk)
    attempts = list(Attempt.objects.filter(exam=exam, employee=employee).order_by("number"))
    override = services.exam_override_for(exam, employee)
    allowed = exam.attempts_allowed(override)
    return render(
        request,
        "assessments/exam_detail.html",
        {
            "exam": exam,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "attempts_allowed": allowed,
            "attempts_left": (allowed - len(attempts)) if allowed else None,
            "is_open": exam.is_open(),
        },
    )


@require_POST
@login_required
def attempt_start(request, pk):
    employee = _employee_or_404(request)
    try:
        exam = Exam.objects.get_for_employee(employee, pk=pk)
    except Exam.DoesNotExist:
        raise Http404 from None
    try:
        attempt = services.attempt_start(exam=exam, employee=employee)
    except AttemptError as error:
        from django.contrib import messages

        messages.error(request, str(error))
        return redirect("assessments:exam_detail", pk=exam.pk)
    if not attempt.is_open:
        return redirect("assessments:attempt_result", pk=attempt.pk)
    return redirect("assessments:attempt_page", pk=attempt.pk)


@never_cache
@login_required
def attempt_page(request, pk):
    attempt = services.attempt_refresh(attempt=_own_attempt(request, pk))
    if not attempt.is_open:
        return redirect("assessments:attempt_result", pk=attempt.pk)
    items = render_items([item.public() for item in AttemptItem.objects.filter(attempt=attempt)])
    return render(
        request,
        "assessments/attempt_page.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "items": items,
            "seconds_left": attempt.seconds_left(),
            "state_json": {
                "attempt": attempt.pk,
                "saveUrl": reverse("assessments:attempt_save", args=[attempt.pk]),
                "submitUrl": reverse("assessments:attempt_submit", args=[attempt.pk]),
                "resultUrl": reverse("assessments:attempt_result", args=[attempt.pk]),
                "secondsLeft": attempt.seconds_left(),
                "maxBatch": settings.ASSESSMENTS_SAVE_MAX_ANSWERS,
            },
            "body_class": "exam",
        },
    )


def _state(attempt, **extra):
    data = {
        "status": attempt.status,
        "seconds_left": attempt.seconds_left() if attempt.is_open else 0,
        "result_url": reverse("assessments:attempt_result", args=[attempt.pk]),
    }
    data.update(extra)
    return data


@never_cache
@require_POST
@login_required
def attempt_save(request, pk):
    """Autosave: ``{"answers": [{"item": id, "response": …, "seq": n}, …]}``, ``n`` being one
    more than the item's sequence number as the page last read it back from the server.

    The busiest request of exam day: the attempt is read only once, locked, by the service.
    Bodies over ``ASSESSMENTS_SAVE_MAX_BYTES`` and saves over the per-attempt rate are refused
    before anything is read from the database."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.ASSESSMENTS_SAVE_MAX_BYTES:
        return JsonResponse(
            {"ok": False, "error": _("Too much was sent in one save; the page sends less.")},
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )
    window = 60
    if not ratelimit.allow(
        f"attempt-save:{request.user.pk}:{pk}",
        limit=settings.ASSESSMENTS_SAVE_RATE_PER_MINUTE,
        window=window,
    ):
        response = JsonResponse(
            {"ok": False, "error": _("Saving too often; your answers are kept and sent shortly.")},
            status=HTTPStatus.TOO_MANY_REQUESTS,
        )
        response["Retry-After"] = str(ratelimit.retry_after(window))
        return response
    try:
        payload = json.loads(request.body or b"{}")
        answers = payload["answers"]
        if not isinstance(answers, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[[…]]]]
        _own_attempt(request, pk)  # someone else's attempt is not found, whatever was sent
        return JsonResponse(
            {"ok": False, "error": _("The request could not be read.")},
            status=HTTPStatus.BAD_REQUEST,
        )
    try:
        attempt, outcome = services.attempt_save_own_answers(
            user=request.user, pk=pk, answers=answers
        )
    except Attempt.DoesNotExist:
        raise Http404 from None
    except AttemptError as error:
        attempt = services.attempt_refresh(attempt=_own_attempt(request, pk))
        return JsonResponse(
            {"ok": False, "error": str(error), **_state(attempt)}, status=HTTPStatus.CONFLICT
        )
    data = {
        "ok": True,
        "saved": list(outcome.saved),
        "seqs": {str(item): seq for item, seq in outcome.saved.items()},
        "stale": outcome.stale,
    }
    if outcome.stale:
        data["message"] = _(
            "An answer was changed on another device after this page last saved it; the page "
            "now shows the answer that is stored."
        )
    return JsonResponse({**data, **_state(attempt)})


@never_cache
@require_GET
@login_required
def attempt_state(request, pk):
    """The attempt's clock and status (and the candidate's own answers), never the key."""
    attempt = services.attempt_refresh(attempt=_own_attempt(request, pk))
    items = [item.public() for item in AttemptItem.objects.filter(attempt=attempt)]
    return JsonResponse({"ok": True, "items": items if attempt.is_open else [], **_state(attempt)})


@require_POST
@login_required
def attempt_submit(request, pk):
    attempt = _own_attempt(request, pk)
    if attempt.is_open:
        # A submission sent because the clock ran out finishes at the deadline.
        services.attempt_submit(attempt=attempt, auto=attempt.is_overdue())
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, **_state(attempt)})  # the service left it up to date
    return redirect("assessments:attempt_result", pk=attempt.pk)


@login_required
def attempt_result(request, pk):
    attempt = services.attempt_refresh(attempt=_own_attempt(request, pk))
    if attempt.is_open:
        return redirect("assessments:attempt_page", pk=attempt.pk)
    show_answers = attempt.shows_answers()
    show_score = attempt.shows_score()
    items = list(AttemptItem.objects.filter(attempt=attempt)) if show_answers else []
    # A grader's comment explains a score: it is shown with the score even while the review
    # policy still hides the answers.
    comments = (
        list(
            AttemptItem.objects.filter(attempt=attempt)
            .exclude(comment="")
            .values_list("position", "comment")
        )
        if show_score and not show_answers
        else []
    )
    certificate = Certificate.objects.filter(attempt=attempt).first()
    withheld = services.withheld_keys(attempt) if show_answers else set()
    return render(
        request,
        "assessments/attempt_result.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "show_score": show_score,
            "show_answers": show_answers,
            "items": [
                certificates.review_row(item, withheld=item.question_id in withheld)
                for item in items
            ],
            "comments": comments,
            "certificate": certificate,
        },
    )


@login_required
def result_list(request):
    """The employee's exam history."""
    employee = _employee_or_404(request)
    attempts = list(
        Attempt.objects.finished()
        .filter(employee=employee)
        .exclude(exam__kind=Exam.Kind.MOCK)  # rehearsals are listed on the practice page
        .select_related("exam")
        .order_by("-finished_at")
    )
    certs = {
        c.attempt_id: c for c in Certificate.objects.filter(attempt__in=[a.pk for a in attempts])
    }
    rows = [
        {"attempt": a, "show_score": a.shows_score(), "certificate": certs.get(a.pk)}
        for a in attempts
    ]
    return render(request, "assessments/result_list.html", {"rows": rows})


@login_required
def certificate_pdf(request, code):
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).select_related("employee", "exam"),
        code=code,
    )
    pdf = certificates.certificate_pdf(certificate, request=request)
    return pdf_response(pdf, f"certificate-{certificate.code}.pdf")


def certificate_check(request, code):
    """Public: holder, certificate, dates and status — nothing more."""
    certificate = (
        Certificate.objects.select_related("employee").filter(code=code.strip().upper()).first()
    )
    return render(
        request,
        "assessments/certificate_check.html",
        {"certificate": certificate, "code": code},
        status=HTTPStatus.OK if certificate else HTTPStatus.NOT_FOUND,
    )


@login_required
def my_qualifications(request):
    employee = _employee_or_404(request)
    rows = qualifications.standings([employee]).get(employee.pk, [])
    return render(request, "assessments/my_qualifications.html", {"rows": rows})


@login_required
def team_qualifications(request):
    """Managers see their department subtree, HR and trainers everyone; XLSX on request."""
    require_role(request.user, Role.MANAGER, Role.HR, Role.TRAINER)
    employees = list(
        Employee.objects.visible_to(request.user)
        .active()
        .select_related("department", "position")
        .order_by("department__path", "number")
    )
    standing = qualifications.standings(employees)
    rows = [(employee, standing.get(employee.pk, [])) for employee in employees]
    if request.GET.get("format") == "xlsx":
        data = xlsx_bytes(
            ["工号", "姓名", "部门", "岗位", "资格", "状态", "通过日期", "有效期至", "备注"],
            [
                [
                    e.number,
                    e.name,
                    e.department.name,
                    e.position.name,
                    s.rule.name,
                    str(s.label),
                    s.passed_on.isoformat() if s.passed_on else "",
                    s.valid_until.isoformat() if s.valid_until else "",
                    qualifications.reexamination_note(s),
                ]
                for e, standings in rows
                for s in standings
            ],
        )
        from django.http import HttpResponse
        from django.utils.http import content_disposition_header

        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"qualifications-{timezone.localdate().isoformat()}.xlsx"
        )
        return response
    return render(request, "assessments/team_qualifications.html", {"rows": rows})


# -- trainer --------------------------------------------------------------------------------


@login_required
def exam_report(request, pk):
    require_role(request.user, Role.TRAINER, Role.HR)
    exam = get_object_or_404(Exam, pk=pk)
    report = statistics.exam_report(exam)
    shared = services.practice_overlap(exam) if not exam.is_practice else []
    return render(
        request,
        "assessments/exam_report.html",
        {"exam": exam, "report": report, "shared_with_practice": shared},
    )


@require_POST
@login_required
def exam_flag_questions(request, pk):
    require_role(request.user, Role.TRAINER, Role.HR)
    exam = get_object_or_404(Exam, pk=pk)
    flagged = statistics.flag_poor_questions(exam, acting_user=request.user)
    from django.contrib import messages

    messages.success(request, _("%(count)s question(s) flagged for review.") % {"count": flagged})
    return redirect("assessments:exam_report", pk=exam.pk)


@require_POST
@login_required
def exam_regrade(request, pk):
    require_role(request.user, Role.TRAINER)
    exam = get_object_or_404(Exam, pk=pk)
    changed = services.exam_regrade(exam=exam, acting_user=request.user)
    from django.contrib import messages

    messages.success(
        request,
        _("Regraded with the bank's current answer keys: %(count)s result(s) changed.")
        % {"count": changed},
    )
    return redirect("assessments:exam_report", pk=exam.pk)


@require_POST
@login_required
def certificate_bundle_start(request, pk):
    require_role(request.user, Role.TRAINER, Role.HR)
    exam = get_object_or_404(Exam, pk=pk)
    job = services.certificate_bundle_request(exam=exam, acting_user=request.user)
    return redirect("lms_jobs:detail", pk=job.pk)


@login_required
def exam_export(request, pk, what):
    require_role(request.user, Role.TRAINER, Role.HR)
    exam = get_object_or_404(Exam, pk=pk)
    if what not in ("results", "responses"):
        raise Http404
    return statistics.export_response(exam, what)


@login_required
def grading_queue(request):
    require_role(request.user, Role.TRAINER)
    queue = grading.grading_queue(request.user, everyone=bool(request.GET.get("all")))
    items = list(
        queue.select_related("attempt__exam", "attempt__employee").order_by(
            "attempt__finished_at", "position"
        )[:200]
    )
    for item in items:  # what the grader marks against: the key and the marking guidance
        item.reference = render_answer(item.snapshot["type"], item.snapshot.get("answer"))
        item.guidance = item.snapshot.get("explanation", "")
    return render(request, "assessments/grading_queue.html", {"items": items, "form": GradeForm()})


@require_POST
@login_required
def grade_item(request, pk):
    require_role(request.user, Role.TRAINER)
    item = get_object_or_404(AttemptItem, pk=pk, needs_manual=True)
    form = GradeForm(request.POST)
    from django.contrib import messages

    if form.is_valid():
        try:
            services.item_grade(
                item=item,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                grader=request.user,
            )
            messages.success(request, _("Grade saved."))
        except (ValidationError, AttemptError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.error(request, _("Enter a valid score."))
    return redirect("assessments:grading_queue")
