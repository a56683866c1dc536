"""Extension points through which the domain apps contribute to shared screens.

Each hook is a Wagtail hook (``wagtail.hooks.register(NAME)``). ``lms`` and ``careers`` read them;
the domain apps register into them, so a new source plugs in without touching its consumers.

``register_portal_panel``
    A function returning a ``lms.portal.PortalPanel`` instance (or a list of them), shown in one
    section of the employee portal.

``register_archive_source``
    A function ``fn(employee, *, year=None) -> Iterable[ArchiveEntry]`` listing the employee's
    records for the training archive (一人一档) and the portal.

``register_appraisal_indicator_source``
    A function returning an ``IndicatorSource`` (or a list of them) that appraisal indicators can
    take their values from.

``register_workbench_items``
    A function ``fn(request) -> Iterable[WorkItem]``: what is waiting for the signed-in user in
    this app (answers to grade, sheets to fill…), shown on the portal home grouped by role. It
    returns nothing for users whose roles have no such work, and runs a fixed number of queries.

``register_portal_menu_item``
    A function returning a ``MenuLink`` (or a list of them): a place every signed-in employee may
    open from the portal menu (the course catalogue, the plan library…). No queries.

``register_api_router``
    A function returning an ``lms.api.ApiRouter`` (or a list of them): a django-ninja router
    the app owns, mounted under ``/api/v1/<prefix>``. Every operation scopes its rows with
    ``visible_to(request.user)`` and is declared in the authorisation matrix.

``register_session_keepalive``
    A function ``fn(user) -> bool``: True while the user has work in progress that the session
    time limits must not cut off (an open exam attempt). Asked only when a limit has passed
    (``lms.security.SessionTimeoutMiddleware``).

``register_dashboard_figure``
    A function returning a ``DashboardFigure`` (or a list of them), shown on the careers
    dashboard with its own XLSX export.

``register_training_run_source``
    A function ``fn(session_id) -> TrainingRun | None`` giving one training run (一期一档):
    the session, its roster with attendance and practical checks, the exam and the questionnaire
    summary. ``courses`` registers one; careers prints it.

``register_course_exam_results``
    A function ``fn(course, session_ids) -> {session_id: ExamSummary}``: how each training
    session's participants did in the course exam. ``assessments`` registers one.

``register_course_completions_recorded``
    A function ``fn(completions)`` called inside the transaction that saves new completions, e.g.
    so that ``assessments`` issues the certificates configured for completing a course.

``drills_training_action_created``
    A function ``fn(action)`` called once a corrective action of the training element commits, so
    that ``courses`` assigns the course it names to the drill's participants.

``register_scheduled_job`` (``lms.scheduling.ScheduledJob``), ``register_background_job_kind``
(``lms.jobs.JobKind``), ``register_audit_trail_actions`` (``(name, label)`` pairs, ``lms.audit``)
and ``register_demo_seed`` (a seeder with ``seed()`` and ``reset()``) are read by the platform.

``register_notification_kind``
    A function returning a ``lms.notifications.kinds.EventKind`` (or a list of them): an event an
    app announces through the notification service (``lms.notifications.services.emit``), with
    its payload dataclass, default channels and wording.

Every hook's name is a constant below, imported by the app that reads it and by the apps that
register into it; each hook runs a fixed number of queries whatever the number of rows, and
returns ``None``, one item or a list of items (``collect``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

# The catalogue: every hook's name, in one place.
PORTAL_PANEL_HOOK = "register_portal_panel"
ARCHIVE_SOURCE_HOOK = "register_archive_source"
APPRAISAL_INDICATOR_SOURCE_HOOK = "register_appraisal_indicator_source"
WORKBENCH_HOOK = "register_workbench_items"
PORTAL_MENU_HOOK = "register_portal_menu_item"
SESSION_KEEPALIVE_HOOK = "register_session_keepalive"
DASHBOARD_FIGURE_HOOK = "register_dashboard_figure"
TRAINING_RUN_SOURCE_HOOK = "register_training_run_source"
COURSE_EXAM_RESULTS_HOOK = "register_course_exam_results"
COMPLETIONS_RECORDED_HOOK = "register_course_completions_recorded"
TRAINING_ACTION_HOOK = "drills_training_action_created"
SCHEDULED_JOB_HOOK = "register_scheduled_job"
JOB_KIND_HOOK = "register_background_job_kind"
AUDIT_TRAIL_ACTIONS_HOOK = "register_audit_trail_actions"
DEMO_SEED_HOOK = "register_demo_seed"
API_ROUTER_HOOK = "register_api_router"
NOTIFICATION_KIND_HOOK = "register_notification_kind"


def collect(name: str, *args, **kwargs) -> list:
    """What every function registered under hook ``name`` returns for these arguments, as one
    list (a function may return None, one item or a list of items)."""
    return list(_flatten(fn(*args, **kwargs) for fn in hooks.get_hooks(name)))


@dataclass(frozen=True)
class WorkItem:
    """A line on someone's workbench: what waits for them, how many, and where to do it."""

    role: str  # the Role (group name) whose work this is: the workbench groups by it
    label: str
    url: str
    count: int | None = None  # None: a place to go (a dashboard), not a count of things
    attention: bool = False  # overdue or otherwise urgent
    role_label: str = ""  # for a group that is not a Role (the training manager): its name


