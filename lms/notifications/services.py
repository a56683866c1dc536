"""Emitting events and keeping inboxes, preferences and deliveries.

``emit`` is what the apps call. It writes, in the caller's transaction, the event, the inbox
items and one delivery row per message to send; the deliveries are handed to the task queue
when the transaction commits (``tasks.deliver``), so a rolled-back change announces nothing.
"""

import dataclasses
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import Employee

from . import channels
from .kinds import Channel, EventKind, dump_payload, enabled_channels, event_kind, event_kinds
from .models import ChannelPreference, Delivery, Event, Notification, Robot, WebhookSubscription

logger = logging.getLogger(__name__)

UNREAD_CACHE_KEY = "notifications:unread:{}"


class NotificationError(Exception):
    """An emit that cannot be right: an unknown kind or a payload of the wrong type."""


@dataclasses.dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    mobile: str
    department_path: str | None


def _recipients(people) -> list[Recipient]:
    """Users or employees → one Recipient per active account (two queries at most)."""
    user_ids = []
    for person in people:
        if person is None:
            continue
        user_id = person.user_id if isinstance(person, Employee) else person.pk
        if user_id not in user_ids:
            user_ids.append(user_id)
    if not user_ids:
        return []
    employees = {
        employee.user_id: employee
        for employee in Employee.objects.filter(user_id__in=user_ids).select_related("department")
    }
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .only("pk", "email", "first_name", "last_name", "username")
    )
    found = []
    for user in users:
        employee = employees.get(user.pk)
        if employee is not None:
            if employee.status == Employee.Status.LEFT:
                continue
            found.append(
                Recipient(
                    user.pk,
                    employee.name,
                    employee.email or user.email,
                    employee.phone,
                    employee.department.path,
                )
            )
        else:
            found.append(
                Recipient(user.pk, user.get_full_name() or user.username, user.email, "", None)
            )
    found.sort(key=lambda recipient: user_ids.index(recipient.user_id))
    return found


def channels_for(kind: EventKind, preferences: dict[int, list[str]], user_id: int) -> set[str]:
    chosen = preferences.get(user_id)
    return set(kind.channels if chosen is None else chosen) & set(enabled_channels())


def _robot_for(robots: list[Robot], vendor: str, department_path: str | None) -> Robot | None:
    """The robot of the nearest department up the tree, else the company-wide one."""
    best, best_depth = None, -1
    for robot in robots:
        if robot.vendor != vendor:
            continue
        if robot.department_id is None:
            depth = 0
        elif department_path and department_path.startswith(robot.department.path):
            depth = len(robot.department.path)
        else:
            continue
        if depth > best_depth:
            best, best_depth = robot, depth
    return best


def emit(kind_name: str, payload, *, recipients=(), dedupe_key: str | None = None):
    """Announce an event of ``kind_name`` with ``payload`` (the kind's dataclass) to
    ``recipients`` (users or employees) and to the webhook subscriptions of the kind.

    Each recipient gets the event on the channels they chose for the kind (the kind's defaults
    when they chose none). ``dedupe_key``: an event with this key already announced makes this
    call a no-op (returns None). Runs a fixed number of queries whatever the number of
    recipients; the deliveries are queued when the caller's transaction commits.
    """
    kind = event_kind(kind_name)
    if kind is None:
        raise NotificationError(f"Unknown notification kind {kind_name!r}")
    if not isinstance(payload, kind.payload):
        raise NotificationError(
            f"{kind_name} takes a {kind.payload.__name__}, not {type(payload).__name__}"
        )
    now = timezone.now()
    with transaction.atomic():
        if dedupe_key is not None and Event.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    kind=kind.name,
                    payload=dump_payload(payload),
                    dedupe_key=dedupe_key,
                    created_at=now,
                )
        except IntegrityError:  # the same key, emitted at the same moment elsewhere
            return None
        people = _recipients(recipients)
        preferences = dict(
            ChannelPreference.objects.filter(
                user_id__in=[person.user_id for person in people], kind=kind.name
            ).values_list("user_id", "channels")
        )
        title, body, url = kind.title(payload), kind.body(payload), kind.url(payload)
        wanted = {
            person.user_id: channels_for(kind, preferences, person.user_id) for person in people
        }

        Notification.objects.bulk_create(
            Notification(
                recipient_id=person.user_id, event=event, kind=kind.name, url=url, created_at=now
            )
            for person in people
            if Channel.INBOX in wanted[person.user_id]
        )
        deliveries = [
            Delivery(
                event=event,
                channel=Delivery.Channel.EMAIL,
                kind=kind.name,
                recipient_id=person.user_id,
                target=person.email,
                message=channels.email_message(title=title, body=body, url=url, to=person.email),
                next_attempt_at=now,
            )
            for person in people
            if Channel.EMAIL in wanted[person.user_id] and person.email
        ]
        deliveries += _robot_deliveries(event, kind, people, wanted, title, body, url, now)
        deliveries += _webhook_deliveries(event, kind, now)
        Delivery.objects.bulk_create(deliveries)
        ids = [delivery.pk for delivery in deliveries]
        inbox_users = [p.user_id for p in people if Channel.INBOX in wanted[p.user_id]]
        transaction.on_commit(lambda: _after_commit(ids, inbox_users))
    return event


