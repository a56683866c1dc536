import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .kinds import Channel, event_kind, load_payload


class Event(models.Model):
    """Something that happened and was announced: one row per emit, whoever it reaches."""

    uuid = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    # Emitting the same key again is a no-op: "once per certificate", "once per lapse".
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        kind = event_kind(self.kind)
        return str(kind.label) if kind else self.kind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own inbox: nobody reads another person's notifications."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An item of a person's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=100)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    def _payload(self):
        kind = event_kind(self.kind)
        if kind is None:
            return None, None
        try:
            return kind, load_payload(kind, self.event.payload)
        except (TypeError, ValueError):
            return kind, None

    @property
    def title(self):
        kind, payload = self._payload()
        if payload is None:
            return str(kind.label) if kind else self.kind
        return kind.title(payload)

    @property
    def body(self):
        kind, payload = self._payload()
        return kind.body(payload) if payload is not None else ""

    @property
    def is_read(self):
        return self.read_at is not None


class ChannelPreference(models.Model):
    """The channels one person chose for one kind (no row: the kind's defaults)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=100)
    channels = models.JSONField(_("channels"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}"


def mask(secret: str, *, keep: int = 4) -> str:
    """Enough of a secret to tell two apart, never enough to use it."""
    secret = secret or ""
    if len(secret) <= keep * 2:
        return "•" * len(secret)
    return f"{secret[:keep]}…{secret[-keep:]}"


def mask_url(url: str) -> str:
    """The address with every query value masked (the key or token is the secret)."""
    head, _sep, query = (url or "").partition("?")
    if not query:
        return head
    parts = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        parts.append(f"{name}={mask(value)}" if equals else mask(name))
    return f"{head}?{'&'.join(parts)}"


class Robot(models.Model):
    """A 企业微信 group robot or a 钉钉 custom robot that posts into one group chat."""

    class Vendor(models.TextChoices):
        WECOM = Channel.WECOM.value, Channel.WECOM.label
        DINGTALK = Channel.DINGTALK.value, Channel.DINGTALK.label

    name = models.CharField(pgettext_lazy("notifications", "name"), max_length=100)
    vendor = models.CharField(_("messenger"), max_length=16, choices=Vendor.choices)
    webhook_url = models.URLField(
        _("webhook address"),
        max_length=500,
        help_text=_(
            "As the messenger shows it: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… "
            "(企业微信) or https://oapi.dingtalk.com/robot/send?access_token=… (钉钉)."
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("钉钉 only: the SEC… secret of the robot's 加签 security setting."),
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "People of this department and the ones below it are told through this robot. "
            "Empty: company-wide, for everyone whose department has no robot of its own."
        ),
    )
    is_active = models.BooleanField(pgettext_lazy("notifications", "active"), default=True)

    class Meta:
        verbose_name = _("messenger robot")
        verbose_name_plural = _("messenger robots")
        ordering = ["vendor", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_vendor_display()})"

    @property
    def masked_url(self):
        return mask_url(self.webhook_url)


class WebhookSubscription(models.Model):
    """Another system (the HR system, a data warehouse) that follows events over HTTP."""

    name = models.CharField(pgettext_lazy("notifications", "name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        help_text=_("Shared with the receiver, which checks the X-Grid-Signature header with it."),
    )
    kinds = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(pgettext_lazy("notifications", "active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def masked_url(self):
        return mask_url(self.url)


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )


class Delivery(models.Model):
    """One message on its way out (an e-mail, a robot message, a webhook call) and its fate."""

    class Channel(models.TextChoices):
        EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
        WECOM = Channel.WECOM.value, Channel.WECOM.label
        DINGTALK = Channel.DINGTALK.value, Channel.DINGTALK.label
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    robot = models.ForeignKey(
        Robot, verbose_name=_("robot"), on_delete=models.SET_NULL, null=True, blank=True
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("webhook subscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    target = models.CharField(_("sent to"), max_length=500, blank=True)  # shown, never a secret
    message = models.JSONField(_("message"), default=dict)  # what is sent, the same every try
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(pgettext_lazy("notifications", "attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.target}"