@dataclass(frozen=True)
class MenuLink:
    """An entry of the portal menu after the personal sections."""

    title: str
    url_name: str
    icon: str
    order: int = 100


class ArchiveCategory(models.TextChoices):
    TRAINING = "training", _("Training")
    ATTENDANCE = "attendance", _("Attendance")
    EXAM = "exam", _("Exam")
    CERTIFICATE = "certificate", _("Certificate")
    QUALIFICATION = "qualification", _("Qualification")
    DRILL = "drill", _("Drill")
    DEVELOPMENT = "development", _("Development plan")
    ROTATION = "rotation", _("Job rotation")
    APPRAISAL = "appraisal", _("Appraisal")
    ONLINE_STUDY = "online_study", _("Online study")


class ArchiveOutcome(models.TextChoices):
    """How a record turned out, where that decides whether it earns training hours (the
    training-hours rules, which HR keeps, name the outcomes that earn none)."""

    PASSED = "passed", _("Formal exam passed")
    FAILED = "failed", _("Formal exam failed")
    FAILED_AUTO = "failed_auto", _("Formal exam failed, submitted when time ran out")
    PRACTICE_PASSED = "practice_passed", _("Practice passed")
    PRACTICE_FAILED = "practice_failed", _("Practice failed")
    PRACTICE_FAILED_AUTO = (
        "practice_failed_auto",
        _("Practice failed, submitted when time ran out"),
    )
    # Online study (SCORM time, watched video) of a course the employee has completed: the
    # completion credits the course's hours, which cover that study.
    STUDY_IN_COMPLETED_COURSE = (
        "study_in_completed_course",
        _("Online study of a course already completed"),
    )


@dataclass(frozen=True)
class ArchiveEntry:
    """One record in an employee's training archive."""

    date: date
    category: str
    title: str
    detail: str = ""
    hours: Decimal | None = None
    score: Decimal | None = None
    url: str = ""
    source: str = ""
    outcome: str = ""  # an ArchiveOutcome where the record has one

    @property
    def category_label(self):
        try:
            return ArchiveCategory(self.category).label
        except ValueError:
            return self.category


@dataclass(frozen=True)
class DashboardFigure:
    """A per-department figure built from per-employee numbers (``register_dashboard_figure``).

    ``compute(employee_ids, today=day)`` returns ``{employee_id: {column_key: number}}`` as at
    ``day`` (the dashboard's year: today, or 31 December of an earlier year) in a fixed number of
    queries; careers adds the numbers up per department (and for the company). ``columns`` is a
    sequence of ``(key, label)``. If ``rate`` is ``(numerator_key, denominator_key, label)`` a
    ratio column is added and charted (a percentage if ``percent``, else a mean such as an
    average score: then the denominator is a count and the numerator a sum, which may be one of
    the ``hidden`` keys that are added up but not shown); otherwise the first column is charted.
    """

    key: str
    label: str
    columns: tuple[tuple[str, str], ...]
    compute: Callable[[Iterable[int]], dict[int, dict[str, object]]]
    rate: tuple[str, str, str] | None = None
    percent: bool = True
    order: int = 100


