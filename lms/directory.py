"""Sign-in through the company directory (LDAP / Active Directory) and the directory sync.

The backend is django-auth-ldap's (``LDAPBackend``, on python-ldap and the system's libldap):
it binds as the read-only service account, finds the person by employee number (工号), binds
as them with the password they typed, and reads their groups. What an account looks like here
is decided in one place for the directory and for single sign-on (``lms.sso``): a
``DirectoryPerson`` goes through ``directory_account_apply``, which creates or updates the
employee through the organisation services and sets the roles that ``DIRECTORY_GROUP_ROLES``
maps from their groups. ``directory_sync`` (a scheduled background job) does the same for
everyone in the directory at once and deactivates — and signs out everywhere — the accounts the
directory no longer lists or has switched off.

Settings are ``DIRECTORY_*`` (``lms/settings.py``, ``docs/deployment.md``); django-auth-ldap's
own ``AUTH_LDAP_*`` settings are derived from them here, not set by hand.
"""

import logging
from dataclasses import dataclass, field

import ldap
import ldap.filter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch, LDAPSettings
from ldap.controls import SimplePagedResultsControl

from .auth import EmployeeNumberBackend
from .models import Department, DirectoryAccount, Employee, Position
from .roles import Role, user_roles
from .services import (
    employee_create,
    employee_update,
    normalise_employee_number,
    roles_set,
)
from .validators import validate_phone

logger = logging.getLogger(__name__)
User = get_user_model()

# python-ldap errors that mean "the directory cannot be reached", as opposed to "no such
# person" or "wrong password".
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY)
UNREACHABLE_FLAG = "_directory_unreachable"
REFUSAL_FLAG = "_directory_refusal"


def directory_enabled() -> bool:
    return bool(settings.DIRECTORY_LDAP_URI)


class DirectoryUnreachable(Exception):
    """The directory did not answer (translated message)."""


class DirectoryRefused(Exception):
    """A person the directory knows cannot have an account here (translated reason)."""


@dataclass
class DirectoryPerson:
    """One person as the directory or the OpenID provider describes them."""

    number: str
    subject: str
    name: str = ""
    email: str = ""
    phone: str = ""
    department: str = ""
    groups: set[str] = field(default_factory=set)


def group_roles() -> dict[str, str]:
    """``DIRECTORY_GROUP_ROLES`` as {group name (lower case): role}; unknown roles are skipped
    here and reported by the system check ``lms.E010``."""
    mapping = {}
    for pair in settings.DIRECTORY_GROUP_ROLES.split(","):
        group, sep, role = pair.rpartition(":")
        group, role = group.strip(), role.strip()
        if sep and group and role in Role.values:
            mapping[group.lower()] = role
    return mapping


def group_roles_problems() -> list[str]:
    problems = []
    for pair in settings.DIRECTORY_GROUP_ROLES.split(","):
        if not pair.strip():
            continue
        group, sep, role = pair.rpartition(":")
        if not sep or not group.strip():
            problems.append(f"{pair.strip()!r} is not group:Role")
        elif role.strip() not in Role.values:
            problems.append(f"{role.strip()!r} is not one of {', '.join(Role.values)}")
    return problems


def _first(attrs: dict, name: str) -> str:
    if not name:
        return ""
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            value = values[0]
            return (value.decode("utf-8", "replace") if isinstance(value, bytes) else value).strip()
    return ""


def person_from_entry(dn: str, attrs: dict, groups) -> DirectoryPerson:
    """A directory entry (python-ldap's attribute dictionary) as a ``DirectoryPerson``."""
    return DirectoryPerson(
        number=_first(attrs, settings.DIRECTORY_ATTR_NUMBER),
        subject=dn,
        name=_first(attrs, settings.DIRECTORY_ATTR_NAME),
        email=_first(attrs, settings.DIRECTORY_ATTR_EMAIL),
        phone=_first(attrs, settings.DIRECTORY_ATTR_PHONE),
        department=_first(attrs, settings.DIRECTORY_ATTR_DEPARTMENT),
        groups={str(name) for name in groups},
    )


def _department(value: str) -> Department | None:
    if not value:
        return None
    return (
        Department.objects.filter(code=value).first()
        or Department.objects.filter(name=value).first()
    )


def _default_department() -> Department | None:
    return _department(settings.DIRECTORY_DEFAULT_DEPARTMENT)


