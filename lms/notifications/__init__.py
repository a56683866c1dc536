"""The notification service: one way for every app to tell people (and other systems) things.

An app declares an event kind (``EventKind``: a name constant, a payload dataclass, default
channels and how to word it) through the ``register_notification_kind`` hook, and calls
``lms.notifications.services.emit(KIND, payload, recipients=[...])`` in its service. ``lms``
decides the channels per kind and per person (the person's preferences, else the kind's
defaults), keeps the in-app inbox, and delivers e-mail, 企业微信 and 钉钉 robot messages and
outbound webhooks as background tasks with retries (``tasks.deliver``). No app sends mail or
HTTP itself.
"""
