"""The clock the tests control (a pytest plugin, loaded by ``-p tests.clock`` in pyproject.toml).

- ``pytest --today=YYYY-MM-DD`` (or ``TEST_TODAY=YYYY-MM-DD``) runs the whole session with the clock
  moved to that date, 10:00 in ``settings.TIME_ZONE``; the clock keeps ticking from there, so
  deadlines and timers behave as they do in real life. ``.ci/run`` runs the date-sensitive apps at
  2026-12-31, 2027-01-01 and 2028-02-29 this way.
- ``@pytest.mark.today("2026-06-15")`` runs one test at that date (10:00 local, ticking), or at
  ``"2026-06-15 23:59:30"`` for a given minute; the ``clock`` fixture (time-machine's) moves it
  further inside the test: ``clock.shift(datetime.timedelta(days=1))`` or ``clock.move_to(...)``.

Processes the tests start (gunicorn servers, the browser) keep the real clock: tests that need them
to agree with ours are marked ``real_clock`` and skip when the session clock is moved.
"""

import datetime
import os
import zoneinfo

import pytest
import time_machine

LOCAL_HOUR = datetime.time(10, 0)


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get("TEST_TODAY") or None,
        metavar="YYYY-MM-DD",
        help="Run the session with the clock moved to this date (10:00 local time, ticking).",
    )


def _zone():
    from django.conf import settings

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_moment(text: str) -> datetime.datetime:
    """'2026-12-31' → 10:00 that day; '2026-12-31 23:59:30' → that minute; both local time."""
    text = text.strip()
    if len(text) == 10:
        moment = datetime.datetime.combine(datetime.date.fromisoformat(text), LOCAL_HOUR)
    else:
        moment = datetime.datetime.fromisoformat(text)
    return moment.replace(tzinfo=_zone()) if moment.tzinfo is None else moment


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "today(date): run this test with the clock at that date (10:00 local, ticking) or moment",
    )
    config.addinivalue_line(
        "markers",
        "real_clock: starts processes that read the real clock; skipped when --today moves it",
    )
    today = config.getoption("--today")
    if today:
        try:
            moment = local_moment(today)
        except ValueError as error:
            raise pytest.UsageError(f"--today wants YYYY-MM-DD, got {today!r}") from error
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config._clock_traveller = traveller


def pytest_unconfigure(config):
    traveller = getattr(config, "_clock_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    today = config.getoption("--today")
    return f"clock: moved to {today} (10:00 local)" if today else None


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--today"):
        return
    skip = pytest.mark.skip(reason="starts processes on the real clock; runs at the real date")
    for item in items:
        if item.get_closest_marker("real_clock") or item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _today_marker(request):
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield None
        return
    with time_machine.travel(local_moment(marker.args[0]), tick=True) as traveller:
        yield traveller


@pytest.fixture
def clock(_today_marker):
    """The test's clock: the marker's traveller, or one started now at the current moment."""
    if _today_marker is not None:
        yield _today_marker
        return
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=True) as traveller:
        yield traveller
