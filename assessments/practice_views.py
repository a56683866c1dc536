"""Practice pages of the employee portal (docs/practice.md): the practice home with the mastery
chart, 每日一练 one question at a time, the 错题本, mock exams, and trainers' mastery by
department. Plain forms: every page works on a phone without script."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.roles import Role, get_employee, has_role

from . import practice, services
from .answers import render_answer
from .models import (
    Attempt,
    AttemptError,
    DailyPractice,
    Exam,
    PracticeAnswer,
    PracticeCard,
    PracticeSource,
    Question,
    QuestionType,
)
from .models.questions import CHOICE_TYPES

TEAM_ROLES = (Role.MANAGER, Role.TRAINER, Role.HR)


def _employee_or_404(request):
    employee = get_employee(request.user)
    if employee is None:
        raise Http404
    return employee


def _first_error(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def practice_home(request):
    employee = _employee_or_404(request)
    services.practice_sync(employee=employee)
    today = timezone.localdate()
    daily = DailyPractice.objects.filter(employee=employee, day=today).first()
    answered = PracticeAnswer.objects.filter(
        employee=employee, day=today, source=PracticeSource.DAILY
    ).aggregate(total=Count("pk"), right=Count("pk", filter=Q(correct=True)))
    cards = (
        PracticeCard.objects.for_employee(employee)
        .practisable()
        .exclude(question_id__in=services.confidential_question_ids())  # as the book lists them
        .aggregate(
            in_book=Count("pk", filter=Q(retired_at__isnull=True)),
            retired=Count("pk", filter=Q(retired_at__isnull=False)),
            due=Count("pk", filter=Q(due_on__lte=today)),
        )
    )
    mock_attempts = list(
        Attempt.objects.filter(employee=employee, exam__kind=Exam.Kind.MOCK)
        .select_related("exam")
        .order_by("-started_at")[:5]
    )
    return render(
        request,
        "assessments/practice_home.html",
        {
            "daily": daily,
            "daily_size": len(daily.question_ids) if daily else None,
            "answered": answered,
            "cards": cards,
            "mastery": practice.mastery_for(PracticeAnswer.objects.for_employee(employee)),
            "mock_exams": practice.mock_candidates(employee),
            "mock_attempts": mock_attempts,
            "can_see_team": has_role(request.user, *TEAM_ROLES),
            "settings_daily": settings.PRACTICE_DAILY_QUESTIONS,
            "retire_streak": settings.PRACTICE_RETIRE_STREAK,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def practice_daily(request):
    employee = _employee_or_404(request)
    daily = services.daily_practice_for(employee=employee)
    if request.method == "POST":
        try:
            answer = services.daily_answer(
                employee=employee,
                daily=daily,
                question_id=request.POST.get("question"),
                data=request.POST,
            )
        except ValidationError as error:
            messages.error(request, _first_error(error))
            return redirect("assessments:practice_daily")
        return redirect("assessments:practice_feedback", pk=answer.pk)
    answers = {
        answer.question_id: answer
        for answer in PracticeAnswer.objects.filter(
            employee=employee, day=daily.day, source=PracticeSource.DAILY
        )
    }
    pending = [pk for pk in daily.question_ids if pk not in answers]
    question = Question.objects.filter(pk=pending[0]).first() if pending else None
    return render(
        request,
        "assessments/practice_daily.html",
        {
            "daily": daily,
            "total": len(daily.question_ids),
            "done": len(daily.question_ids) - len(pending),
            "right": sum(1 for answer in answers.values() if answer.correct),
            "position": len(daily.question_ids) - len(pending) + 1,
            "question": practice.practice_question(question) if question else None,
            "body_class": "narrow",
        },
    )


def _shown_response(question: Question, response) -> str:
    """A response (or key) as the learner reads it: letters, 对/错, the blanks' words."""
    if response is None or response == [] or response == "":
        return "—"
    if question.type in CHOICE_TYPES:
        values = response if isinstance(response, list) else [response]
        return "".join(sorted(str(v) for v in values))
    if question.type == QuestionType.TRUE_FALSE:
        return _("True") if response is True else _("False")
    if question.type == QuestionType.FILL:
        values = response if isinstance(response, list) else [response]
        return " | ".join(str(v) for v in values)
    return str(response)


