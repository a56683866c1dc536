"""Every careers view: anonymous users are sent to sign in; admin edit screens open for HR."""

import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from careers import services
from tests import factories as f
from tests.conftest import login
from tests.factories import careers as cf


@pytest.fixture
def world(people, company):
    period = cf.period()
    value = cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    services.appraisal_period_calculate(period=period)
    plan = services.development_plan_create(employee=people["employee"], year=2026)
    programme = services.rotation_programme_create(
        name="轮岗", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    rotation = services.rotation_assign(
        programme=programme,
        employee=people["employee"],
        to_department=company["other"],
        to_position=f.position(),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 4, 30),
        objectives=["x"],
    )
    record = services.recognition_create(
        period=period,
        kind="rectification",
        employee=people["employee"],
        title="整改",
        deadline=datetime.date(2026, 12, 1),
    )
    return {
        "period": period,
        "value": value,
        "system": period.system,
        "indicator": period.system.indicators.first(),
        "plan": plan,
        "programme": programme,
        "rotation": rotation,
        "record": record,
        "result": period.results.first(),
    }


PORTAL = [
    ("careers:result", "result"),
    ("careers:archive_index", None),
    ("careers:archive", "employee"),
    ("careers:archive_pdf", "employee"),
    ("careers:plan", "plan"),
    ("careers:plan_create", None),
    ("careers:rotation", "rotation"),
    ("careers:dashboard", None),
]


@pytest.mark.parametrize(("name", "arg"), PORTAL)
def test_portal_views_need_sign_in(client, people, world, name, arg):
    objects = {**world, "employee": people["employee"]}
    args = [objects[arg].pk] if arg else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("careers_systems:edit", "system"),
        ("careers_indicators:edit", "indicator"),
        ("careers_periods:edit", "period"),
        ("careers_values:edit", "value"),
        ("careers_plans:edit", "plan"),
        ("careers_programmes:edit", "programme"),
        ("careers_rotations:edit", "rotation"),
        ("careers_recognitions:edit", "record"),
    ],
)
def test_admin_edit_screens_open_for_hr_and_not_for_employees(client, people, world, name, key):
    url = reverse(name, args=[world[key].pk])
    login(client, people["hr"])
    assert client.get(url).status_code == HTTPStatus.OK
    login(client, people["employee"])
    assert client.get(url).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_changes_after_publication_need_a_reason_too(people, world):
    period = services.appraisal_period_freeze(period=world["period"])
    services.appraisal_period_publish(period=period)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.indicator_value_correct(value_item=world["value"], value=Decimal(70), reason="")
    services.indicator_value_correct(
        value_item=world["value"], value=Decimal(70), reason="复核后更正", acting_user=None
    )
    assert cf.appraisal_changes(
        data__reason="复核后更正", action="careers.value_corrected"
    ).exists()


def test_plan_create_needs_an_employee_profile(client, superuser):
    login(client, superuser)
    assert client.get(reverse("careers:plan_create")).status_code == HTTPStatus.NOT_FOUND


def test_admin_menu_links_for_hr_only(client, people):
    # The menu opens the admin screens (careers.admin_views), not the portal pages.
    login(client, people["hr"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("careers_admin_archives") in html
    assert reverse("careers_admin_dashboard") in html
    login(client, people["trainer"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("careers_admin_archives") not in html
    assert reverse("careers_admin_dashboard") not in html


@pytest.mark.parametrize(
    ("who", "status", "sent_to"),
    [
        ("hr", HTTPStatus.OK, None),
        ("manager", HTTPStatus.OK, None),
        # Refused in the admin: sent to the admin's home with Wagtail's "no permission".
        ("trainer", HTTPStatus.FOUND, "wagtailadmin_home"),
        ("employee", HTTPStatus.FOUND, "login"),  # no admin access at all
    ],
)
@pytest.mark.parametrize("name", ["careers_admin_archives", "careers_admin_dashboard"])
def test_admin_screens_are_for_hr_and_managers(client, people, world, who, status, sent_to, name):
    login(client, people[who])
    response = client.get(reverse(name))
    assert response.status_code == status
    if sent_to:
        assert response["Location"].startswith(reverse(sent_to))
    if status == HTTPStatus.OK:
        html = response.content.decode()
        assert "wagtailadmin/" in html or 'class="w-' in html  # the admin's layout
        assert 'class="ga-portal-body"' in html