def emit_later(
    kind_name: str, payload, *, recipients=(), user_ids=(), dedupe_key: str | None = None
):
    """``emit`` in a background task once the caller's transaction commits: for the hot paths
    (an exam submitted on exam day), which should not pay for the announcement themselves."""
    kind = event_kind(kind_name)
    if kind is None or not isinstance(payload, kind.payload):
        raise NotificationError(f"Wrong kind or payload for {kind_name!r}")
    data = dump_payload(payload)
    user_ids = sorted(
        {
            person.user_id if isinstance(person, Employee) else person.pk
            for person in recipients
            if person is not None
        }
        | set(user_ids)
    )

    def enqueue():
        from .tasks import emit_event

        try:
            emit_event.enqueue(kind_name, data, user_ids, dedupe_key)
        except Exception:
            logger.exception("Could not queue the %s event", kind_name)

    transaction.on_commit(enqueue)


def _robot_deliveries(event, kind, people, wanted, title, body, url, now):
    """One message per robot and event, naming (and on 钉钉 mentioning) everyone it is for."""
    vendors = {Channel.WECOM, Channel.DINGTALK}
    if not any(wanted[person.user_id] & vendors for person in people):
        return []
    robots = list(Robot.objects.filter(is_active=True).select_related("department"))
    groups: dict[int, tuple[Robot, list[Recipient]]] = {}
    for person in people:
        for vendor in sorted(wanted[person.user_id] & vendors):
            robot = _robot_for(robots, vendor, person.department_path)
            if robot is not None:
                groups.setdefault(robot.pk, (robot, []))[1].append(person)
    deliveries = []
    for robot, members in groups.values():
        names = "、".join(person.name for person in members)
        if robot.vendor == Robot.Vendor.WECOM:
            message = channels.wecom_message(title=title, body=body, url=url, name=names)
        else:
            mobiles = [person.mobile for person in members if person.mobile]
            message = channels.dingtalk_message(
                title=title, body=body, url=url, name=names, mobile=""
            )
            if mobiles:
                message["markdown"]["text"] += "\n\n" + " ".join(f"@{m}" for m in mobiles)
                message["at"]["atMobiles"] = mobiles
        deliveries.append(
            Delivery(
                event=event,
                channel=robot.vendor,
                kind=kind.name,
                recipient_id=members[0].user_id if len(members) == 1 else None,
                robot=robot,
                target=str(robot),
                message=message,
                next_attempt_at=now,
            )
        )
    return deliveries


def _webhook_deliveries(event, kind, now):
    if not kind.webhook:
        return []
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        if kind.name in subscription.kinds
    ]
    message = channels.webhook_message(event)
    return [
        Delivery(
            event=event,
            channel=Delivery.Channel.WEBHOOK,
            kind=kind.name,
            subscription=subscription,
            target=subscription.masked_url,
            message=message,
            next_attempt_at=now,
        )
        for subscription in subscriptions
    ]