def _default_position() -> Position | None:
    code = settings.DIRECTORY_DEFAULT_POSITION
    return Position.objects.filter(code=code).first() if code else None


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _phone(value: str, kept: str) -> str:
    """The directory's phone number when it is one (``lms.validators.validate_phone``); a value
    that is not (an extension alone, a typo) never keeps the person from signing in: the number
    already on record is kept instead."""
    value = (value or "").strip()[:32]
    try:
        validate_phone(value)
    except ValidationError:
        return kept
    return value


@transaction.atomic
def directory_account_apply(*, person: DirectoryPerson, source: str) -> tuple[User, str]:
    """Create or update the account of a person the directory (or OpenID provider) vouches for.

    Returns the user and what happened: ``"created"``, ``"updated"`` or ``"unchanged"``. The
    employee record follows the directory's name, e-mail, phone and (known) department; the
    roles named in ``DIRECTORY_GROUP_ROLES`` follow the person's groups, other roles are left
    as set in the admin. An account that has left is not reactivated here (HR does that in the
    admin). Raises ``DirectoryRefused`` with a reason when no account can be made.
    """
    number = normalise_employee_number(person.number)
    if not number:
        raise DirectoryRefused(_("The directory entry has no employee number."))
    mapping = group_roles()
    wanted_roles = {mapping[group.lower()] for group in person.groups if group.lower() in mapping}
    department = _department(person.department)
    employee = Employee.objects.select_related("user", "department").filter(number=number).first()
    outcome = "unchanged"
    try:
        if employee is None:
            if User.objects.filter(username=number).exists():
                raise DirectoryRefused(
                    _("An account %(number)s without an employee record exists already.")
                    % {"number": number}
                )
            department = department or _default_department()
            position = _default_position()
            if department is None or position is None:
                raise DirectoryRefused(
                    _(
                        "No department or position for %(number)s: the directory's department "
                        "“%(department)s” is unknown here and DIRECTORY_DEFAULT_DEPARTMENT / "
                        "DIRECTORY_DEFAULT_POSITION name none."
                    )
                    % {"number": number, "department": person.department}
                )
            employee = employee_create(
                number=number,
                name=(person.name or number)[:50],
                department=department,
                position=position,
                phone=_phone(person.phone, ""),
                email=person.email,
                roles=wanted_roles,
            )
            user = employee.user
            outcome = "created"
        else:
            user = employee.user
            fields = {
                "name": (person.name or employee.name)[:50],
                "email": person.email,
                "phone": _phone(person.phone, employee.phone),
            }
            if department is not None:
                fields["department"] = department
            before = {name: getattr(employee, name) for name in fields}
            employee_update(employee=employee, **fields)
            if before != {name: getattr(employee, name) for name in fields}:
                outcome = "updated"
            owned = set(mapping.values())
            current = set(user_roles(user))
            roles = (current - owned) | wanted_roles | {Role.EMPLOYEE.value}
            if roles != current:
                roles_set(user=user, roles=roles)
                outcome = "updated"
    except ValidationError as error:
        raise DirectoryRefused(f"{number}: {_validation_text(error)}") from error
    DirectoryAccount.objects.update_or_create(
        user=user,
        source=source,
        defaults={"subject": person.subject[:500], "synced_at": timezone.now()},
    )
    return user, outcome


# --- the sign-in backend ---


def ldap_settings() -> LDAPSettings:
    """django-auth-ldap's settings, derived from ``DIRECTORY_*``."""
    timeout = settings.DIRECTORY_LDAP_TIMEOUT
    number = ldap.filter.escape_filter_chars(settings.DIRECTORY_ATTR_NUMBER)
    user_filter = f"(&{settings.DIRECTORY_LDAP_USER_FILTER}({number}=%(user)s))"
    if settings.DIRECTORY_LDAP_DISABLED_FILTER:
        user_filter = (
            f"(&{settings.DIRECTORY_LDAP_USER_FILTER}(!{settings.DIRECTORY_LDAP_DISABLED_FILTER})"
            f"({number}=%(user)s))"
        )
    return LDAPSettings(
        defaults={
            "SERVER_URI": settings.DIRECTORY_LDAP_URI,
            "BIND_DN": settings.DIRECTORY_LDAP_BIND_DN,
            "BIND_PASSWORD": settings.DIRECTORY_LDAP_BIND_PASSWORD,
            "START_TLS": settings.DIRECTORY_LDAP_START_TLS,
            "CONNECTION_OPTIONS": {
                ldap.OPT_NETWORK_TIMEOUT: timeout,
                ldap.OPT_TIMEOUT: timeout,
                ldap.OPT_REFERRALS: 0,
            },
            "USER_SEARCH": LDAPSearch(
                settings.DIRECTORY_LDAP_USER_BASE, ldap.SCOPE_SUBTREE, user_filter
            ),
            "GROUP_SEARCH": LDAPSearch(
                settings.DIRECTORY_LDAP_GROUP_BASE or settings.DIRECTORY_LDAP_USER_BASE,
                ldap.SCOPE_SUBTREE,
                settings.DIRECTORY_LDAP_GROUP_FILTER,
            ),
            "GROUP_TYPE": GroupOfNamesType(name_attr="cn"),
            "CACHE_TIMEOUT": 0,
            # directory_account_apply keeps the account; the backend saves nothing itself.
            "ALWAYS_UPDATE_USER": False,
        },
        prefix="DIRECTORY_UNUSED_",
    )