@dataclass(frozen=True)
class TrainingRunAttendee:
    """One person on a training run's roster (``TrainingRun.roster``)."""

    number: str
    name: str
    department: str
    enrolled: bool
    present: bool | None  # None: attendance not recorded
    check_passed: bool | None  # None: no practical check recorded
    check_score: Decimal | None = None


@dataclass(frozen=True)
class TrainingRunQuestion:
    """A question of a questionnaire and its answers summed up (an average, counts per choice)."""

    label: str
    result: str


@dataclass(frozen=True)
class TrainingRunQuestionnaire:
    """A questionnaire of the run's course with the answers given for this run."""

    title: str
    count: int
    questions: tuple[TrainingRunQuestion, ...] = ()


@dataclass(frozen=True)
class TrainingRun:
    """One training run (一期一档) as ``register_training_run_source`` gives it: the session, its
    roster, the practical checks, the exam results and the questionnaire summary."""

    session_id: int
    title: str
    course: str
    code: str
    starts_at: datetime  # local time
    ends_at: datetime  # local time
    location: str
    hours: Decimal
    trainer: str  # the trainer's name
    trainer_id: int  # the trainer's Employee pk
    capacity: int
    roster: tuple[TrainingRunAttendee, ...]
    enrolled_count: int
    present_count: int
    checked_count: int
    passed_count: int
    exam: str  # "passed / taken · average", or "" without an exam
    questionnaire_count: int
    questionnaires: tuple[TrainingRunQuestionnaire, ...]


def _flatten(results):
    for result in results:
        if result is None:
            continue
        if isinstance(result, list | tuple):
            yield from result
        else:
            yield result


def archive_entries(employee, *, year: int | None = None, categories=None) -> list[ArchiveEntry]:
    """Every archive entry the registered sources give for the employee, newest first.

    A page that shows the archive in several places (the portal home: the section cards and the
    archive panel's hours) sets ``employee._archive_memo = {}`` first, and the sources are then
    read once while that page renders (a year's entries are taken from all years' when those
    were read)."""
    memo = getattr(employee, "_archive_memo", None)
    if memo is not None and year in memo:
        entries = list(memo[year])
    elif memo is not None and None in memo:  # every year's entries: this year's are among them
        entries = list(memo[None])
    else:
        entries = []
        for source in hooks.get_hooks(ARCHIVE_SOURCE_HOOK):
            entries.extend(source(employee, year=year))
        if memo is not None:
            memo[year] = list(entries)
    if year is not None:
        entries = [entry for entry in entries if entry.date.year == year]
    if categories is not None:
        entries = [entry for entry in entries if entry.category in categories]
    entries.sort(key=lambda entry: (entry.date, entry.title), reverse=True)
    return entries


@dataclass(frozen=True)
class IndicatorReading:
    """A computed value for one subject, with the records that produced it."""

    value: Decimal
    # (label, url) pairs of the records behind the value, so appraisal can explain itself.
    records: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IndicatorSource:
    """A named, computable input for appraisal indicators.

    ``compute(start, end, subject_ids)`` returns ``{subject_id: IndicatorReading}`` for the
    period [start, end]; subjects without data are left out. It must run a fixed number of
    queries whatever the number of subjects.
    """

    key: str
    label: str
    subject: str  # "employee" or "department"
    compute: Callable[[date, date, Iterable[int]], dict[int, IndicatorReading]]
    unit: str = ""
    description: str = field(default="", compare=False)


def appraisal_indicator_sources() -> dict[str, IndicatorSource]:
    """All registered indicator sources by key."""
    sources = {}
    for fn in hooks.get_hooks(APPRAISAL_INDICATOR_SOURCE_HOOK):
        for source in _flatten([fn()]):
            sources[source.key] = source
    return sources
