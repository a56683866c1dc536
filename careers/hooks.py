"""Extension points that careers offers to the other apps.

``register_training_run_source``
    A function ``fn(session_id) -> lms.hooks.TrainingRun | None`` giving one training run
    (一期一档): the session, its roster (``TrainingRunAttendee``: attendance True/False/None and the
    practical check), the exam as a short text and the questionnaire summary
    (``TrainingRunQuestionnaire`` with its ``TrainingRunQuestion`` rows). ``courses`` registers
    one. It must run a fixed number of queries whatever the size of the roster.

``register_dashboard_figure``
    A function returning a ``lms.hooks.DashboardFigure`` (or a list of them), shown on the
    careers dashboard with its own XLSX export.
"""

from wagtail import hooks

from lms.hooks import (
    DASHBOARD_FIGURE_HOOK,
    TRAINING_RUN_SOURCE_HOOK,
    DashboardFigure,
    TrainingRun,
    collect,
)

__all__ = ["DASHBOARD_FIGURE_HOOK", "TRAINING_RUN_SOURCE_HOOK", "DashboardFigure", "TrainingRun"]


def training_run(session_id) -> TrainingRun | None:
    """The first registered source that knows the session, or None."""
    for fn in hooks.get_hooks(TRAINING_RUN_SOURCE_HOOK):
        run = fn(session_id)
        if run is not None:
            return run
    return None


def dashboard_figures() -> list[DashboardFigure]:
    return sorted(collect(DASHBOARD_FIGURE_HOOK), key=lambda figure: (figure.order, figure.key))