class DirectoryBackend(LDAPBackend):
    """Sign in with employee number and directory password (nothing happens while
    ``DIRECTORY_LDAP_URI`` is empty).

    Why django-auth-ldap: it is the maintained, widely deployed Django backend; python-ldap
    binds through the system's C libldap (a sign-in costs a few milliseconds of CPU, which is the
    point on exam morning), and it reports a directory it cannot reach (``ldap_error``)
    separately from a wrong password, so the sign-in page can say which.
    """

    _derived_settings = None

    @property
    def settings(self):
        # Django makes a backend object per sign-in, so settings changes apply at once.
        if self._derived_settings is None:
            self._derived_settings = ldap_settings()
        return self._derived_settings

    @settings.setter
    def settings(self, value):  # LDAPBackend's own setter; ours is always derived
        pass

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not directory_enabled() or not username or not password:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        person = person_from_entry(ldap_user.dn, ldap_user.attrs, ldap_user.group_names)
        try:
            user, _outcome = directory_account_apply(person=person, source="ldap")
        except DirectoryRefused as refusal:
            request = getattr(ldap_user, "_request", None)
            if request is not None:
                setattr(request, REFUSAL_FLAG, str(refusal))
            raise ldap_user.AuthenticationFailed(str(refusal)) from refusal
        return user, False

    def get_user(self, user_id):
        # The signed-in user of every request: the same cached read as a password sign-in.
        return EmployeeNumberBackend().get_user(user_id)

    def get_group_permissions(self, user, obj=None):
        # Permissions come from our roles (Django groups), not from the directory.
        return set()


def directory_error(sender, context, user, request, exception, **kwargs):
    """``ldap_error`` receiver: remember on the request that the directory was unreachable."""
    if request is not None and isinstance(exception, UNREACHABLE):
        setattr(request, UNREACHABLE_FLAG, True)


ldap_error.connect(directory_error, dispatch_uid="lms.directory_error")


# --- the sync ---


def _connect():
    conn = ldap.initialize(settings.DIRECTORY_LDAP_URI, bytes_mode=False)
    timeout = settings.DIRECTORY_LDAP_TIMEOUT
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, timeout)
    conn.set_option(ldap.OPT_TIMEOUT, timeout)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    if settings.DIRECTORY_LDAP_START_TLS:
        conn.start_tls_s()
    conn.simple_bind_s(settings.DIRECTORY_LDAP_BIND_DN, settings.DIRECTORY_LDAP_BIND_PASSWORD)
    return conn


def _paged_search(conn, base, filterstr, attrlist, page_size=500):
    """Every entry below ``base`` matching ``filterstr``, a page at a time (Active Directory
    returns at most 1,000 entries to a plain search)."""
    control = SimplePagedResultsControl(True, size=page_size, cookie="")
    while True:
        msgid = conn.search_ext(
            base, ldap.SCOPE_SUBTREE, filterstr, attrlist, serverctrls=[control]
        )
        _type, data, _msgid, controls = conn.result3(msgid)
        for dn, attrs in data:
            if dn:  # skip search references
                yield dn, attrs
        cookies = [c.cookie for c in controls if c.controlType == control.controlType]
        if not cookies or not cookies[0]:
            return
        control.cookie = cookies[0]


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = _(
            "%(created)s created, %(updated)s updated, %(deactivated)s deactivated, "
            "%(unchanged)s unchanged."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "deactivated": len(self.deactivated),
            "unchanged": self.unchanged,
        }
        if self.created:
            text += "\n" + _("Created: %(numbers)s") % {"numbers": ", ".join(self.created)}
        if self.updated:
            text += "\n" + _("Updated: %(numbers)s") % {"numbers": ", ".join(self.updated)}
        if self.deactivated:
            text += "\n" + _("Deactivated: %(numbers)s") % {"numbers": ", ".join(self.deactivated)}
        if self.refused:
            text += "\n" + _("Not synchronised: %(reasons)s") % {"reasons": "; ".join(self.refused)}
        return text


