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
    A function returning a ``DashboardFigure`` or a dict of its fields (or a list of them), shown
    on the careers dashboard with its own XLSX export. Apps that must not import careers return
    dicts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wagtail import hooks

TRAINING_RUN_SOURCE_HOOK = "register_training_run_source"
DASHBOARD_FIGURE_HOOK = "register_dashboard_figure"


def training_run(session_id) -> dict | None:
    """The first registered source that knows the session, or None."""
    for fn in hooks.get_hooks(TRAINING_RUN_SOURCE_HOOK):
        data = fn(session_id)
        if data is not None:
            return data
    return None


@dataclass(frozen=True)
class DashboardFigure:
    """A per-department figure built from per-employee numbers.

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


def dashboard_figures() -> list[DashboardFigure]:
    figures = []
    for fn in hooks.get_hooks(DASHBOARD_FIGURE_HOOK):
        result = fn()
        figures.extend(result if isinstance(result, list) else [result])
    figures = [
        DashboardFigure(**figure) if isinstance(figure, dict) else figure
        for figure in figures
        if figure is not None
    ]
    return sorted(figures, key=lambda figure: (figure.order, figure.key))