def _shown_key(question: Question) -> str:
    if question.type == QuestionType.TRUE_FALSE:
        return _("True") if question.answer is True else _("False")
    if question.type == QuestionType.FILL:
        return " | ".join(" / ".join(alternatives) for alternatives in question.answer or [])
    return render_answer(question.type, question.answer)


@login_required
def practice_feedback(request, pk):
    """What the learner answered, whether it was right, the key and the explanation."""
    employee = _employee_or_404(request)
    answer = get_object_or_404(
        PracticeAnswer.objects.select_related("question"),
        pk=pk,
        employee=employee,
        source__in=(PracticeSource.DAILY, PracticeSource.WRONG_BOOK),
    )
    question = answer.question
    card = PracticeCard.objects.filter(employee=employee, question=question).first()
    next_card = None
    if answer.source == PracticeSource.WRONG_BOOK:
        next_card = (
            PracticeCard.objects.for_employee(employee)
            .in_book()
            .practisable()
            .exclude(question=question)
            .order_by("due_on", "-last_wrong_at", "pk")
            .first()
        )
    return render(
        request,
        "assessments/practice_feedback.html",
        {
            "answer": answer,
            "question": practice.practice_question(question),
            "explanation": question.explanation,
            "given": _shown_response(question, answer.response),
            "key": _shown_key(question),
            "card": card,
            "retire_streak": settings.PRACTICE_RETIRE_STREAK,
            "next_card": next_card,
            "edited": question.version != answer.question_version,
            "key_letters": question.answer if question.type in CHOICE_TYPES else [],
            "given_letters": answer.response
            if question.type in CHOICE_TYPES and isinstance(answer.response, list)
            else [],
            "body_class": "narrow",
        },
    )


@login_required
def wrong_book(request):
    employee = _employee_or_404(request)
    services.practice_sync(employee=employee)
    confidential = services.confidential_question_ids()
    cards = [
        card
        for card in PracticeCard.objects.for_employee(employee)
        .in_book()
        .practisable()
        .select_related("question")
        .order_by("due_on", "-last_wrong_at", "pk")
        if card.question_id not in confidential
    ]
    retired = PracticeCard.objects.for_employee(employee).filter(retired_at__isnull=False).count()
    return render(
        request,
        "assessments/wrong_book.html",
        {
            "cards": cards,
            "retired": retired,
            "retire_streak": settings.PRACTICE_RETIRE_STREAK,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def wrong_book_item(request, pk):
    employee = _employee_or_404(request)
    card = get_object_or_404(
        PracticeCard.objects.practisable().select_related("question"), pk=pk, employee=employee
    )
    if not card.in_book:
        messages.info(request, _("You have already answered that question right enough times."))
        return redirect("assessments:wrong_book")
    if card.question_id in services.confidential_question_ids():
        messages.info(request, _("That question is kept for a formal exam for now."))
        return redirect("assessments:wrong_book")
    if request.method == "POST":
        try:
            answer = services.wrong_book_answer(employee=employee, card=card, data=request.POST)
        except ValidationError as error:
            messages.error(request, _first_error(error))
            return redirect("assessments:wrong_book_item", pk=card.pk)
        return redirect("assessments:practice_feedback", pk=answer.pk)
    return render(
        request,
        "assessments/wrong_book_item.html",
        {
            "card": card,
            "question": practice.practice_question(card.question),
            "retire_streak": settings.PRACTICE_RETIRE_STREAK,
            "body_class": "narrow",
        },
    )


@require_POST
@login_required
def mock_start(request, pk):
    employee = _employee_or_404(request)
    exam = get_object_or_404(
        Exam.objects.for_employee(employee).filter(kind=Exam.Kind.FORMAL), pk=pk
    )
    try:
        attempt = services.mock_attempt_start(exam=exam, employee=employee)
    except AttemptError as error:
        messages.error(request, str(error))
        return redirect("assessments:practice_home")
    if not attempt.is_open:
        return redirect("assessments:attempt_result", pk=attempt.pk)
    return redirect("assessments:attempt_page", pk=attempt.pk)


@login_required
def team_mastery(request):
    """Mastery by knowledge point per department, within the user's scope (``visible_to``)."""
    if not has_role(request.user, *TEAM_ROLES):
        raise PermissionDenied
    return render(
        request,
        "assessments/team_mastery.html",
        {"departments": practice.mastery_by_department(request.user)},
    )
