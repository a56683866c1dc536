from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from . import ratelimit

USER_CACHE_KEY = "lms:auth:user:{}"


def sso_enabled() -> bool:
    """Whether people sign in through the company directory or an OpenID provider; local
    passwords then remain only for superusers (the break-glass account)."""
    return bool(settings.DIRECTORY_LDAP_URI or settings.OIDC_RP_CLIENT_ID)


class EmployeeNumberBackend(ModelBackend):
    """Sign in with the employee number (工号).

    An employee's username is their employee number (``lms.services`` keeps it so, in upper
    case), so the standard backend does the work; surrounding white space and letter case are
    forgiven because numbers are often typed from printed lists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return super().authenticate(request, password=password, **kwargs)
        username = username.strip()
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username.upper() != username:
            user = super().authenticate(
                request, username=username.upper(), password=password, **kwargs
            )
        if user is not None and sso_enabled() and not user.is_superuser:
            # The directory or the OpenID provider owns everyone's password; only the
            # break-glass superuser keeps a local one.
            return None
        return user

    def get_user(self, user_id):
        """The signed-in user of a request, with their Wagtail profile (the language middleware
        reads its preferred language on every request).

        The row is kept in the cache for ``AUTH_USER_CACHE_SECONDS``: reading it from the
        database was a sixth of the CPU of an exam-day autosave. Saving or deleting a user or a
        profile forgets it (``forget_users``), and so do ending a user's sessions and the
        admin's bulk (de)activation, which writes without signals. Roles and permissions are
        not cached: they are read per request as before.
        """
        timeout = settings.AUTH_USER_CACHE_SECONDS
        key = USER_CACHE_KEY.format(user_id)
        user = cache.get(key) if timeout else None
        if user is None:
            UserModel = get_user_model()
            try:
                user = UserModel._default_manager.select_related("wagtail_userprofile").get(
                    pk=user_id
                )
            except UserModel.DoesNotExist:
                return None
            if timeout:
                cache.set(key, user, timeout)
        return user if self.user_can_authenticate(user) else None


def forget_users(user_ids):
    """Drop these users from the cache ``EmployeeNumberBackend.get_user`` reads."""
    cache.delete_many([USER_CACHE_KEY.format(pk) for pk in user_ids])


def forget_saved_user(sender, instance, **kwargs):
    """Signal receiver for users and profiles (connected in ``LmsConfig.ready``)."""
    forget_users([getattr(instance, "user_id", None) or instance.pk])


def client_ip(request) -> str | None:
    """The client's address as the sign-in lockout counts it.

    Without proxies (``TRUSTED_PROXY_COUNT=0``) it is the connection's address. Behind ``n``
    proxies each appends the address it saw to X-Forwarded-For, so the client's is the ``n``-th
    from the right; anything further left was written by the client and is ignored. A request
    that did not pass through all ``n`` proxies falls back to the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-count] if len(hops) >= count else remote


def _address_key(request) -> str:
    return f"sign-in:{client_ip(request)}"


def address_paused(request) -> bool:
    """Whether sign-in from the client's address is paused: ``LOGIN_ADDRESS_FAILURE_LIMIT``
    failures from it, whatever employee numbers they named (password spraying), each within
    the cool-off of the one before. Counted next to django-axes' per-number lockout."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return limit > 0 and ratelimit.failures(_address_key(request)) >= limit


def address_failed(request):
    """Count one failed sign-in from the client's address."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    ratelimit.note_failure(_address_key(request), forget_after=seconds)


def lockout_username(request, credentials):
    """The key django-axes counts failures under: the employee number as the backend reads it."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().upper()
