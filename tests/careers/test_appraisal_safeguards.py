"""An appraisal period cannot be calculated, frozen or published empty, and freezing and
publishing ask for confirmation first."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from careers import services
from careers.models import AppraisalError, AppraisalPeriod
from tests.conftest import login
from tests.factories import careers as cf


def test_an_empty_period_is_refused_calculation_with_the_reason(client, people):
    period = cf.period()
    login(client, people["hr"])
    url = reverse("careers_periods:run", args=[period.pk])
    response = client.post(url, {"action": "calculate"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "没有指标值" in response.content.decode()
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.OPEN
    assert "已计算" not in response.content.decode().split('data-testid="period-status">')[1][:20]


def test_calculating_an_empty_period_is_refused_by_the_service(people):
    period = cf.period()
    with pytest.raises(AppraisalError, match="没有指标值|no indicator values"):
        services.appraisal_period_calculate(period=period)
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.OPEN and period.calculated_at is None
    assert not period.results.exists()


def _calculated(people, django_capture_on_commit_callbacks):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    period.refresh_from_db()
    return period


@pytest.mark.parametrize(
    ("action", "before", "after", "question"),
    [
        ("freeze", "calculated", "frozen", "冻结"),
        ("publish", "frozen", "published", "发布"),
    ],
)
def test_freezing_and_publishing_ask_first(
    client, people, django_capture_on_commit_callbacks, action, before, after, question
):
    period = _calculated(people, django_capture_on_commit_callbacks)
    if before == "frozen":
        services.appraisal_period_freeze(period=period)
    login(client, people["hr"])
    url = reverse("careers_periods:run", args=[period.pk])
    response = client.post(url, {"action": action})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'data-testid="confirm"' in page and question in page
    assert 'name="confirmed" value="1"' in page
    period.refresh_from_db()
    assert period.status == before
    response = client.post(url, {"action": action, "confirmed": "1"})
    assert response.status_code == HTTPStatus.FOUND
    period.refresh_from_db()
    assert period.status == after


def test_an_incomplete_period_is_refused_freezing_and_publishing_naming_what_is_missing(
    client, people, company
):
    """Incomplete: an indicator of the period's system has no value at all in it. Such a period
    is neither frozen (it could no longer take the values) nor published."""
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    services.appraisal_period_calculate(period=period)
    assert [i.code for i in period.missing_indicators()] == ["KPI-COMPLAINT", "KPI-RELIAB"]
    with pytest.raises(AppraisalError, match="KPI-COMPLAINT.*KPI-RELIAB"):
        services.appraisal_period_freeze(period=period)

    login(client, people["hr"])
    url = reverse("careers_periods:run", args=[period.pk])
    page = client.post(url, {"action": "freeze", "confirmed": "1"}, follow=True).content.decode()
    assert "不完整" in page and "KPI-COMPLAINT" in page and "KPI-RELIAB" in page
    period.refresh_from_db()
    assert period.status == AppraisalPeriod.Status.CALCULATED

    # A zero is a value: with every indicator collected the period moves on.
    cf.value(period=period, code="KPI-COMPLAINT", value="0", employee=people["employee"])
    cf.value(period=period, code="KPI-RELIAB", value="99.9", department=company["branch"])
    services.appraisal_period_calculate(period=period)
    services.appraisal_period_freeze(period=period)
    assert services.appraisal_period_publish(period=period).status == "published"
