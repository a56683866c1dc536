"""The notification service: channels per kind and per person, the 企业微信 and 钉钉 robots and our
webhooks against a local receiver that checks them as the vendors document them, retries with
backoff, and what the apps announce."""

import datetime
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from lms.notifications import channels, services, tasks
from lms.notifications.kinds import NOTIFICATION_KIND_HOOK, Channel, EventKind
from lms.notifications.models import Delivery, Event, Notification, Robot, WebhookSubscription

from .receiver import Receiver

pytestmark = pytest.mark.django_db

TEST_KIND = "tests.drill_called"


@dataclass(frozen=True)
class DrillCalled:
    drill: str
    day: datetime.date


def drill_called_kind():
    return EventKind(
        TEST_KIND,
        payload=DrillCalled,
        label="Drill called",
        title=lambda p: f"演练通知：{p.drill}",
        body=lambda p: f"{p.drill} 于 {p.day.isoformat()} 举行。",
        url=lambda p: "/drills/",
        channels=(Channel.INBOX, Channel.EMAIL),
        webhook=True,
    )


@pytest.fixture(autouse=True)
def kind():
    with hooks.register_temporarily(NOTIFICATION_KIND_HOOK, drill_called_kind):
        yield


@pytest.fixture
def receiver(settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 5
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Emit and let the deliveries run (the task backend runs them in-process in tests)."""

    def emit(recipients, *, drill="夏季防汛演练", kind=TEST_KIND, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.emit(
                kind, DrillCalled(drill, datetime.date(2026, 7, 1)), recipients=recipients, **kwargs
            )

    return emit


def robot(vendor, url, *, department=None, secret=""):
    return Robot.objects.create(
        name=f"{vendor} robot", vendor=vendor, webhook_url=url, department=department, secret=secret
    )


def with_mobile(employee, mobile):
    employee.phone = mobile
    employee.email = f"{employee.number.lower()}@example.com"
    employee.save()
    return employee


# -- channels per kind and per person ---------------------------------------------------------


def test_defaults_put_it_in_the_inbox_and_the_mailbox(people, send):
    with_mobile(people["employee"], "13800000001")
    event = send([people["employee"]])
    [item] = Notification.objects.filter(recipient=people["employee"].user)
    assert (item.event, item.title, item.url, item.is_read) == (
        event,
        "演练通知：夏季防汛演练",
        "/drills/",
        False,
    )
    assert [m.to for m in mail.outbox] == [["e1@example.com"]]
    assert mail.outbox[0].subject == "演练通知：夏季防汛演练"
    assert "http://127.0.0.1:8000/drills/" in mail.outbox[0].body
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_person_chooses_channels_per_kind(people, company, send, receiver):
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"], people["colleague"]])
    # The employee chose 企业微信 only; the colleague keeps the defaults.
    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        people["colleague"].user_id
    ]
    [message] = receiver.of("/cgi-bin/webhook/send")
    assert message.verdict == "ok"
    assert "员工甲" in message.json["markdown"]["content"]
    assert "员工乙" not in message.json["markdown"]["content"]


def test_preferences_refuse_unknown_kinds_and_channels(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="未知渠道"):
        services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["sms"]})
    with pytest.raises(ValidationError, match="未知的消息类型"):
        services.preferences_set(user=people["employee"].user, choices={"x.y": ["inbox"]})
    assert not people["employee"].user.notification_preferences.exists()


def test_a_channel_the_site_switched_off_is_not_used(people, send, settings):
    settings.NOTIFY_CHANNELS = ["inbox"]
    with_mobile(people["employee"], "")
    send([people["employee"]])
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_the_same_key_is_announced_once(people, send):
    assert send([people["employee"]], dedupe_key="drill:1") is not None
    assert send([people["employee"]], dedupe_key="drill:1") is None
    assert Event.objects.count() == Notification.objects.count() == 1


def test_a_wrong_payload_is_refused(people):
    with pytest.raises(services.NotificationError):
        services.emit(TEST_KIND, {"drill": "x"}, recipients=[people["employee"]])


def test_people_who_left_are_not_told(people, send):
    from lms import services as lms_services

    lms_services.employee_update(employee=people["employee"], status="left")
    send([people["employee"]])
    assert not Notification.objects.exists()


# -- 企业微信 and 钉钉 robots ---------------------------------------------------------------------


def test_wecom_group_robot_gets_the_documented_markdown(people, company, send, receiver):
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"]])
    [message] = receiver.of("/cgi-bin/webhook/send")
    assert message.verdict == "ok"
    assert message.query == {"key": [receiver.wecom_key]}
    assert message.headers["content-type"].startswith("application/json")
    assert set(message.json) == {"msgtype", "markdown"} and message.json["msgtype"] == "markdown"
    content = message.json["markdown"]["content"]
    assert content.startswith("**演练通知：夏季防汛演练**")
    assert "(http://127.0.0.1:8000/drills/)" in content
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 1)


def test_wecom_content_is_cut_to_the_documented_4096_bytes(people, send, receiver):
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"]], drill="演" * 3000)
    [message] = receiver.of("/cgi-bin/webhook/send")
    assert message.verdict == "ok"
    assert len(message.json["markdown"]["content"].encode()) <= 4096


def test_dingtalk_robot_is_signed_as_documented(people, send, receiver):
    robot(Robot.Vendor.DINGTALK, receiver.dingtalk_url, secret=receiver.dingtalk_secret)
    with_mobile(people["employee"], "13800000001")
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["dingtalk"]})
    send([people["employee"]])
    [message] = receiver.of("/robot/send")
    assert message.verdict == "ok"
    assert set(message.query) == {"access_token", "timestamp", "sign"}
    assert message.json["msgtype"] == "markdown"
    assert message.json["markdown"]["title"] == "演练通知：夏季防汛演练"
    assert message.json["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert "@13800000001" in message.json["markdown"]["text"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_dingtalk_sign_matches_the_documented_example():
    # DingTalk's documentation: sign = urlencode(base64(HmacSHA256(secret, ts + "\n" + secret))).
    import base64
    import hashlib
    import hmac
    import urllib.parse

    secret, timestamp = "SEC000", 1577808000000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert channels.dingtalk_sign(secret, timestamp) == urllib.parse.quote_plus(
        base64.b64encode(digest)
    )
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", secret,
                                timestamp_ms=timestamp)  # fmt: skip
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1577808")


def test_a_wrong_dingtalk_secret_fails_with_the_vendors_errcode(people, send, receiver, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    robot(Robot.Vendor.DINGTALK, receiver.dingtalk_url, secret="SECwrong")
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["dingtalk"]})
    send([people["employee"]])
    [message] = receiver.of("/robot/send")
    assert message.verdict == "310000 sign not match"
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "310000" in delivery.last_error and delivery.response_code == 200


def test_the_nearest_department_robot_is_used(people, company, send, receiver):
    branch = robot(Robot.Vendor.WECOM, receiver.wecom_url, department=company["branch"])
    robot(Robot.Vendor.WECOM, receiver.wecom_url.replace("key=", "key=x"))  # company-wide
    for person in ("employee", "hr"):
        services.preferences_set(user=people[person].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"], people["hr"]])
    by_robot = {d.robot_id: d for d in Delivery.objects.all()}
    assert len(by_robot) == 2
    assert by_robot[branch.pk].status == "sent"  # the employee works in the branch
    others = [d for pk, d in by_robot.items() if pk != branch.pk]
    assert others[0].status == "retrying"  # the receiver does not know that key: errcode 93000
    assert "93000" in others[0].last_error


def test_one_message_per_robot_names_everyone(people, company, send, receiver):
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    for person in ("employee", "colleague"):
        services.preferences_set(user=people[person].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"], people["colleague"]])
    [message] = receiver.of("/cgi-bin/webhook/send")
    assert "员工甲、员工乙" in message.json["markdown"]["content"]


# -- retries with backoff ----------------------------------------------------------------------


def test_errcode_then_success_is_retried_with_backoff(people, send, receiver, clock, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["wecom"]})
    receiver.fail("/cgi-bin/webhook/send", errcode=45009)  # "api freq out of limit"
    receiver.fail("/cgi-bin/webhook/send", status=502)
    start = timezone.now()
    send([people["employee"]])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert "45009" in delivery.last_error
    assert timedelta(seconds=59) < delivery.next_attempt_at - start < timedelta(seconds=62)
    assert tasks.retry_deliveries.enqueue().return_value == 0  # not due yet
    clock.shift(timedelta(seconds=61))
    assert tasks.retry_deliveries.enqueue().return_value == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 2, 502)
    # The second wait is twice the first.
    waited = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=118) < waited <= timedelta(seconds=120)
    clock.shift(timedelta(seconds=121))
    tasks.retry_deliveries.enqueue()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert [r.verdict for r in receiver.of("/cgi-bin/webhook/send")] == ["ok"] * 3


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_MAX_SECONDS = 200
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        30, 60, 120, 200, 200,
    ]  # fmt: skip


def test_an_unreachable_receiver_fails_after_the_last_attempt(people, send, settings, clock):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 2
    WebhookSubscription.objects.create(
        name="HR", url="http://127.0.0.1:9/hooks/closed", secret="s", kinds=[TEST_KIND]
    )
    send([])
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and "无法连接接收方" in delivery.last_error
    clock.shift(timedelta(minutes=5))
    tasks.retry_deliveries.enqueue()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)


def test_two_workers_send_a_delivery_once(people, send, receiver):
    robot(Robot.Vendor.WECOM, receiver.wecom_url)
    services.preferences_set(user=people["employee"].user, choices={TEST_KIND: ["wecom"]})
    send([people["employee"]])
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # sent already
    assert len(receiver.received) == 1


# -- outbound webhooks -------------------------------------------------------------------------


def test_webhooks_are_signed_and_carry_the_event(people, send, receiver):
    subscription = WebhookSubscription.objects.create(
        name="HR system", url=receiver.hook_url("hr"), secret=receiver.webhook_secret,
        kinds=[TEST_KIND],
    )  # fmt: skip
    WebhookSubscription.objects.create(
        name="Other events", url=receiver.hook_url("other"), secret="x", kinds=["tests.other"]
    )
    event = send([people["employee"]])
    [request] = receiver.received_hooks = receiver.of("/hooks/hr")
    assert request.verdict == "ok"
    assert request.headers["x-grid-event"] == TEST_KIND
    assert request.json == {
        "id": str(event.uuid),
        "kind": TEST_KIND,
        "created_at": event.created_at.isoformat(),
        "data": {"drill": "夏季防汛演练", "day": "2026-07-01"},
    }
    delivery = Delivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.response_code) == ("sent", 204)
    assert receiver.of("/hooks/other") == []


def test_a_wrong_webhook_secret_is_refused_by_the_receiver(people, send, receiver):
    WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret="not-the-secret", kinds=[TEST_KIND]
    )
    send([])
    [request] = receiver.of("/hooks/hr")
    assert request.verdict == "bad signature"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("retrying", 401)


def test_a_500_is_retried_until_the_receiver_takes_it(people, send, receiver, clock):
    WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret=receiver.webhook_secret, kinds=[TEST_KIND]
    )
    receiver.fail("/hooks/hr", status=500, times=2)
    send([])
    for _attempt in range(2):
        clock.shift(timedelta(hours=1))
        tasks.retry_deliveries.enqueue()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 3, 204)
    bodies = {r.body for r in receiver.of("/hooks/hr")}
    assert len(bodies) == 1  # every try sends the same event
    assert all(r.verdict == "ok" for r in receiver.of("/hooks/hr"))


def test_a_switched_off_subscription_fails_at_once(people, send, receiver):
    subscription = WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret="s", kinds=[TEST_KIND]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_after_commit", lambda ids, users: None)
        send([])
    subscription.is_active = False
    subscription.save()
    delivery = services.delivery_attempt(delivery_id=Delivery.objects.get().pk)
    assert delivery.status == "failed" and "停用" in delivery.last_error
    assert receiver.received == []


def sit(exam, employee):
    """Take a one-question exam with the right answer (A) and submit it."""
    from assessments import services as exam_services

    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    item = attempt.items.get()
    exam_services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
    )
    return exam_services.attempt_submit(attempt=attempt)


# -- the apps' events --------------------------------------------------------------------------


def test_exam_results_and_certificates_reach_the_webhook(
    people, receiver, django_capture_on_commit_callbacks
):
    from assessments import services as exam_services
    from assessments.notifications import CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, EXAM_PASSED
    from tests.factories import assessments as af

    WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret=receiver.webhook_secret,
        kinds=[EXAM_PASSED, CERTIFICATE_ISSUED, CERTIFICATE_REVOKED],
    )  # fmt: skip
    exam = af.exam(
        questions=[af.question(answer=["A"])], audience=[people["employee"]],
        certificate_title="安规合格证", certificate_valid_months=12,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        attempt = sit(exam, people["employee"])
    kinds = [r.json["kind"] for r in receiver.of("/hooks/hr")]
    assert sorted(kinds) == sorted([EXAM_PASSED, CERTIFICATE_ISSUED])
    passed = next(r.json for r in receiver.of("/hooks/hr") if r.json["kind"] == EXAM_PASSED)
    assert passed["data"]["employee_number"] == "E1" and passed["data"]["passed"] is True
    from assessments.models import Certificate

    certificate = Certificate.objects.get(attempt=attempt)
    with django_capture_on_commit_callbacks(execute=True):
        exam_services.certificate_revoke(certificate=certificate, reason="证书信息有误")
    revoked = receiver.of("/hooks/hr")[-1].json
    assert revoked["kind"] == CERTIFICATE_REVOKED
    assert revoked["data"]["reason"] == "证书信息有误"
    assert all(r.verdict == "ok" for r in receiver.of("/hooks/hr"))
    # The candidate has them in the inbox too.
    titles = {n.title for n in Notification.objects.filter(recipient=people["employee"].user)}
    assert len(titles) == 3


def test_overdue_actions_reach_owner_and_webhook(
    people, company, receiver, django_capture_on_commit_callbacks
):
    from drills import services as drill_services
    from drills.notifications import ACTION_OVERDUE
    from tests.factories import drills as df

    WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret=receiver.webhook_secret, kinds=[ACTION_OVERDUE]
    )
    plan = df.plan(department=company["branch"], code="YA-N-01", title="通知测试预案")
    drill = df.conduct(
        df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=[people["evaluator"]],
            department=company["branch"],
        )
    )
    finding = df.improvement(drill, by=people["coordinator"])
    today = timezone.localdate()
    action = df.action(
        finding, owner=people["employee"], start_date=today - timedelta(days=40),
        due_date=today - timedelta(days=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert drill_services.actions_remind_overdue() == 1
    [request] = receiver.of("/hooks/hr")
    assert request.verdict == "ok"
    assert request.json["data"]["action_id"] == action.pk
    [item] = Notification.objects.filter(recipient=people["employee"].user)
    assert item.url == reverse("drills:action", args=[action.pk])


def test_publishing_appraisal_tells_employees_and_webhooks(
    people, receiver, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from careers import services as careers_services
    from careers.notifications import APPRAISAL_PUBLISHED
    from tests.factories import careers as cf

    WebhookSubscription.objects.create(
        name="HR", url=receiver.hook_url(), secret=receiver.webhook_secret,
        kinds=[APPRAISAL_PUBLISHED],
    )  # fmt: skip
    period = cf.period(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30))
    cf.value(period=period, code="KPI-TRAIN", value=Decimal(85), employee=people["employee"])
    cf.complete(period)  # an incomplete period is never frozen nor published
    careers_services.appraisal_period_calculate(period=period)
    careers_services.appraisal_period_freeze(period=period)
    with django_capture_on_commit_callbacks(execute=True):
        careers_services.appraisal_period_publish(period=period)
    [request] = receiver.of("/hooks/hr")
    assert request.verdict == "ok" and request.json["data"]["period_id"] == period.pk
    assert Notification.objects.filter(recipient=people["employee"].user).count() == 1


@pytest.mark.today("2026-06-15")
def test_qualifications_expiring_and_lapsed_are_announced_once(people, clock):
    from assessments import services as exam_services
    from assessments.models import QualificationRule
    from assessments.notifications import QUALIFICATION_EXPIRING, QUALIFICATION_LAPSED
    from tests.factories import assessments as af

    exam = af.exam(questions=[af.question(answer=["A"])], audience=[people["employee"]])
    rule = QualificationRule.objects.create(name="年度安规", valid_months=1, expiring_days=10)
    rule.exams.add(exam)
    rule.save()  # a parental many-to-many is written on save
    sit(exam, people["employee"])
    assert Event.objects.filter(kind__startswith="assessments.qualification").count() == 0
    clock.shift(timedelta(days=25))
    first = exam_services.qualifications_announce()
    clock.shift(timedelta(days=10))
    second = exam_services.qualifications_announce()
    assert exam_services.qualifications_announce() == 0
    kinds = list(Event.objects.order_by("pk").values_list("kind", flat=True))
    assert (first, second) == (1, 1)
    assert kinds[-2:] == [QUALIFICATION_EXPIRING, QUALIFICATION_LAPSED]


def test_a_failed_formal_exam_is_announced_and_a_practice_quiz_is_not(
    people, django_capture_on_commit_callbacks
):
    from assessments.models import Exam
    from assessments.notifications import EXAM_FAILED, EXAM_PASSED
    from tests.factories import assessments as af

    formal = af.exam(questions=[af.question(answer=["B"])], audience=[people["employee"]])
    practice = af.exam(
        questions=[af.question(answer=["A"])], audience=[people["employee"]],
        kind=Exam.Kind.PRACTICE,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sit(formal, people["employee"])  # answers A: wrong
        sit(practice, people["employee"])
    assert list(Event.objects.values_list("kind", flat=True)) == [EXAM_FAILED]
    [item] = Notification.objects.filter(recipient=people["employee"].user)
    assert formal.title in item.title
    assert not Event.objects.filter(kind=EXAM_PASSED).exists()
