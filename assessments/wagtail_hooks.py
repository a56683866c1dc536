from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.hooks import (
    API_ROUTER_HOOK,
    APPRAISAL_INDICATOR_SOURCE_HOOK,
    ARCHIVE_SOURCE_HOOK,
    AUDIT_TRAIL_ACTIONS_HOOK,
    COMPLETIONS_RECORDED_HOOK,
    COURSE_EXAM_RESULTS_HOOK,
    DASHBOARD_FIGURE_HOOK,
    DEMO_SEED_HOOK,
    JOB_KIND_HOOK,
    NOTIFICATION_KIND_HOOK,
    PORTAL_MENU_HOOK,
    PORTAL_PANEL_HOOK,
    SCHEDULED_JOB_HOOK,
    SESSION_KEEPALIVE_HOOK,
    WORKBENCH_HOOK,
)


@hooks.register("register_log_actions")
def register_assessment_log_actions(actions):
    actions.register_action("assessments.attempt_started", _("Start attempt"), _("Attempt started"))


@hooks.register(AUDIT_TRAIL_ACTIONS_HOOK)
def register_assessment_audit_actions():
    return [
        ("assessments.attempt_submitted", _("Attempt submitted")),
        ("assessments.item_graded", _("Answer graded")),
        ("assessments.regraded", _("Attempt regraded")),
        ("assessments.certificate_issued", _("Certificate issued")),
        ("assessments.certificate_revoked", _("Certificate revoked")),
        ("assessments.certificate_reissued", _("Certificate reissued")),
    ]


@hooks.register("register_admin_viewset")
def register_question_chooser():
    from .choosers import question_chooser_viewset

    return question_chooser_viewset


@hooks.register("register_admin_viewset")
def register_assessment_viewsets():
    from .viewsets import AssessmentsViewSetGroup

    return AssessmentsViewSetGroup()


@hooks.register(WORKBENCH_HOOK)
def assessments_workbench_items(request):
    from .integrations import workbench_items

    return workbench_items(request)


@hooks.register(ARCHIVE_SOURCE_HOOK)
def assessments_archive_source(employee, *, year=None):
    from .integrations import archive_entries

    return archive_entries(employee, year=year)


@hooks.register(APPRAISAL_INDICATOR_SOURCE_HOOK)
def assessments_indicator_sources():
    from .integrations import indicator_sources

    return indicator_sources()


@hooks.register(PORTAL_PANEL_HOOK)
def assessments_portal_panels():
    from .integrations import MyExamsPanel

    return MyExamsPanel()


@hooks.register(PORTAL_MENU_HOOK)
def assessments_menu_links():
    from lms.hooks import MenuLink

    return [MenuLink(_("Practice"), "assessments:practice_home", "✍", order=30)]


@hooks.register(DEMO_SEED_HOOK)
def assessments_demo_seed():
    from .demo import AssessmentsDemoSeeder

    return AssessmentsDemoSeeder()


@hooks.register(SCHEDULED_JOB_HOOK)
def register_assessment_jobs():
    from datetime import timedelta

    from django.conf import settings

    from lms.scheduling import ScheduledJob

    from .tasks import (
        announce_qualifications,
        fill_exam_papers,
        remind_expiring_certificates,
        submit_overdue_attempts,
    )

    return [
        # Attempts whose time ran out are submitted and graded even if nobody comes back.
        ScheduledJob(
            "assessments.submit_overdue_attempts",
            submit_overdue_attempts,
            timedelta(minutes=1),
            _("Submit expired exam attempts"),
        ),
        ScheduledJob(
            "assessments.fill_exam_papers",
            fill_exam_papers,
            timedelta(minutes=settings.EXAM_PAPERS_EVERY_MINUTES),
            _("Draw exam papers ahead"),
        ),
        ScheduledJob(
            "assessments.remind_expiring_certificates",
            remind_expiring_certificates,
            timedelta(days=1),
            _("Certificate expiry reminders"),
        ),
        ScheduledJob(
            "assessments.announce_qualifications",
            announce_qualifications,
            timedelta(days=1),
            _("Qualification expiry and lapse notices"),
        ),
    ]


@hooks.register(JOB_KIND_HOOK)
def register_assessment_job_kinds():
    from lms.jobs import JobKind

    return JobKind("assessments.certificate_bundle", _("Certificates zip"))


@hooks.register(COURSE_EXAM_RESULTS_HOOK)
def assessments_course_exam_results(course, session_ids):
    from .integrations import course_exam_results

    return course_exam_results(course, session_ids)


@hooks.register(COMPLETIONS_RECORDED_HOOK)
def assessments_course_completion_certificates(completions):
    from .integrations import certificates_for_completions

    certificates_for_completions(completions)


@hooks.register(DASHBOARD_FIGURE_HOOK)
def assessments_dashboard_figures():
    from .integrations import dashboard_figures

    return dashboard_figures()


@hooks.register(SESSION_KEEPALIVE_HOOK)
def exam_in_progress_keeps_the_session(user):
    """Session time limits never cut off a timed exam: an open attempt keeps its taker signed
    in until its deadline (plus the grace for answers in flight). An untimed attempt (an open
    practice quiz) keeps nothing: it would exempt the session from the idle timeout forever."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import Attempt

    grace = timedelta(seconds=settings.ASSESSMENTS_SAVE_GRACE_SECONDS)
    return (
        Attempt.objects.open()
        .filter(employee__user=user)
        .filter(deadline__isnull=False, deadline__gt=timezone.now() - grace)
        .exists()
    )


@hooks.register(API_ROUTER_HOOK)
def register_api_router():
    from lms.api import ApiRouter

    from .api import router

    return ApiRouter("", router)


@hooks.register(NOTIFICATION_KIND_HOOK)
def register_notification_kinds():
    from .notifications import kinds

    return kinds()
