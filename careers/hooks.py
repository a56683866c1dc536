"""Extension points that careers offers to the other apps.

``register_training_run_source``
    A function ``fn(session_id) -> dict | None`` giving one training run (一期一档) as plain data:
    ``title``, ``course``, ``code``, ``starts_at``, ``ends_at``, ``location``, ``hours``,
    ``trainer`` (name), ``trainer_id`` (Employee pk), ``roster`` (list of dicts with ``number``,
    ``name``, ``department``, ``enrolled``, ``present`` (True/False/None), ``check_passed``,
    ``check_score``), ``exam`` (a short text or ""), ``questionnaire_count`` and ``questionnaires``
    (list of ``{"title", "count", "questions": [{"label", "result"}]}``). ``courses`` registers one.
    It must run a fixed number of queries whatever the size of the roster.

``register_dashboard_figure``
    A function returning a ``lms.hooks.DashboardFigure`` (or a list of them), shown on the
    careers dashboard with its own XLSX export.
"""

from wagtail import hooks

from lms.hooks import (
    DASHBOARD_FIGURE_HOOK,
    TRAINING_RUN_SOURCE_HOOK,
    DashboardFigure,
    collect,
)

__all__ = ["DASHBOARD_FIGURE_HOOK", "TRAINING_RUN_SOURCE_HOOK", "DashboardFigure"]


def training_run(session_id) -> dict | None:
    """The first registered source that knows the session, or None."""
    for fn in hooks.get_hooks(TRAINING_RUN_SOURCE_HOOK):
        data = fn(session_id)
        if data is not None:
            return data
    return None


def dashboard_figures() -> list[DashboardFigure]:
    return sorted(collect(DASHBOARD_FIGURE_HOOK), key=lambda figure: (figure.order, figure.key))
