import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import connection, transaction

from . import ratelimit
from .roles import get_employee, user_roles

USER_CACHE_KEY = "lms:auth:user:{}"
#: The mark every cached account is stored under; a new mark makes every one of them stale.
DIRECTORY_MARK_KEY = "lms:auth:directory"


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
        reads its preferred language on every request), role names and employee profile (with
        department and position).

        All of it is kept in the cache for ``AUTH_USER_CACHE_SECONDS``: reading it from the
        database was a sixth of the CPU of an exam-day autosave, and the roles and the employee
        profile two of the exam page's seven queries. Saving or deleting a user or a profile
        forgets that user (``forget_users``), and so do ending a user's sessions and the
        admin's bulk (de)activation, which writes without signals. Every entry carries the
        directory's mark (``directory_changed``): a change to anyone's roles, to an employee,
        a department or a position gives a new mark, and no entry under an older one is used.
        """
        timeout = settings.AUTH_USER_CACHE_SECONDS
        if not timeout:
            return self._checked(self._read_user(user_id))
        key = USER_CACHE_KEY.format(user_id)
        found = cache.get_many([key, DIRECTORY_MARK_KEY])
        mark = found.get(DIRECTORY_MARK_KEY) or _directory_mark()
        entry = found.get(key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == mark:
            return self._checked(entry[1])
        # The mark was read before the rows: a change committed meanwhile gives a newer mark,
        # and this entry is never used.
        user = self._read_user(user_id)
        if user is None:
            return None
        user_roles(user)
        get_employee(user)
        if mark is not None:
            cache.set(key, (mark, user), timeout)
        return self._checked(user)

    @staticmethod
    def _read_user(user_id):
        UserModel = get_user_model()
        try:
            return UserModel._default_manager.select_related("wagtail_userprofile").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None

    def _checked(self, user):
        return user if user is not None and self.user_can_authenticate(user) else None


def _directory_mark():
    """The current mark, made when the cache has none (first use, or evicted): entries stored
    under an evicted mark can then never match again."""
    cache.add(DIRECTORY_MARK_KEY, uuid.uuid4().hex, None)
    return cache.get(DIRECTORY_MARK_KEY)


def _new_directory_mark():
    cache.set(DIRECTORY_MARK_KEY, uuid.uuid4().hex, None)


def _after_commit(func, *, once=False):
    """Run ``func`` now and again when the transaction commits (``once``: one call at the
    commit however often it is asked for in the transaction).

    Now: later requests of this very transaction, and tests, see the change. At the commit:
    a request that read the old rows while the transaction was open cannot keep them.
    """
    func()
    if not connection.in_atomic_block:
        return
    if once and any(entry[1] is func for entry in connection.run_on_commit):
        return
    transaction.on_commit(func)


def directory_changed(*args, created=False, **kwargs):
    """Every cached account is stale: a department, a position or a role group changed or went
    (their names and paths are in cached employee profiles and role lists; a new one is in
    nobody's yet). A signal receiver (connected in ``LmsConfig.ready``), and called by services
    that move departments with treebeard's raw updates."""
    if not created:
        _after_commit(_new_directory_mark, once=True)


def forget_users(user_ids):
    """Drop these users from the cache ``EmployeeNumberBackend.get_user`` reads."""
    keys = [USER_CACHE_KEY.format(pk) for pk in user_ids if pk is not None]
    if keys:
        _after_commit(lambda: cache.delete_many(keys))


def forget_saved_user(sender, instance, **kwargs):
    """Signal receiver for users, their profiles and employee profiles (connected in
    ``LmsConfig.ready``)."""
    forget_users([getattr(instance, "user_id", None) or instance.pk])


def forget_role_members(sender, instance, action, reverse, pk_set, **kwargs):
    """Signal receiver for changes to who holds which group: ``user.groups.add(…)`` forgets
    that user; ``group.user_set.add(…)`` the users named, and a group emptied everyone."""
    if not action.startswith("post_"):
        return
    if not reverse:
        forget_users([instance.pk])
    elif pk_set is not None:
        forget_users(pk_set)
    else:  # group.user_set.clear(): its members are no longer known
        directory_changed()


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
