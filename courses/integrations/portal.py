"""The "My learning" panel of the employee portal."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import MenuLink, WorkItem
from lms.portal import PanelSummary, PortalPanel
from lms.roles import Role, get_employee, has_role, user_roles

from .. import requirements
from ..models import (
    TRAINING_MANAGER_GROUP,
    TRAINING_MANAGER_LABEL,
    Assignment,
    Attendance,
    CoursePage,
    Enrollment,
    LessonProgress,
    QuestionnairePage,
    QuestionnaireSubmission,
    TrainingSession,
)

# How far back a trainer's sessions without a recorded roster stay on their workbench.


class MyLearningPanel(PortalPanel):
    section = "learning"
    title = _("My learning")
    order = 10
    template_name = "courses/panels/my_learning.html"

    def get_context_data(self, request, employee):
        from ..views import calendar_token

        today = timezone.localdate()
        assignments = list(
            Assignment.objects.for_employee(employee)
            .select_related("course", "completion", "rule")
            .order_by("completion_id", "due_on")
        )
        for assignment in assignments:
            assignment.current_status = assignment.status
        # Every course a rule asks of the employee, done ones included (a completion that is
        # still valid leaves no open assignment); assignments no rule made are listed as before.
        required = requirements.requirements(
            [employee] if employee.department_id else [], today=today
        )
        assignments = [a for a in assignments if a.rule_id is None or not a.rule.active]
        sessions = list(
            Enrollment.objects.for_employee(employee)
            .filter(session__ends_at__gte=timezone.now())
            .select_related("session__course")
            .order_by("session__starts_at")
        )
        # Per-course progress: courses where the employee opened at least one lesson.
        course_ids = (
            LessonProgress.objects.for_employee(employee)
            .order_by()
            .values_list("lesson__course_id", flat=True)
            .distinct()
        )
        courses = (
            CoursePage.objects.live()
            .filter(pk__in=course_ids)
            .annotate(
                lesson_count=Count("lessons", distinct=True),
                lessons_done=Count(
                    "lessons__progress",
                    filter=Q(
                        lessons__progress__employee=employee,
                        lessons__progress__completed_at__isnull=False,
                    ),
                    distinct=True,
                ),
            )
            .order_by("title")
        )
        progress = []
        for course in courses:
            percent = (
                round(100 * course.lessons_done / course.lesson_count) if course.lesson_count else 0
            )
            progress.append({"course": course, "percent": percent})
        # Questionnaires still to answer for sessions attended within COURSES_QUESTIONNAIRE_DAYS.
        since = timezone.now() - timedelta(days=settings.COURSES_QUESTIONNAIRE_DAYS)
        attended = list(
            Attendance.objects.for_employee(employee)
            .filter(present=True, session__starts_at__gte=since)
            .select_related("session__course")
            .order_by("-session__starts_at")
        )
        questionnaires = {}
        if attended:
            for page in QuestionnairePage.objects.live().filter(
                course_id__in={a.session.course_id for a in attended}
            ):
                questionnaires.setdefault(page.course_id, page)
        answered = (
            set(
                QuestionnaireSubmission.objects.filter(employee=employee).values_list(
                    "page_id", "session_id"
                )
            )
            if questionnaires
            else set()
        )
        to_answer = []
        for attendance in attended:
            page = questionnaires.get(attendance.session.course_id)
            if page and (page.pk, attendance.session_id) not in answered:
                to_answer.append({"session": attendance.session, "page": page})
        return {
            "questionnaires": to_answer,
            "required": required,
            "open_assignments": [a for a in assignments if a.current_status != "done"],
            "done_assignments": [a for a in assignments if a.current_status == "done"],
            "sessions": sessions,
            "progress": progress,
            "today": today,
            "calendar_url": request.build_absolute_uri(
                reverse("courses:calendar", args=[calendar_token(employee)])
            ),
            "check_in_url": reverse("courses:check_in"),
        }

    def summary(self, request, employee):
        counts = (
            Assignment.objects.for_employee(employee)
            .open()
            .aggregate(
                open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate()))
            )
        )
        if counts["overdue"]:
            return PanelSummary(counts["overdue"], _("required courses overdue"), attention=True)
        if counts["open"]:
            return PanelSummary(counts["open"], _("required courses to complete"))
        return None  # nothing to do: the card shows the section's record count instead


class TrainerSessionsPanel(PortalPanel):
    """For trainers on their phones: the sessions they teach, one tap from the roster."""

    section = "learning"
    title = _("Sessions I teach")
    order = 5
    template_name = "courses/panels/trainer_sessions.html"

    def _sessions(self, employee):
        since = timezone.now() - timedelta(days=7)
        return TrainingSession.objects.filter(trainer=employee, ends_at__gte=since)

    def is_shown(self, request, employee):
        if employee is None:
            return False
        return has_role(request.user, Role.TRAINER, TRAINING_MANAGER_GROUP) or (
            self._sessions(employee).exists()
        )

    def get_context_data(self, request, employee):
        return {
            "teaching": list(
                self._sessions(employee)
                .select_related("course")
                .with_enrolled_count()
                .order_by("starts_at")[:20]
            )
        }


class TeamCompliancePanel(PortalPanel):
    """For managers and HR: required training due, overdue and done, per department."""

    section = "learning"
    title = _("Required training in my scope")
    order = 30
    template_name = "courses/panels/team_compliance.html"

    def is_shown(self, request, employee):
        return has_role(request.user, Role.MANAGER, Role.HR)

    def get_context_data(self, request, employee):
        today = timezone.localdate()
        rows = (
            Assignment.objects.visible_to(request.user)
            .values("employee__department__name", "employee__department__path")
            .annotate(
                done=Count("pk", filter=Q(completion__isnull=False)),
                overdue=Count("pk", filter=Q(completion__isnull=True, due_on__lt=today)),
                due=Count("pk", filter=Q(completion__isnull=True, due_on__gte=today)),
            )
            .order_by("employee__department__path")
        )
        return {"rows": list(rows), "admin_url": reverse("training_assignments:index")}


def _trainer_items(employee, now):
    """Sessions to run; each held session whose roster is still open (attendance not recorded
    within COURSES_ROSTER_DAYS of its end), linked to its roster; and, per course, the
    questionnaire answers that came in within COURSES_QUESTIONNAIRE_DAYS, linked to the
    course report that shows them. Three queries."""
    sessions = TrainingSession.objects.filter(trainer=employee)
    upcoming = sessions.filter(ends_at__gte=now).count()
    items = [
        WorkItem(Role.TRAINER, _("sessions to run"), reverse("training_sessions:index"), upcoming)
    ]
    open_rosters = (
        sessions.filter(
            ends_at__lt=now, ends_at__gte=now - timedelta(days=settings.COURSES_ROSTER_DAYS)
        )
        .exclude(pk__in=Attendance.objects.values("session_id"))
        .select_related("course")
        .with_enrolled_count()
        .order_by("ends_at")
    )
    for session in open_rosters:
        items.append(
            WorkItem(
                Role.TRAINER,
                _("roster to close: %(course)s, %(day)s")
                % {
                    "course": session.course.title,
                    "day": timezone.localtime(session.starts_at).strftime("%Y-%m-%d"),
                },
                reverse("courses:roster", args=[session.pk]),
                session.enrolled_count,
                attention=True,
            )
        )
    since = now - timedelta(days=settings.COURSES_QUESTIONNAIRE_DAYS)
    answers = (
        QuestionnaireSubmission.objects.filter(session__trainer=employee, submit_time__gte=since)
        .values("session__course_id", "session__course__title")
        .annotate(answers=Count("pk"))
        .order_by("session__course__title")
    )
    for row in answers:
        items.append(
            WorkItem(
                Role.TRAINER,
                _("questionnaire answers to read: %(course)s")
                % {"course": row["session__course__title"]},
                reverse("courses:course_report", args=[row["session__course_id"]]),
                row["answers"],
            )
        )
    return items


def _awaiting_approval_items():
    """Each course and training plan in an approval workflow, linked to its review in the
    admin. Two queries."""
    from wagtail.models import Page, WorkflowState

    waiting = list(
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            content_type__app_label="courses",
            content_type__model__in=["coursepage", "trainingplanpage"],
        )
        .order_by("created_at")
        .values_list("object_id", flat=True)
    )
    pages = Page.objects.filter(pk__in=[int(pk) for pk in waiting]).in_bulk()
    items = [
        WorkItem(
            TRAINING_MANAGER_GROUP,
            _("awaiting approval: %(page)s") % {"page": pages[int(pk)].title},
            reverse("wagtailadmin_pages:edit", args=[int(pk)]),
            attention=True,
            role_label=TRAINING_MANAGER_LABEL,
        )
        for pk in waiting
        if int(pk) in pages
    ]
    return [
        WorkItem(
            TRAINING_MANAGER_GROUP,
            _("courses and plans awaiting approval"),
            reverse("wagtailadmin_reports:workflow"),
            len(items),
            attention=bool(items),
            role_label=TRAINING_MANAGER_LABEL,
        ),
        *items,
    ]


def workbench_items(request):
    """Trainers: sessions to run, rosters to close, questionnaire answers to read; training
    managers: courses and plans awaiting approval; managers and HR: required training overdue
    in their scope."""
    user = request.user
    employee = get_employee(user)
    items = []
    now = timezone.now()
    if employee is not None and has_role(user, Role.TRAINER):
        items += _trainer_items(employee, now)
    if has_role(user, TRAINING_MANAGER_GROUP):
        items += _awaiting_approval_items()
    if has_role(user, Role.MANAGER, Role.HR):
        role = Role.MANAGER if Role.MANAGER in user_roles(user) else Role.HR
        overdue = Assignment.objects.visible_to(user).overdue().count()
        items.append(
            WorkItem(
                role,
                _("required courses overdue in my scope"),
                reverse("training_assignments:index") + "?status=overdue",
                overdue,
                attention=True,
            )
        )
        items.append(
            WorkItem(role, _("Required-training matrix"), reverse("courses_required_matrix"))
        )
    return items


def menu_links():
    return [
        MenuLink(_("Course catalogue"), "courses:catalogue", "📚", order=10),
        MenuLink(_("Training plan"), "courses:training_plan", "🗓", order=20),
    ]
