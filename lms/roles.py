"""Roles (Django groups) and the one scoping mechanism every app uses.

A model whose rows belong to an employee gets a QuerySet that subclasses ``ScopedQuerySet`` and
names the path to the employee (``employee_field``) and the roles that see every row
(``full_access_roles``). ``Model.objects.visible_to(user)`` then gives:

* superusers and holders of a full-access role: every row;
* department managers: rows of employees in the departments they head, and below them;
* everyone else with an employee profile: their own rows;
* anonymous or inactive users, and accounts without an employee profile: nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The platform's roles. The value is the Django group's name."""

    EMPLOYEE = "Employee", _("Employee")
    TRAINER = "Trainer", _("Trainer")
    HR = "HR", _("HR")
    MANAGER = "Department manager", _("Department manager")
    COORDINATOR = "Drill coordinator", _("Drill coordinator")
    EVALUATOR = "Evaluator", _("Evaluator")


def group_label(name: str) -> str:
    """A group's name in the active language: a role's label, another app's role group (the
    training manager's) through its own msgid, and a group HR created as HR named it."""
    from django.utils.translation import gettext

    if name in Role.values:
        return str(Role(name).label)
    return gettext(name) if name else name


# Roles whose members work in the Wagtail admin.
ADMIN_ROLES = frozenset({Role.TRAINER, Role.HR, Role.MANAGER, Role.COORDINATOR})


def user_roles(user) -> frozenset[str]:
    """The names of the user's role groups, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_lms_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._lms_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & set(roles)))


def require_role(user, *roles) -> None:
    """The one way a staff-only view refuses: PermissionDenied (a 403) unless ``user`` holds
    one of ``roles`` (or is a superuser). Views call it first, after ``login_required``."""
    if not has_role(user, *roles):
        raise PermissionDenied


#: "No employee profile", remembered on the user object. Not a bare ``object()``: the user is
#: kept in the cache with what was remembered, and the marker must survive pickling.
_NO_EMPLOYEE = False


def get_employee(user):
    """The user's employee profile with department and position, or None (read once per user)."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_lms_employee", None)
    if cached is None:
        from .models import Employee

        cached = (
            Employee.objects.select_related("department", "position").filter(user=user).first()
            or _NO_EMPLOYEE
        )
        if cached is not _NO_EMPLOYEE:
            remember_employee(user, cached)
        user._lms_employee = cached
    return None if cached is _NO_EMPLOYEE else cached


def remember_employee(user, employee):
    """Let get_employee(user) answer with an employee profile read elsewhere (with its
    department and position), and let employee.user be this very user object: both save a
    query on every later use in the request."""
    if employee.user_id != user.pk:
        raise ValueError("That employee profile belongs to another account.")
    type(employee).user.field.set_cached_value(employee, user)
    user._lms_employee = employee


def managed_department_paths(user) -> tuple[str, ...]:
    """Tree paths of the departments the user heads (empty unless they are a manager)."""
    if not user.is_authenticated or Role.MANAGER not in user_roles(user):
        return ()
    cached = getattr(user, "_lms_managed_paths", None)
    if cached is None:
        from .models import Department

        cached = tuple(Department.objects.filter(manager__user=user).values_list("path", flat=True))
        user._lms_managed_paths = cached
    return cached


def forget_cached_roles(user):
    """Drop what user_roles and managed_department_paths remembered on this user object."""
    for attr in ("_lms_roles", "_lms_managed_paths", "_lms_employee"):
        if hasattr(user, attr):
            delattr(user, attr)


class ScopedQuerySet(models.QuerySet):
    #: Lookup path from this model to ``lms.Employee``; "" when the model is Employee itself.
    employee_field = "employee"
    #: Role names whose members see every row.
    full_access_roles: frozenset[str] = frozenset()

    def _employee_lookup(self, suffix):
        return f"{self.employee_field}__{suffix}" if self.employee_field else suffix

    def visible_to(self, user):
        """Rows this user may see, by role and department scope."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user_roles(user) & self.full_access_roles:
            return self
        condition = Q()
        employee = get_employee(user)
        if employee is not None:
            condition |= Q(**{self._employee_lookup("pk"): employee.pk})
        for path in managed_department_paths(user):
            condition |= Q(**{self._employee_lookup("department__path__startswith"): path})
        if not condition:
            return self.none()
        return self.filter(condition)

    def for_employee(self, employee):
        return self.filter(**{self._employee_lookup("pk"): employee.pk})
