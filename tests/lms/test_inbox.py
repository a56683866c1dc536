"""The portal inbox, the notification settings page and the admin's robots, webhooks and
deliveries: owner-only, exact query counts at N and 10×N, secrets never shown back."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from drills.notifications import ACTION_OVERDUE, ActionOverdue
from lms.notifications import services
from lms.notifications.models import (
    ChannelPreference,
    Delivery,
    Notification,
    Robot,
    WebhookSubscription,
)
from tests.conftest import login, with_session

pytestmark = pytest.mark.django_db


def overdue(owner, n=1):
    """``n`` overdue-action notifications for ``owner`` (a real kind: drills')."""
    for i in range(n):
        services.emit(
            ACTION_OVERDUE,
            ActionOverdue(
                action_id=1000 + i,
                action=f"整改措施{i}",
                drill="夏季防汛演练",
                owner_number=owner.number,
                owner=owner.name,
                due_date=datetime.date(2026, 7, 1),
            ),
            recipients=[owner],
        )


def test_inbox_lists_own_notifications_with_unread_count(client, people):
    overdue(people["employee"], 2)
    overdue(people["colleague"], 1)
    login(client, people["employee"])
    response = client.get(reverse("notifications:inbox"))
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert page.count('class="unread"') == 2
    assert "整改措施已逾期：整改措施1" in page
    assert response.context["inbox_unread"] == 2
    assert client.get(reverse("notifications:unread")).json() == {"unread": 2}


def test_open_marks_read_and_goes_to_the_thing(client, people):
    overdue(people["employee"])
    item = Notification.objects.get()
    login(client, people["employee"])
    response = client.get(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("drills:action", args=[1000])
    item.refresh_from_db()
    assert item.is_read
    assert client.get(reverse("notifications:unread")).json() == {"unread": 0}


def test_mark_unread_again_and_mark_all_read(client, people):
    overdue(people["employee"], 3)
    first = Notification.objects.first()
    login(client, people["employee"])
    client.post(reverse("notifications:mark", args=[first.pk]), {"read": "1"})
    assert client.get(reverse("notifications:unread")).json() == {"unread": 2}
    client.post(reverse("notifications:mark", args=[first.pk]), {"read": "0"})
    assert client.get(reverse("notifications:unread")).json() == {"unread": 3}
    response = client.post(reverse("notifications:mark_all"), follow=True)
    assert response.context["inbox_unread"] == 0
    assert not Notification.objects.unread().exists()


def test_nobody_opens_or_marks_another_persons_notification(client, people):
    overdue(people["employee"])
    item = Notification.objects.get()
    for intruder in ("colleague", "manager", "hr"):
        login(client, people[intruder])
        assert client.get(reverse("notifications:open", args=[item.pk])).status_code == 404
        assert client.post(reverse("notifications:mark", args=[item.pk])).status_code == 404
        client.post(reverse("notifications:mark_all"))
    item.refresh_from_db()
    assert not item.is_read


def test_the_header_offers_the_inbox_on_every_portal_page(client, people):
    login(client, people["employee"])
    page = client.get(reverse("portal:section", args=["learning"])).content.decode()
    assert f'href="{reverse("notifications:inbox")}"' in page
    assert f'data-unread-url="{reverse("notifications:unread")}"' in page
    assert "notifications/inbox-badge.js" in page


# The user (read once, then cached: lms.auth), the portal shell's employee and roles, the pager's
# count, the unread count (cached afterwards) and the notifications with their events.
INBOX_QUERIES = with_session(6)


@pytest.mark.parametrize("count", [4, 40])
def test_inbox_query_count(client, people, django_assert_num_queries, count):
    overdue(people["employee"], count)
    login(client, people["employee"])
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(reverse("notifications:inbox"))
    assert response.content.decode().count('class="unread"') == count


@pytest.mark.parametrize("count", [4, 40])
def test_unread_count_is_one_query_then_cached(client, people, django_assert_num_queries, count):
    overdue(people["employee"], count)
    login(client, people["employee"])
    # The user with their roles and employee profile (then cached), and the count.
    with django_assert_num_queries(with_session(4)):
        assert client.get(reverse("notifications:unread")).json() == {"unread": count}
    with django_assert_num_queries(with_session(0)):
        assert client.get(reverse("notifications:unread")).json() == {"unread": count}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response.url


# -- settings page -----------------------------------------------------------------------------


def test_settings_page_saves_channels_per_kind(client, people):
    login(client, people["employee"])
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == HTTPStatus.OK
    field = "kind__drills__action_overdue"
    assert field in page.content.decode()
    response = client.post(reverse("notifications:preferences"), {field: ["inbox", "dingtalk"]})
    assert response.status_code == HTTPStatus.FOUND
    preference = ChannelPreference.objects.get(user=people["employee"].user, kind=ACTION_OVERDUE)
    assert preference.channels == ["inbox", "dingtalk"]
    # Every kind not ticked is saved as "nowhere": the page shows every kind.
    assert ChannelPreference.objects.filter(user=people["employee"].user, channels=[]).exists()


def test_settings_page_refuses_a_hostile_channel(client, people):
    login(client, people["employee"])
    response = client.post(
        reverse("notifications:preferences"), {"kind__drills__action_overdue": ["sms<script>"]}
    )
    assert response.status_code == HTTPStatus.OK
    assert "sms&lt;script&gt;" in response.content.decode()
    assert not ChannelPreference.objects.exists()


# -- the admin ---------------------------------------------------------------------------------


def test_robot_secrets_are_never_shown_back(client, superuser):
    robot = Robot.objects.create(
        name="调度群",
        vendor="dingtalk",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789abcdef",
        secret="SECfedcba9876543210fedcba",
    )
    client.force_login(superuser)
    index = client.get(reverse("notification_robots:index")).content.decode()
    assert "abcdef0123456789abcdef" not in index and "access_token=" in index
    edit = client.get(reverse("notification_robots:edit", args=[robot.pk])).content.decode()
    assert "abcdef0123456789abcdef" not in edit
    assert "SECfedcba9876543210fedcba" not in edit
    # Saved with the secret boxes left empty: both are kept.
    response = client.post(
        reverse("notification_robots:edit", args=[robot.pk]),
        {
            "name": "调度群二",
            "vendor": "dingtalk",
            "webhook_url": "",
            "secret": "",
            "is_active": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    robot.refresh_from_db()
    assert robot.name == "调度群二"
    assert robot.secret == "SECfedcba9876543210fedcba"
    assert robot.webhook_url.endswith("abcdef0123456789abcdef")


def test_a_wecom_address_without_its_key_is_refused(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("notification_robots:add"),
        {"name": "群", "vendor": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/x",
         "secret": "", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == HTTPStatus.OK
    assert not Robot.objects.exists()


def test_webhook_subscriptions_choose_among_the_webhook_events(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("notification_webhooks:add")).content.decode()
    assert "assessments.exam_passed" in page and "courses.session_reminder" not in page
    response = client.post(
        reverse("notification_webhooks:add"),
        {"name": "HR", "url": "https://hr.example.cn/hooks/grid", "secret": "s3cret-value",
         "kinds": ["assessments.exam_passed", "careers.appraisal_published"], "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND
    subscription = WebhookSubscription.objects.get()
    assert subscription.kinds == ["assessments.exam_passed", "careers.appraisal_published"]
    index = client.get(reverse("notification_webhooks:index")).content.decode()
    assert "s3cret-value" not in index


def failed_deliveries(count):
    subscription = WebhookSubscription.objects.create(
        name="HR", url="http://127.0.0.1:9/x", secret="s", kinds=[ACTION_OVERDUE]
    )
    event = services.Event.objects.create(kind=ACTION_OVERDUE, payload={})
    Delivery.objects.bulk_create(
        Delivery(
            event=event,
            channel="webhook",
            kind=ACTION_OVERDUE,
            subscription=subscription,
            target=subscription.masked_url,
            status="failed" if i % 2 else "sent",
            attempts=6,
            last_error="接收方返回 500。",
            response_code=500,
        )
        for i in range(count)
    )


# The admin shell (employee, locale, the explorer's pages: three queries), the count and the page
# of deliveries; the user comes from the cache after the first request.
DELIVERY_QUERIES = with_session(6)


@pytest.mark.parametrize("count", [3, 30])  # the failed half fits on one page of 20
def test_delivery_log_query_count_and_filters(client, superuser, django_assert_num_queries, count):
    failed_deliveries(count)
    client.force_login(superuser)
    url = reverse("notification_deliveries:index") + "?status=failed&channel=webhook"
    client.get(url)  # warm Wagtail's per-process caches (menu, content types)
    with django_assert_num_queries(DELIVERY_QUERIES):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert page.count("接收方返回 500。") == count // 2


def test_deliveries_are_read_only_and_hidden_from_portal_users(client, people, superuser):
    failed_deliveries(2)
    delivery = Delivery.objects.first()
    client.force_login(superuser)
    assert (
        client.get(reverse("notification_deliveries:inspect", args=[delivery.pk])).status_code
        == 200
    )
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("notification_deliveries:edit", args=[delivery.pk])
    login(client, people["employee"])
    response = client.get(reverse("notification_deliveries:index"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def robots_and_subscriptions(company, count):
    departments = [company["branch"], company["team_a"], None]
    Robot.objects.bulk_create(
        Robot(
            name=f"群{i}",
            vendor="wecom",
            webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k{i:06d}",
            department=departments[i % 3],
        )
        for i in range(count)
    )
    WebhookSubscription.objects.bulk_create(
        WebhookSubscription(
            name=f"订阅{i}", url=f"https://hr.example.cn/h{i}", secret="s", kinds=[ACTION_OVERDUE]
        )
        for i in range(count)
    )


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("viewset", ["notification_robots", "notification_webhooks"])
def test_robot_and_webhook_lists_query_count(
    client, superuser, company, django_assert_num_queries, viewset, count
):
    robots_and_subscriptions(company, count)
    client.force_login(superuser)
    url = reverse(f"{viewset}:index")
    client.get(url)  # warm the user cache and Wagtail's per-process caches
    # As the delivery log: the admin shell, the count and the page (robots with departments).
    with django_assert_num_queries(DELIVERY_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('href="/admin/notifications/') >= count
