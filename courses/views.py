"""Employee and trainer pages outside the admin: lessons, enrolment, check-in, roster, calendar."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms import ratelimit
from lms.importing import FORMATS
from lms.portal import redirect_to_first_live
from lms.roles import Role, get_employee, has_role

from . import requirements, services
from .forms import CheckInForm
from .hooks import course_exam_results
from .models import (
    TRAINING_MANAGER_GROUP,
    Attendance,
    Completion,
    CourseIndexPage,
    CoursePage,
    Lesson,
    LessonProgress,
    PracticalCheck,
    QuestionnaireField,
    QuestionnairePage,
    QuestionnaireSubmission,
    TrainingPlanIndexPage,
    TrainingPlanPage,
    TrainingSession,
)
from .resources import PlanItemResource
from .scorm.views import lesson_scos as scorm_lesson_scos
from .video.views import lesson_players as video_lesson_players

CALENDAR_SALT = "courses.calendar"


def _employee_or_404(request):
    employee = get_employee(request.user)
    if employee is None:
        raise Http404(_("Only employees have a learning record."))
    return employee


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Lessons --------------------------------------------------------------------------------------


def _live_lesson(pk):
    lesson = get_object_or_404(Lesson.objects.select_related("course"), pk=pk)
    if not lesson.course.live:
        raise Http404
    return lesson


@login_required
def lesson_detail(request, pk):
    """Show a lesson; opening it is what later allows it to be marked as done."""
    employee = _employee_or_404(request)
    lesson = _live_lesson(pk)
    progress = services.lesson_open(employee=employee, lesson=lesson)
    siblings = list(lesson.course.lessons.order_by("sort_order", "pk").values_list("pk", "title"))
    position = [pk for pk, _title in siblings].index(lesson.pk)
    players = video_lesson_players(employee=employee, lesson=lesson)
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "progress": progress,
        "body": [(block, players.get(block.id)) for block in lesson.body],
        "video_players": players,
        "scorm_scos": scorm_lesson_scos(employee=employee, lesson=lesson),
        "number": position + 1,
        "total": len(siblings),
        "previous": siblings[position - 1] if position > 0 else None,
        "next": siblings[position + 1] if position + 1 < len(siblings) else None,
    }
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def lesson_done(request, pk):
    employee = _employee_or_404(request)
    lesson = _live_lesson(pk)
    try:
        services.lesson_complete(employee=employee, lesson=lesson)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("courses:lesson", pk=lesson.pk)
    siblings = list(lesson.course.lessons.order_by("sort_order", "pk").values_list("pk", flat=True))
    position = siblings.index(lesson.pk)
    if position + 1 < len(siblings):
        return redirect("courses:lesson", pk=siblings[position + 1])
    if Completion.objects.filter(
        employee=employee, course=lesson.course, source=Completion.Source.ONLINE
    ).exists():
        messages.success(
            request,
            _("You finished “%(course)s”: %(hours)s training hours recorded.")
            % {"course": lesson.course.title, "hours": lesson.course.hours},
        )
    return redirect(lesson.course.url)


# Enrolment and check-in -------------------------------------------------------------------------


@login_required
@require_POST
def session_enrol(request, pk):
    employee = _employee_or_404(request)
    session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=pk)
    if not session.course.live:
        raise Http404
    try:
        services.enrollment_create(session=session, employee=employee)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You are enrolled in %(session)s.") % {"session": session})
    return redirect(session.course.url)


@login_required
def check_in(request):
    """Check in with the session code; the session's QR code opens this page with it filled in."""
    employee = _employee_or_404(request)
    session = None
    session_id = request.POST.get("session") or request.GET.get("session")
    if session_id and str(session_id).isdigit():
        session = TrainingSession.objects.filter(pk=session_id).first()
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and not ratelimit.allow(
        f"check-in:{request.user.pk}", limit=settings.COURSES_CHECK_IN_TRIES_PER_MINUTE, window=60
    ):
        form.is_valid()
        form.add_error("code", _("Too many check-in tries: wait a minute and try again."))
    elif request.method == "POST" and form.is_valid():
        try:
            attendance = services.check_in(
                employee=employee, code=form.cleaned_data["code"], session=session
            )
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            messages.success(
                request,
                _("Checked in to %(session)s.") % {"session": attendance.session},
            )
            return redirect("portal:section", section="learning")
    return render(request, "courses/check_in.html", {"form": form, "session": session})