def directory_people() -> tuple[list[DirectoryPerson], set[str]]:
    """Everyone the directory lists as a person who may sign in, and the employee numbers of
    the entries it has switched off. Raises ``DirectoryUnreachable``."""
    number_attr = settings.DIRECTORY_ATTR_NUMBER
    attrs = [
        a
        for a in (
            number_attr,
            settings.DIRECTORY_ATTR_NAME,
            settings.DIRECTORY_ATTR_EMAIL,
            settings.DIRECTORY_ATTR_PHONE,
            settings.DIRECTORY_ATTR_DEPARTMENT,
        )
        if a
    ]
    try:
        conn = _connect()
    except ldap.LDAPError as error:
        raise DirectoryUnreachable(
            _("The directory could not be reached: %(error)s") % {"error": _ldap_text(error)}
        ) from error
    try:
        groups_of = {}
        group_base = settings.DIRECTORY_LDAP_GROUP_BASE or settings.DIRECTORY_LDAP_USER_BASE
        for _dn, group in _paged_search(
            conn, group_base, settings.DIRECTORY_LDAP_GROUP_FILTER, ["cn", "member"]
        ):
            name = _first(group, "cn")
            for member in group.get("member", []):
                groups_of.setdefault(member.decode().lower(), set()).add(name)
        disabled = set()
        if settings.DIRECTORY_LDAP_DISABLED_FILTER:
            switched_off = (
                f"(&{settings.DIRECTORY_LDAP_USER_FILTER}{settings.DIRECTORY_LDAP_DISABLED_FILTER})"
            )
            for _dn, entry in _paged_search(
                conn, settings.DIRECTORY_LDAP_USER_BASE, switched_off, [number_attr]
            ):
                disabled.add(normalise_employee_number(_first(entry, number_attr)))
        people = [
            person_from_entry(dn, entry, groups_of.get(dn.lower(), set()))
            for dn, entry in _paged_search(
                conn, settings.DIRECTORY_LDAP_USER_BASE, settings.DIRECTORY_LDAP_USER_FILTER, attrs
            )
        ]
    except ldap.LDAPError as error:
        raise DirectoryUnreachable(
            _("The directory search failed: %(error)s") % {"error": _ldap_text(error)}
        ) from error
    finally:
        conn.unbind_s()
    return [p for p in people if normalise_employee_number(p.number) not in disabled], disabled


def _ldap_text(error) -> str:
    info = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return info.get("desc") or str(error)


def directory_sync(*, job=None) -> SyncReport:
    """Bring every directory account up to date: create the people who are new, update the
    changed, and deactivate (signing them out everywhere) the accounts whose entry is gone or
    switched off. Each person is applied in their own transaction, so one refusal (named in
    the report) does not hold up the rest. Superusers are never deactivated: they are the
    break-glass accounts."""
    people, disabled = directory_people()
    if not people and not disabled:
        raise DirectoryUnreachable(
            _("The directory listed nobody; no account was changed (check DIRECTORY_LDAP_*).")
        )
    report = SyncReport()
    if job is not None:
        job.progress(0, len(people))
    listed = set()
    for done, person in enumerate(people, 1):
        number = normalise_employee_number(person.number)
        listed.add(number)
        try:
            _user, outcome = directory_account_apply(person=person, source="ldap")
        except DirectoryRefused as refusal:
            report.refused.append(str(refusal))
        else:
            if outcome == "created":
                report.created.append(number)
            elif outcome == "updated":
                report.updated.append(number)
            else:
                report.unchanged += 1
        if job is not None and done % 50 == 0:
            job.progress(done)
    leaving = (
        Employee.objects.select_related("user")
        .filter(user__directory_accounts__source="ldap", user__is_superuser=False)
        .exclude(status=Employee.Status.LEFT)
        .exclude(number__in=listed)
        .order_by("number")
    )
    for employee in leaving:
        employee_update(employee=employee, status=Employee.Status.LEFT)
        report.deactivated.append(employee.number)
    if job is not None:
        job.progress(len(people))
    return report
