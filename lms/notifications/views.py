"""The portal inbox and the notification preferences: every signed-in user, their own only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import PreferencesForm
from .models import Notification

PAGE_SIZE = 50


@login_required
def inbox(request):
    notifications = Notification.objects.for_user(request.user).select_related("event")
    only_unread = request.GET.get("show") == "unread"
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "inbox_unread": services.unread_count(request.user),
        },
    )


@never_cache
@login_required
def unread(request):
    """The unread count the portal header shows (fetched after the page has loaded)."""
    return JsonResponse({"unread": services.unread_count(request.user)})


def _own(request, pk) -> Notification:
    notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


@login_required
def open_notification(request, pk):
    """Mark the notification read and go to the thing it is about."""
    notification = _own(request, pk)
    if notification.read_at is None:
        services.notification_mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notifications:inbox")
    return HttpResponseRedirect(target)


@require_POST
@login_required
def mark(request, pk):
    notification = _own(request, pk)
    services.notification_mark_read(
        user=request.user, notification_id=notification.pk, read=request.POST.get("read") != "0"
    )
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    current = services.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_set(user=request.user, choices=form.choices())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
