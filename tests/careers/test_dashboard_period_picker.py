"""The careers dashboard shows the newest period with results and lets HR pick another."""

import datetime
from http import HTTPStatus

from django.urls import reverse

from careers import services
from tests.conftest import login
from tests.factories import careers as cf


def _calculated(people, name, start, end):
    period = cf.period(name=name, start=start, end=end)
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    services.appraisal_period_calculate(period=period)
    return period


def test_hr_picks_the_period_the_dashboard_shows(client, people):
    old = _calculated(
        people, "2026年第一季度", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    )
    new = _calculated(
        people, "2026年第二季度", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)
    )
    login(client, people["hr"])
    page = client.get(reverse("careers:dashboard")).content.decode()
    assert "考核周期" in page
    assert 'href="?year=' in page and f"period={old.pk}" in page
    assert f"· {new}" in page and f"· {old}" not in page  # the newest by default

    page = client.get(reverse("careers:dashboard"), {"period": old.pk}).content.decode()
    assert f"· {old}" in page and f"· {new}" not in page
    response = client.get(reverse("careers:dashboard_export", args=["grades"]), {"period": old.pk})
    assert response.status_code == HTTPStatus.OK