# Trainer's roster -------------------------------------------------------------------------------


def qr_svg(text):
    """An inline SVG QR code (no image library needed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Escaped by the library: the URL is ours and the SVG holds only paths.
    return mark_safe(svg)  # noqa: S308


def _can_take_attendance(user, session):
    if has_role(user, Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP):
        return True
    employee = get_employee(user)
    return employee is not None and employee.pk == session.trainer_id


@login_required
def roster(request, pk):
    """A phone-friendly roster: tick who is there (or tick all), then save once."""
    session = get_object_or_404(TrainingSession.objects.select_related("course", "trainer"), pk=pk)
    if not _can_take_attendance(request.user, session):
        raise PermissionDenied
    if request.method == "POST":
        present_ids = [v for v in request.POST.getlist("present") if v.isdigit()]
        try:
            result = services.attendance_record(
                session=session, present_ids=present_ids, acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)s present, %(absent)s absent.") % result,
            )
            return redirect("courses:roster", pk=session.pk)
    attendance = Attendance.objects.filter(
        session_id=session.pk, employee_id=OuterRef("employee_id")
    )
    enrollments = (
        session.enrollments.select_related("employee__department")
        .annotate(
            present=Exists(attendance.filter(present=True)),
            recorded=Exists(attendance),
        )
        .order_by("employee__department__path", "employee__number")
    )
    rows = list(enrollments)
    check_in_url = request.build_absolute_uri(
        reverse("courses:check_in") + f"?session={session.pk}&code={session.check_in_code}"
    )
    context = {
        "session": session,
        "rows": rows,
        "present_count": sum(1 for r in rows if r.present),
        "recorded": any(r.recorded for r in rows),
        "check_in_url": check_in_url,
        "check_in_qr": qr_svg(check_in_url),
        "started": session.starts_at <= timezone.now(),
    }
    return render(request, "courses/roster.html", context)


# Calendar ----------------------------------------------------------------------------------


def calendar_token(employee):
    return signing.dumps(employee.pk, salt=CALENDAR_SALT)


def _ical_escape(text):
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _ical_time(value):
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_feed(request, token):
    """The employee's sessions as an iCal feed; the signed token stands in for a sign-in."""
    try:
        employee_pk = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature:
        raise Http404 from None
    sessions = (
        TrainingSession.objects.filter(enrollments__employee_id=employee_pk)
        .select_related("course")
        .order_by("starts_at")
    )
    stamp = _ical_time(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Grid Academy//Training//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ical_escape(_('Training sessions'))}",
    ]
    for session in sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@grid-academy",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ical_time(session.starts_at)}",
            f"DTEND:{_ical_time(session.ends_at)}",
            f"SUMMARY:{_ical_escape(session.display_title)}",
            f"LOCATION:{_ical_escape(session.location)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="training.ics"'
    return response


# Effectiveness report --------------------------------------------------------------------


@login_required
def course_report(request, pk):
    """Per session: attendance, practical checks and questionnaire answers side by side."""
    if not has_role(request.user, Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP):
        raise PermissionDenied
    course = get_object_or_404(CoursePage, pk=pk)

    sessions = (
        TrainingSession.objects.filter(course=course)
        .select_related("trainer")
        .annotate(
            enrolled=Count("enrollments", distinct=True),
            present=Count("attendances", filter=Q(attendances__present=True), distinct=True),
        )
        .order_by("-starts_at")
    )
    checks = {
        row["session_id"]: row
        for row in PracticalCheck.objects.filter(session__course=course)
        .values("session_id")
        .annotate(
            checked=Count("pk"),
            passed=Count("pk", filter=Q(passed=True)),
            average=Avg("score"),
        )
    }
    progress = LessonProgress.objects.filter(lesson__course=course, completed_at__isnull=False)

    answers = {}
    submissions = list(
        QuestionnaireSubmission.objects.filter(session__course=course).values_list(
            "session_id", "page_id", "form_data"
        )
    )
    questionnaire = _questionnaire_fields(course)
    # The rating is the mean of the answers to number questions, which the form pages store as
    # text ("4"), like every other answer.
    number_fields = {
        page_id: [field.clean_name for field in fields if field.field_type == "number"]
        for page_id, fields in questionnaire[1].items()
    }
    for session_id, page_id, data in submissions:
        summary = answers.setdefault(session_id, {"count": 0, "numbers": []})
        summary["count"] += 1
        summary["numbers"] += [
            float(data[name])
            for name in number_fields.get(page_id, [])
            if data.get(name) not in (None, "")
        ]

    sessions = list(sessions)
    exams = course_exam_results(course, [session.pk for session in sessions])
    rows = []
    for session in sessions:
        summary = answers.get(session.pk)
        if summary and summary["numbers"]:
            summary["average"] = sum(summary["numbers"]) / len(summary["numbers"])
        rows.append(
            {
                "session": session,
                "checks": checks.get(session.pk, {}),
                "answers": summary,
                "exam": exams.get(session.pk),
            }
        )
    context = {
        "course": course,
        "rows": rows,
        "questionnaire_summaries": _questionnaire_summaries(
            course, submissions, questionnaire=questionnaire
        ),
        "online_learners": progress.values("employee_id").distinct().count(),
        "completions": Completion.objects.filter(course=course).count(),
    }
    return render(request, "courses/course_report.html", context)


