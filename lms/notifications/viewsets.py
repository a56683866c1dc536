"""The admin side: messenger robots, webhook subscriptions and the log of every delivery."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.admin_views import InspectView, yes_no

from .kinds import event_kinds, webhook_kind_choices
from .models import Delivery, Robot, WebhookSubscription


def https_by_default(db_field, **kwargs):
    """An address typed without a scheme is taken as https (Django 6's default, asked now)."""
    from django.db import models

    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class SecretKeepingForm(WagtailAdminModelForm):
    """Secret fields are never shown back: an empty box on edit keeps what is saved."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
            saved = getattr(self.instance, name, "") if self.instance.pk else ""
            if saved:
                field.required = False
                field.help_text = _("Saved (%(masked)s). Leave empty to keep it.") % {
                    "masked": self.masked(name)
                }

    def masked(self, name):
        from .models import mask

        return mask(getattr(self.instance, name, ""))

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if name in self.fields and not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(type(self.instance).objects.get(pk=self.instance.pk), name)
        return cleaned


class RobotForm(SecretKeepingForm):
    secret_fields = ("webhook_url", "secret")

    class Meta:
        model = Robot
        formfield_callback = https_by_default
        fields = ["name", "vendor", "department", "webhook_url", "secret", "is_active"]

    def masked(self, name):
        if name == "webhook_url":
            return Robot(webhook_url=self.instance.webhook_url).masked_url
        return super().masked(name)

    def clean(self):
        cleaned = super().clean()
        url, vendor = cleaned.get("webhook_url") or "", cleaned.get("vendor")
        if url and vendor == Robot.Vendor.WECOM and "key=" not in url:
            self.add_error(
                "webhook_url", _("A 企业微信 robot's address ends in ?key= and the robot's key.")
            )
        if url and vendor == Robot.Vendor.DINGTALK and "access_token=" not in url:
            self.add_error(
                "webhook_url",
                _("A 钉钉 robot's address ends in ?access_token= and the robot's token."),
            )
        if vendor == Robot.Vendor.WECOM and cleaned.get("secret"):
            self.add_error("secret", _("企业微信 group robots do not sign: leave this empty."))
        return cleaned


class RobotViewSet(ModelViewSet):
    model = Robot

    def get_form_class(self, for_update=False):
        return RobotForm

    icon = "comment"
    menu_label = _("Messenger robots")
    menu_order = 100
    list_display = [
        "name",
        "vendor",
        "department",
        Column("masked_url", label=_("address")),
        yes_no(Robot, "is_active"),
    ]
    list_filter = ["vendor", "is_active"]
    search_fields = ["name"]
    list_export = []

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Robot.objects.select_related("department"), **kwargs
        )


class WebhookSubscriptionForm(SecretKeepingForm):
    secret_fields = ("secret",)
    kinds = forms.MultipleChoiceField(
        label=_("events"), choices=webhook_kind_choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        formfield_callback = https_by_default
        fields = ["name", "url", "secret", "kinds", "is_active"]


def kinds_display(subscription):
    kinds = event_kinds()
    return "、".join(
        str(kinds[name].label) if name in kinds else name for name in subscription.kinds
    )


class WebhookSubscriptionViewSet(ModelViewSet):
    model = WebhookSubscription

    def get_form_class(self, for_update=False):
        return WebhookSubscriptionForm

    icon = "link-external"
    menu_label = _("Webhooks")
    menu_order = 200
    list_display = [
        "name",
        Column("masked_url", label=_("address")),
        Column("kinds", label=_("events"), accessor=kinds_display),
        yes_no(WebhookSubscription, "is_active"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Deliveries are written by the service only; the admin reads them."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Delivery, ReadOnlyPermissionPolicy(Delivery))


def kind_choices():
    return [(name, kind.label) for name, kind in event_kinds().items()]


class DeliveryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Delivery.Status.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Delivery.Channel.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=kind_choices)
    created_at = django_filters.DateFromToRangeFilter(
        label=_("created"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Delivery
        fields = ["status", "channel", "kind", "created_at"]


def kind_label(delivery):
    kind = event_kinds().get(delivery.kind)
    return kind.label if kind else delivery.kind


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Deliveries")
    menu_order = 300
    form_fields = ["status"]  # no add or edit screen is routed (get_urlpatterns)
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = [
        "created_at",
        Column("kind", label=_("kind"), accessor=kind_label),
        "channel",
        "target",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "next_attempt_at",
    ]
    filterset_class = DeliveryFilterSet
    search_fields = ["target", "last_error"]
    inspect_view_fields = [
        "kind",
        "channel",
        "target",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "recipient",
        "robot",
        "subscription",
    ]
    list_export = []

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]


class NotificationsViewSetGroup(ViewSetGroup):
    menu_label = _("Notifications")
    menu_icon = "mail"
    menu_order = 960
    items = (
        RobotViewSet("notification_robots", url_prefix="notifications/robots"),
        WebhookSubscriptionViewSet("notification_webhooks", url_prefix="notifications/webhooks"),
        DeliveryViewSet("notification_deliveries", url_prefix="notifications/deliveries"),
    )