def _after_commit(delivery_ids, inbox_users):
    forget_unread(inbox_users)
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:  # the queue is down: the retry sweep sends it later
            logger.exception("Could not queue delivery %s", delivery_id)


# -- the inbox --------------------------------------------------------------------------------


def forget_unread(user_ids):
    cache.delete_many([UNREAD_CACHE_KEY.format(pk) for pk in user_ids])


def unread_count(user) -> int:
    """The user's unread count, from the cache (dropped whenever it changes) or one query."""
    key = UNREAD_CACHE_KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_user(user).unread().count()
        cache.set(key, count, settings.NOTIFY_UNREAD_CACHE_SECONDS)
    return count


def notification_mark_read(*, user, notification_id: int, read: bool = True) -> int:
    """Mark one of the user's own notifications read (or unread again); 0 if not theirs."""
    changed = (
        Notification.objects.for_user(user)
        .filter(pk=notification_id)
        .update(read_at=timezone.now() if read else None)
    )
    forget_unread([user.pk])
    return changed


def notifications_mark_all_read(*, user) -> int:
    changed = Notification.objects.for_user(user).unread().update(read_at=timezone.now())
    forget_unread([user.pk])
    return changed


# -- preferences ------------------------------------------------------------------------------


def preferences_for(user) -> dict[str, set[str]]:
    """{kind name: chosen channels} for every registered kind (defaults where none chosen)."""
    chosen = dict(ChannelPreference.objects.filter(user=user).values_list("kind", "channels"))
    return {
        name: set(chosen[name] if name in chosen else kind.channels)
        for name, kind in event_kinds().items()
    }


@transaction.atomic
def preferences_set(*, user, choices: dict[str, list[str]]):
    """Save the user's channels per kind; kinds left out keep their current choice."""
    kinds = event_kinds()
    valid = set(enabled_channels())
    for name, selected in choices.items():
        if name not in kinds:
            raise ValidationError(_("Unknown kind of notification: %(kind)s") % {"kind": name})
        wrong = set(selected) - valid
        if wrong:
            raise ValidationError(
                _("Unknown channel: %(channel)s") % {"channel": ", ".join(sorted(wrong))}
            )
    for name, selected in choices.items():
        ChannelPreference.objects.update_or_create(
            user=user,
            kind=name,
            defaults={"channels": [c for c in enabled_channels() if c in set(selected)]},
        )


# -- deliveries -------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base × 2^(attempts − 1), at most NOTIFY_RETRY_MAX_SECONDS."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


def _lease() -> timedelta:
    # A worker that dies mid-try leaves the row due again after this long.
    return timedelta(seconds=max(60, 4 * settings.NOTIFY_HTTP_TIMEOUT_SECONDS))


def delivery_attempt(*, delivery_id: int, now=None) -> Delivery | None:
    """Try one due delivery once: sent, retried later with backoff, or failed for good.

    The conditional UPDATE that counts the attempt is the claim: of two workers handed the same
    delivery (a retry sweep and a late first try), one sends and the other finds nothing due.
    """
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .due(now)
        .update(attempts=F("attempts") + 1, next_attempt_at=now + _lease())
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("robot", "subscription").get(pk=delivery_id)
    try:
        code = channels.send(delivery)
    except channels.DeliveryError as error:
        delivery.last_error = str(error)
        delivery.response_code = error.response_code
        if error.permanent or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = Delivery.Status.RETRYING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    except Exception as error:  # the mail server refused, say: retried like any failure
        delivery.last_error = f"{type(error).__name__}: {error}"
        delivery.response_code = None
        if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.status = Delivery.Status.RETRYING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.response_code = code
        delivery.last_error = ""
        delivery.next_attempt_at = None
    delivery.save(
        update_fields=["status", "sent_at", "response_code", "last_error", "next_attempt_at"]
    )
    return delivery


def deliveries_due(*, now=None, limit: int = 1000) -> list[int]:
    return list(
        Delivery.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
