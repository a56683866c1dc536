from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.hooks import (
    API_ROUTER_HOOK,
    APPRAISAL_INDICATOR_SOURCE_HOOK,
    ARCHIVE_SOURCE_HOOK,
    AUDIT_TRAIL_ACTIONS_HOOK,
    DASHBOARD_FIGURE_HOOK,
    DEMO_SEED_HOOK,
    NOTIFICATION_KIND_HOOK,
    PORTAL_MENU_HOOK,
    PORTAL_PANEL_HOOK,
    TRAINING_ACTION_HOOK,
    TRAINING_RUN_SOURCE_HOOK,
    WORKBENCH_HOOK,
)
from lms.roles import Role, has_role

from . import buttons, services
from .demo import CoursesDemoSeeder
from .integrations import (
    MyLearningPanel,
    TeamCompliancePanel,
    TrainerSessionsPanel,
    archive_entries,
    dashboard_figures,
    indicator_sources,
    menu_links,
    training_run,
    workbench_items,
)
from .scorm import records as scorm_records
from .video import records as video_records
from .viewsets import TrainingViewSetGroup


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


hooks.register(WORKBENCH_HOOK, workbench_items)
hooks.register(PORTAL_MENU_HOOK, menu_links)


@hooks.register(PORTAL_PANEL_HOOK)
def register_my_learning_panel():
    return [MyLearningPanel(), TrainerSessionsPanel(), TeamCompliancePanel()]


@hooks.register(ARCHIVE_SOURCE_HOOK)
def register_training_archive(employee, *, year=None):
    return archive_entries(employee, year=year)


@hooks.register(ARCHIVE_SOURCE_HOOK)
def register_scorm_archive(employee, *, year=None):
    return scorm_records.archive_entries(employee, year=year)


@hooks.register(ARCHIVE_SOURCE_HOOK)
def register_video_archive(employee, *, year=None):
    return video_records.archive_entries(employee, year=year)


@hooks.register(APPRAISAL_INDICATOR_SOURCE_HOOK)
def register_training_indicators():
    return indicator_sources()


@hooks.register(TRAINING_ACTION_HOOK)
def register_drill_training_action(action):
    services.assignments_for_drill_action(action)


@hooks.register(DEMO_SEED_HOOK)
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
        "courses.video_watched", _("Watch a lesson video"), _("Lesson video watched")
    )
    actions.register_action(
        "courses.drill_action_assigned",
        _("Assign training from a drill"),
        _("Training assigned for a drill's corrective action"),
    )


@hooks.register(AUDIT_TRAIL_ACTIONS_HOOK)
def register_courses_audit_actions():
    return [("courses.practical_check_recorded", _("Practical check recorded"))]


@hooks.register("register_admin_urls")
def register_training_admin_urls():
    from django.urls import path

    from .views import RequiredTrainingMatrixView, plan_export

    return [
        path("training/plans/<int:pk>/export/", plan_export, name="courses_plan_export"),
        path(
            "training/required-matrix/",
            RequiredTrainingMatrixView.as_view(),
            name="courses_required_matrix",
        ),
    ]


class _MatrixMenuItem(MenuItem):
    """Shown to HR and department managers, who have a matrix."""

    def is_shown(self, request):
        return has_role(request.user, Role.HR, Role.MANAGER)


@hooks.register("register_admin_menu_item")
def register_required_matrix_menu_item():
    return _MatrixMenuItem(
        _("Required-training matrix"),
        reverse_lazy("courses_required_matrix"),
        icon_name="table",
        order=805,
    )


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


@hooks.register(TRAINING_RUN_SOURCE_HOOK)
def register_training_run_source(session_id):
    return training_run(session_id)


@hooks.register(DASHBOARD_FIGURE_HOOK)
def register_compliance_figure():
    return dashboard_figures()


@hooks.register(API_ROUTER_HOOK)
def register_api_router():
    from lms.api import ApiRouter

    from .api import router

    return ApiRouter("", router)


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_notification_kinds():
    from .notifications import kinds

    return kinds()


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
