"""The audit trail screen: HR reads, filters and exports it; nobody else may (issue #8 §2)."""

import csv
import datetime
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from careers import services as careers_services
from lms import audit
from tests import factories as f
from tests.conftest import with_session
from tests.factories import careers as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/admin/audit-trail/"


@pytest.fixture
def period(people):
    return cf.period()


def enter_values(period, department, count, *, acting_user=None, note=""):
    """``count`` employees of ``department`` get a value entered (one trail entry each)."""
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    for _ in range(count):
        careers_services.indicator_value_set(
            period=period,
            indicator=indicator,
            value=Decimal(80),
            employee=f.employee(department=department),
            note=note,
            acting_user=acting_user,
        )


@pytest.mark.parametrize("role", ["manager", "trainer", "coordinator"])
def test_other_admin_roles_are_refused(client, people, role):
    client.force_login(people[role].user)
    for url in (URL, URL + "?export=csv", URL + "results/"):
        response = client.get(url)
        # Wagtail's refusal: back to the dashboard with "you do not have permission".
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == "/admin/"
    assert not ModelLogEntry.objects.filter(action=audit.PERSONAL_DATA_EXPORTED).exists()


def test_hr_and_superusers_read_it_and_employees_are_kept_out(client, people, superuser):
    for user in (people["hr"].user, superuser):
        client.force_login(user)
        assert client.get(URL).status_code == HTTPStatus.OK
        assert client.get(URL + "results/").status_code == HTTPStatus.OK
    client.force_login(people["employee"].user)
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND  # no admin access at all
    assert response["Location"].startswith("/accounts/login/")


def test_menu_item_for_hr_only(client, people):
    client.force_login(people["hr"].user)
    assert URL in client.get("/admin/").content.decode()
    client.force_login(people["trainer"].user)
    assert URL not in client.get("/admin/").content.decode()


def test_listing_shows_who_when_action_object_change_and_reason(client, people, period):
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    careers_services.indicator_value_set(
        period=period, indicator=indicator, value=Decimal(70), employee=people["employee"]
    )
    careers_services.indicator_value_set(
        period=period,
        indicator=indicator,
        value=Decimal(95),
        employee=people["employee"],
        note="补录培训记录",
        acting_user=people["hr"].user,
    )
    client.force_login(people["hr"].user)
    html = client.get(URL).content.decode()
    assert "Indicator value entered" in html
    assert "value: 70 → 95" in html
    assert "补录培训记录" in html
    assert people["hr"].user.get_username() in html or people["hr"].name in html
    assert "System" in html  # the first entry had no acting user


def test_filters(client, people, company, period):
    enter_values(period, company["team_a"], 2, acting_user=people["hr"].user)
    enter_values(period, company["other"], 3)
    client.force_login(people["hr"].user)

    def rows(**params):
        response = client.get(URL, params)
        assert response.status_code == HTTPStatus.OK
        return response.content.decode().count('<td class="title">')

    assert rows() == 5
    assert rows(department=company["branch"].pk) == 2  # the subtree: team A is in the branch
    assert rows(department=company["other"].pk) == 3
    assert rows(user=people["hr"].user.pk) == 2
    assert rows(action="careers.value_set") == 5
    assert rows(action="careers.calculated") == 0
    today = timezone.localdate()
    assert rows(timestamp_from=today.isoformat(), timestamp_to=today.isoformat()) == 5
    yesterday = today - datetime.timedelta(days=1)
    assert rows(timestamp_to=yesterday.isoformat()) == 0
    assert rows(timestamp_from=(today + datetime.timedelta(days=1)).isoformat()) == 0
    entry = ModelLogEntry.objects.filter(action="careers.value_set").first()
    assert rows(content_type=entry.content_type_id) == 5


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_neutralises_formulae_and_is_logged(client, people, company, period, file_format):
    enter_values(period, company["team_a"], 2, note='=HYPERLINK("http://x","点我")')
    enter_values(period, company["other"], 1, note="@SUM(A1)")
    client.force_login(people["hr"].user)
    response = client.get(URL, {"export": file_format, "department": company["branch"].pk})
    assert response.status_code == HTTPStatus.OK
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        table = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, body = table[0], table[1:]
    assert "Reason" in header and "Before" in header and "After" in header
    assert len(body) == 2  # the department filter applies to the export too
    reasons = [row[header.index("Reason")] for row in body]
    assert reasons == ['\'=HYPERLINK("http://x","点我")'] * 2
    logged = ModelLogEntry.objects.get(action=audit.PERSONAL_DATA_EXPORTED)
    assert logged.user == people["hr"].user
    assert logged.data["after"]["rows"] == 2
    assert logged.data["filters"] == {"department": str(company["branch"].pk)}


@pytest.mark.parametrize("count", [4, 40])
def test_listing_query_count_is_fixed(client, people, company, period, count):
    enter_values(period, company["team_a"], count // 2, acting_user=people["hr"].user)
    enter_values(period, company["other"], count - count // 2, acting_user=people["trainer"].user)
    client.force_login(people["hr"].user)
    client.get(URL)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('<td class="title">') == min(count, 50)
    # The same number at N and at 10×N entries.
    assert len(queries.captured_queries) == with_session(LISTING_QUERIES)


@pytest.mark.parametrize("count", [4, 40])
def test_export_query_count_is_fixed(client, people, company, period, count):
    enter_values(period, company["team_a"], count, acting_user=people["hr"].user)
    client.force_login(people["hr"].user)
    client.get(URL, {"export": "csv"})  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"export": "xlsx"})
    assert response.status_code == HTTPStatus.OK
    assert len(queries.captured_queries) == with_session(EXPORT_QUERIES)


# Roles and Wagtail's admin furniture (the user and their profile come from the cache); the
# page and its count; the filter choices (users, object types, departments); the departments
# named on the page (plus the session where it is kept in the database). The export reads every
# entry in one query and logs itself.
LISTING_QUERIES = 11
EXPORT_QUERIES = 7


def test_stored_state_codes_read_as_their_labels():
    """The trail shows a period's state change as 已计算 → 已冻结, not calculated → frozen."""
    from django.utils import translation

    from careers.models import AppraisalPeriod
    from lms.audit_views import change_lines

    data = {"before": {"status": "calculated"}, "after": {"status": "frozen", "note": "x"}}
    with translation.override("zh-hans"):
        lines = change_lines(data, AppraisalPeriod)
        labels = (
            str(AppraisalPeriod.Status.CALCULATED.label),
            str(AppraisalPeriod.Status.FROZEN.label),
        )
    assert lines[1][1:] == labels and "calculated" not in labels[0]
    assert lines[0][1:] == ("—", "x")
    assert change_lines(data)[1][1:] == ("calculated", "frozen")
