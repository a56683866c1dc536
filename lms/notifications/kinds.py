"""Event kinds: what can be announced, in which words, and on which channels by default.

An app registers its kinds with the ``register_notification_kind`` hook (a function returning an
``EventKind`` or a list of them). The kind's name is a constant that the app's services import
when they emit it, and its payload is a dataclass of plain values (numbers, text, dates,
decimals): it is stored with the event, sent to webhooks as JSON and read back to word the
inbox in the reader's language.
"""

import dataclasses
import datetime
import typing
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.hooks import NOTIFICATION_KIND_HOOK, collect


class Channel(models.TextChoices):
    """Where a person may receive a notification (webhooks are for systems, not people)."""

    INBOX = "inbox", _("Portal inbox")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", pgettext_lazy("notifications", "WeCom")
    DINGTALK = "dingtalk", pgettext_lazy("notifications", "DingTalk")


def enabled_channels() -> list[str]:
    """The channels this site uses (``NOTIFY_CHANNELS``), in their display order."""
    return [channel for channel in Channel.values if channel in settings.NOTIFY_CHANNELS]


@dataclasses.dataclass(frozen=True)
class EventKind:
    name: str
    payload: type  # a dataclass
    label: str  # what the preferences page and the admin call it (gettext_lazy)
    title: Callable[[typing.Any], str]  # payload -> one line, in the active language
    body: Callable[[typing.Any], str]  # payload -> a few sentences, in the active language
    url: Callable[[typing.Any], str] = lambda payload: ""  # payload -> path of the thing itself
    channels: tuple[str, ...] = (Channel.INBOX,)  # the default for people without a choice
    webhook: bool = False  # offered to outbound webhook subscriptions
    order: int = 100


def event_kinds() -> dict[str, EventKind]:
    kinds = {kind.name: kind for kind in collect(NOTIFICATION_KIND_HOOK)}
    return dict(sorted(kinds.items(), key=lambda item: (item[1].order, item[0])))


def event_kind(name: str) -> EventKind | None:
    return event_kinds().get(name)


def webhook_kind_choices():
    return [(kind.name, kind.label) for kind in event_kinds().values() if kind.webhook]


def dump_payload(payload) -> dict:
    """The payload as JSON-ready values (dates and decimals as text)."""

    def plain(value):
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    return {name: plain(value) for name, value in dataclasses.asdict(payload).items()}


def load_payload(kind: EventKind, data: dict):
    """The payload dataclass back from ``dump_payload``'s values (unknown keys ignored)."""
    hints = typing.get_type_hints(kind.payload)
    values = {}
    for field in dataclasses.fields(kind.payload):
        if field.name not in data:
            continue
        value, hint = data[field.name], hints.get(field.name)
        if value is not None and isinstance(value, str):
            if _allows(hint, datetime.datetime):
                value = datetime.datetime.fromisoformat(value)
            elif _allows(hint, datetime.date):
                value = datetime.date.fromisoformat(value)
            elif _allows(hint, Decimal):
                value = Decimal(value)
        values[field.name] = value
    return kind.payload(**values)


def _allows(hint, cls) -> bool:
    return hint is cls or cls in typing.get_args(hint)
