from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.hooks import (
    APPRAISAL_INDICATOR_SOURCE_HOOK,
    ARCHIVE_SOURCE_HOOK,
    PORTAL_MENU_HOOK,
    PORTAL_PANEL_HOOK,
    WORKBENCH_HOOK,
)

from . import buttons, portal, records, services
from .demo import CoursesDemoSeeder
from .hooks import DRILL_TRAINING_ACTION_HOOK
from .portal import MyLearningPanel, TeamCompliancePanel, TrainerSessionsPanel
from .viewsets import TrainingViewSetGroup


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


hooks.register(WORKBENCH_HOOK, portal.workbench_items)
hooks.register(PORTAL_MENU_HOOK, portal.menu_links)


@hooks.register(PORTAL_PANEL_HOOK)
def register_my_learning_panel():
    return [MyLearningPanel(), TrainerSessionsPanel(), TeamCompliancePanel()]


@hooks.register(ARCHIVE_SOURCE_HOOK)
def register_training_archive(employee, *, year=None):
    return records.archive_entries(employee, year=year)


@hooks.register(APPRAISAL_INDICATOR_SOURCE_HOOK)
def register_training_indicators():
    return records.indicator_sources()


@hooks.register(DRILL_TRAINING_ACTION_HOOK)
def register_drill_training_action(action):
    services.assignments_for_drill_action(action)


@hooks.register("register_demo_seed")
def register_courses_demo():
    return CoursesDemoSeeder()


@hooks.register("register_log_actions")
def register_courses_log_actions(actions):
    actions.register_action(
        "courses.attendance_recorded", _("Record attendance"), _("Attendance recorded")
    )
    actions.register_action(
        "courses.rule_applied", _("Apply training rule"), _("Training assignments created")
    )
    actions.register_action(
        "courses.drill_action_assigned",
        _("Assign training from a drill"),
        _("Training assigned for a drill's corrective action"),
    )


@hooks.register("register_audit_trail_actions")
def register_courses_audit_actions():
    return [("courses.practical_check_recorded", _("Practical check recorded"))]


@hooks.register("register_admin_urls")
def register_training_admin_urls():
    from django.urls import path

    from .views import plan_export

    return [path("training/plans/<int:pk>/export/", plan_export, name="courses_plan_export")]


@hooks.register("register_page_header_buttons")
def training_page_header_buttons(page, user, next_url=None, view_name=None):
    return buttons.page_header_buttons(page, user)


try:  # the foundation's scheduler (lms.scheduling) runs daily jobs where it exists
    from lms.scheduling import SCHEDULED_JOB_HOOK, ScheduledJob
except ImportError:  # pragma: no cover - older foundation: use manage.py training_daily
    ScheduledJob = None

if ScheduledJob is not None:

    @hooks.register(SCHEDULED_JOB_HOOK)
    def register_training_jobs():
        from datetime import timedelta

        from .tasks import refresh_required_training, send_training_reminders

        return [
            ScheduledJob(
                "courses.refresh_required_training",
                refresh_required_training,
                timedelta(days=1),
                _("Required training refresh"),
            ),
            ScheduledJob(
                "courses.send_training_reminders",
                send_training_reminders,
                timedelta(days=1),
                _("Training reminders"),
            ),
        ]


@hooks.register("register_training_run_source")
def register_training_run_source(session_id):
    from .runs import training_run

    return training_run(session_id)


@hooks.register("register_dashboard_figure")
def register_compliance_figure():
    from .dashboard import dashboard_figures

    return dashboard_figures()


@hooks.register("before_serve_document")
def course_documents_follow_the_course(document, request):
    """A document in a course's materials is served only to people who may open that course
    (or another course that holds it): not to whoever guesses its id while the course is a
    draft or kept to some groups by its page privacy."""
    from django.http import Http404

    from .models import CoursePage

    courses = CoursePage.objects.using_document(document)
    if courses.exists() and not courses.open_to(request):
        raise Http404
    return None
