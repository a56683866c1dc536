"""Who may see which of an employee's fields (personal data).

Three tiers, from the viewer's roles and their relation to the employee:

* the employee themself, HR and superusers: every field, personal ones included
  (``PERSONAL_FIELDS``: phone, e-mail, hire date);
* department managers, for employees in the departments they head: the work record
  (``MANAGER_FIELDS``: name, number, department, position, status) plus the personal fields
  listed in the ``PERSONAL_DATA_MANAGER_FIELDS`` setting (none by default);
* everyone else who may look the employee up (trainers, drill coordinators, evaluators,
  colleagues): the directory entry (``DIRECTORY_FIELDS``: name, number, department).

Screens ask ``employee_fields(user, employee)`` for one person and ``listing_fields(user)`` for a
list of people (a list shows the manager tier only to a user whose list is their own subtree).
"""

from django.conf import settings

from .roles import Role, get_employee, has_role, managed_department_paths, user_roles

DIRECTORY_FIELDS = ("number", "name", "department")
MANAGER_FIELDS = (*DIRECTORY_FIELDS, "position", "status")
PERSONAL_FIELDS = ("hire_date", "phone", "email")
ALL_FIELDS = (*MANAGER_FIELDS, *PERSONAL_FIELDS)

# Roles whose lists reach beyond a manager's subtree (see EmployeeQuerySet.full_access_roles).
DIRECTORY_ROLES = frozenset({Role.TRAINER, Role.COORDINATOR})


def manager_extra_fields() -> tuple[str, ...]:
    """The personal fields the ``PERSONAL_DATA_MANAGER_FIELDS`` setting opens to managers."""
    wanted = settings.PERSONAL_DATA_MANAGER_FIELDS
    return tuple(name for name in PERSONAL_FIELDS if name in wanted)


def sees_everything(user) -> bool:
    return has_role(user, Role.HR)


def _manages(user, employee) -> bool:
    path = employee.department.path
    return any(path.startswith(managed) for managed in managed_department_paths(user))


def employee_fields(user, employee) -> tuple[str, ...]:
    """The fields of ``employee`` that ``user`` may see, in display order."""
    if not user.is_authenticated:
        return ()
    if sees_everything(user):
        return ALL_FIELDS
    own = get_employee(user)
    if own is not None and own.pk == employee.pk:
        return ALL_FIELDS
    if _manages(user, employee):
        return (*MANAGER_FIELDS, *manager_extra_fields())
    return DIRECTORY_FIELDS


def listing_fields(user) -> tuple[str, ...]:
    """The columns a list of employees shows ``user`` (the rows are already scoped)."""
    if not user.is_authenticated:
        return ()
    if sees_everything(user):
        return ALL_FIELDS
    if managed_department_paths(user) and not (user_roles(user) & DIRECTORY_ROLES):
        return (*MANAGER_FIELDS, *manager_extra_fields())
    return DIRECTORY_FIELDS


def may_see(user, employee, field: str) -> bool:
    return field in employee_fields(user, employee)