def _questionnaire_fields(course):
    """The course's questionnaires ({pk: page}) and their fields ({page pk: [field]})."""
    pages = {page.pk: page for page in QuestionnairePage.objects.filter(course=course)}
    fields = {}
    for field in QuestionnaireField.objects.filter(page_id__in=pages).order_by("sort_order"):
        fields.setdefault(field.page_id, []).append(field)
    return pages, fields


def _questionnaire_summaries(course, submissions, *, questionnaire=None):
    """Per questionnaire and question: the average of numbers, the count of each choice."""

    pages, fields = questionnaire or _questionnaire_fields(course)
    summaries = []
    for page_id, page in pages.items():
        answers = [data for _s, p, data in submissions if p == page_id]
        questions = []
        for field in fields.get(page_id, []):
            values = [
                a.get(field.clean_name)
                for a in answers
                if a.get(field.clean_name) not in (None, "")
            ]
            if field.field_type == "number":
                numbers = [float(v) for v in values]
                result = f"{sum(numbers) / len(numbers):.1f}" if numbers else "—"
            elif field.field_type in ("radio", "dropdown", "checkboxes", "multiselect"):
                counts = {}
                for value in values:
                    for choice in value if isinstance(value, list) else [value]:
                        counts[choice] = counts.get(choice, 0) + 1
                result = "；".join(f"{choice} {n}" for choice, n in counts.items()) or "—"
            else:
                result = len(values)
            questions.append({"label": field.label, "result": result})
        summaries.append({"page": page, "count": len(answers), "questions": questions})
    return summaries


def plan_export(request, pk):
    """The training plan's items as an XLSX workbook (admin URL)."""

    if not has_role(request.user, Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP):
        raise PermissionDenied
    plan = get_object_or_404(TrainingPlanPage, pk=pk)
    resource = PlanItemResource()
    dataset = resource.export(queryset=resource.get_queryset().filter(plan=plan))
    data = FORMATS["xlsx"]().export_data(dataset)
    response = HttpResponse(data, content_type=FORMATS["xlsx"]().get_content_type())

    response["Content-Disposition"] = content_disposition_header(
        True, f"training-plan-{plan.year}-{plan.pk}.xlsx"
    )
    return response


@login_required
def catalogue(request):
    """The course catalogue, from the portal menu."""
    return redirect_to_first_live(CourseIndexPage.objects.all())


@login_required
def training_plan(request):
    """This year's training plan if one is published, otherwise the plan library."""
    return redirect_to_first_live(
        TrainingPlanPage.objects.filter(year=timezone.localdate().year),
        TrainingPlanIndexPage.objects.all(),
    )


class RequiredTrainingMatrixView(WagtailAdminTemplateMixin, TemplateView):
    """Positions × courses for HR (the company) and department managers (their subtree): in
    each cell the people the rules ask the course of, how many are done, how many overdue."""

    template_name = "courses/admin/required_matrix.html"
    page_title = gettext_lazy("Required-training matrix")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        # The header names the page (without this it read only 首页, "Home").
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        self.employees = requirements.employees_in_scope(request.user)
        if self.employees is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        positions, courses, cells = requirements.matrix(self.employees, today=timezone.localdate())
        context["courses"] = courses
        context["rows"] = [
            {
                "position": position,
                "cells": [cells.get((position.pk, course.pk)) for course in courses],
            }
            for position in positions
        ]
        return context
