"""Writes to the organisation: departments, positions, employees and their roles.

Every function is atomic, validates before it saves and records who did it in Wagtail's
audit log (shown on each object's History page in the admin).
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import audit
from .auth import directory_changed, forget_users
from .models import Absence, Department, Employee, Position
from .roles import Role, forget_cached_roles
from .sessions import sessions_end

User = get_user_model()


def normalise_employee_number(number: str) -> str:
    return (number or "").strip().upper()


@transaction.atomic
def department_create(
    *,
    code: str,
    name: str,
    kind: str = Department.Kind.TEAM,
    parent: Department | None = None,
    manager: Employee | None = None,
    acting_user=None,
) -> Department:
    """Add a department under ``parent`` (or as a root when there is none)."""
    department = Department(code=code.strip(), name=name.strip(), kind=kind, manager=manager)
    department.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        department = Department.add_root(instance=department)
    else:
        department = Department.objects.get(pk=parent.pk).add_child(instance=department)
    log(department, "wagtail.create", user=acting_user)
    return department


@transaction.atomic
def department_update(
    *, department: Department, parent: Department | None = ..., acting_user=None, **fields
) -> Department:
    """Change a department's fields and, when ``parent`` is given, move it under that parent."""
    unknown = set(fields) - {"code", "name", "kind", "manager"}
    if unknown:
        raise TypeError(f"Not editable through department_update: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean(exclude=["path", "depth", "numchild"])
    # Only the fields given: the tree columns of this instance may be stale.
    if fields:
        department.save(update_fields=[*fields, "updated_at"])
    if parent is not ...:
        current_parent = department.get_parent(update=True)
        if (current_parent and current_parent.pk) != (parent and parent.pk):
            if parent is not None and parent.path.startswith(department.path):
                raise ValidationError({"parent": _("A department cannot be moved below itself.")})
            if parent is None:
                department.move(Department.get_first_root_node(), "sorted-sibling")
            else:
                department.move(Department.objects.get(pk=parent.pk), "sorted-child")
            # treebeard moves with raw updates: the move is a change API syncs must see.
            Department.objects.filter(pk=department.pk).update(updated_at=timezone.now())
            directory_changed()  # the paths of cached employees' departments
            department.refresh_from_db()
    log(department, "wagtail.edit", user=acting_user)
    return department


@transaction.atomic
def position_create(
    *, code: str, name: str, category: str, description: str = "", acting_user=None
) -> Position:
    position = Position(
        code=code.strip(), name=name.strip(), category=category, description=description
    )
    position.full_clean()
    position.save()
    log(position, "wagtail.create", user=acting_user)
    return position


def _validate_employee(employee: Employee, user: User):
    user_errors = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as error:
        user_errors = error.message_dict
    try:
        employee.full_clean(exclude=["user"])
    except ValidationError as error:
        user_errors = {**user_errors, **error.message_dict}
    if user_errors:
        raise ValidationError(user_errors)


@transaction.atomic
def employee_create(
    *,
    number: str,
    name: str,
    department: Department,
    position: Position,
    hire_date: date | None = None,
    status: str = Employee.Status.ACTIVE,
    phone: str = "",
    email: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    roles=(),
    acting_user=None,
) -> Employee:
    """Create an employee and the user account they sign in with (username = employee number).

    Without ``password`` (or an already hashed ``password_hash``) the account cannot sign in
    until one is set. Every employee is in
    the Employee role; ``roles`` adds more.
    """
    number = normalise_employee_number(number)
    if User.objects.filter(username=number).exists():
        raise ValidationError({"number": _("An account with this employee number exists already.")})
    user = User(
        username=number,
        first_name=name.strip()[:150],
        email=email,
        is_active=status != Employee.Status.LEFT,
    )
    employee = Employee(
        user=user,
        number=number,
        name=name.strip(),
        department=department,
        position=position,
        hire_date=hire_date,
        status=status,
        phone=phone.strip(),
        email=email.strip(),
    )
    _validate_employee(employee, user)
    if password:
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    employee.user = user
    employee.save()
    roles_set(user=user, roles={Role.EMPLOYEE, *roles}, acting_user=acting_user, log_change=False)
    log(employee, "wagtail.create", user=acting_user)
    return employee


EMPLOYEE_EDITABLE_FIELDS = (
    "name",
    "department",
    "position",
    "hire_date",
    "status",
    "phone",
    "email",
)


@transaction.atomic
def employee_update(*, employee: Employee, acting_user=None, **fields) -> Employee:
    """Change an employee's record; the account follows (name, e-mail, active or not).

    An employee who has left is deactivated at once and every session they have is ended.
    """
    unknown = set(fields) - set(EMPLOYEE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable through employee_update: {', '.join(sorted(unknown))}")
    changed = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(employee, name) != value:
            changed[name] = value
            setattr(employee, name, value)
    user = employee.user
    user.first_name = employee.name[:150]
    user.email = employee.email
    user.is_active = employee.status != Employee.Status.LEFT
    _validate_employee(employee, user)
    if not changed:
        return employee
    user.save(update_fields=["first_name", "email", "is_active"])
    employee.save()
    if not user.is_active:
        sessions_end(user_ids=[user.pk])
    log(
        employee,
        "wagtail.edit",
        user=acting_user,
        data={"changed": sorted(changed)},
    )
    return employee


@transaction.atomic
def roles_set(*, user, roles, acting_user=None, log_change=True):
    """Give the user exactly these roles (group names from ``Role``)."""
    wanted = {str(role) for role in roles}
    role_names = set(Role.values)
    groups = {group.name: group for group in Group.objects.filter(name__in=role_names)}
    missing = wanted - set(groups)
    if missing:
        raise ValidationError(_("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(missing))})
    kept_other_groups = user.groups.exclude(name__in=role_names)
    user.groups.set([*kept_other_groups, *(groups[name] for name in wanted)])
    forget_cached_roles(user)
    employee = getattr(user, "employee", None)
    if log_change and employee is not None:
        log(employee, "lms.roles_changed", user=acting_user, data={"roles": sorted(wanted)})


def usernames_without_employee(usernames) -> set[str]:
    """Which of these usernames belong to accounts that have no employee profile."""
    return set(
        User.objects.filter(username__in=list(usernames), employee__isnull=True).values_list(
            "username", flat=True
        )
    )


@transaction.atomic
def employees_bulk_create(*, employees: list[Employee], acting_user=None) -> list[Employee]:
    """Create validated, unsaved employees and their accounts in bulk (used by imports).

    Accounts get an unusable password; they sign in once HR sets one. Every employee joins the
    Employee role.
    """
    from django.contrib.auth.hashers import make_password

    users = []
    for employee in employees:
        employee.number = normalise_employee_number(employee.number)
        users.append(
            User(
                username=employee.number,
                first_name=employee.name[:150],
                email=employee.email,
                is_active=employee.status != Employee.Status.LEFT,
                password=make_password(None),
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    if not all(user.pk for user in users):  # backends that do not return primary keys
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "pk"
            )
        )
        for user in users:
            user.pk = by_name[user.username]
    for employee, user in zip(employees, users, strict=True):
        employee.user = user
    Employee.objects.bulk_create(employees, batch_size=1000)
    if not all(employee.pk for employee in employees):
        by_number = dict(
            Employee.objects.filter(number__in=[e.number for e in employees]).values_list(
                "number", "pk"
            )
        )
        for employee in employees:
            employee.pk = by_number[employee.number]
    group = Group.objects.get(name=Role.EMPLOYEE)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=group.pk) for user in users], batch_size=1000
    )
    audit.log_many(employees, "wagtail.create", user=acting_user, data={"via": "import"})
    return employees


@transaction.atomic
def employees_bulk_update(*, employees: list[Employee], fields: list[str], acting_user=None):
    """Save changed employees in bulk and bring their accounts in line (used by imports)."""
    # bulk_update skips auto_now: set the change time that incremental API syncs read.
    now = timezone.now()
    for employee in employees:
        employee.updated_at = now
    Employee.objects.bulk_update(employees, [*fields, "updated_at"], batch_size=1000)
    users = list(User.objects.filter(pk__in=[e.user_id for e in employees]))
    by_pk = {employee.user_id: employee for employee in employees}
    for user in users:
        employee = by_pk[user.pk]
        user.first_name = employee.name[:150]
        user.email = employee.email
        user.is_active = employee.status != Employee.Status.LEFT
    User.objects.bulk_update(users, ["first_name", "email", "is_active"], batch_size=1000)
    forget_users([user.pk for user in users])  # written in bulk, without signals
    sessions_end(user_ids=[user.pk for user in users if not user.is_active])
    audit.log_many(employees, "wagtail.edit", user=acting_user, data={"via": "import"})


ABSENCE_FIELDS = ("kind", "start_date", "end_date", "note")


def _absence_state(absence: Absence) -> dict:
    return {
        "kind": absence.kind,
        "start_date": absence.start_date.isoformat() if absence.start_date else None,
        "end_date": absence.end_date.isoformat() if absence.end_date else None,
        "note": absence.note,
    }


@transaction.atomic
def absence_record(
    *,
    employee: Employee,
    kind: str,
    start_date: date,
    end_date: date | None = None,
    note: str = "",
    acting_user=None,
) -> Absence:
    """Record a period away from the post; qualification rules may then ask for a re-exam."""
    # Lock the employee so two overlapping periods cannot be recorded at once.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    absence = Absence(
        employee=employee, kind=kind, start_date=start_date, end_date=end_date, note=note.strip()
    )
    absence.full_clean()
    absence.save()
    log(absence, "wagtail.create", user=acting_user, data={"after": _absence_state(absence)})
    return absence


@transaction.atomic
def absence_update(*, absence: Absence, acting_user=None, **fields) -> Absence:
    """Change an absence (typically: the employee came back, so the return date is set)."""
    unknown = set(fields) - set(ABSENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable through absence_update: {', '.join(sorted(unknown))}")
    Employee.objects.select_for_update().filter(pk=absence.employee_id).first()
    before = _absence_state(absence)
    for name, value in fields.items():
        setattr(absence, name, value.strip() if isinstance(value, str) else value)
    absence.full_clean()
    after = _absence_state(absence)
    if after == before:
        return absence
    absence.save()
    log(absence, "wagtail.edit", user=acting_user, data={"before": before, "after": after})
    return absence


@transaction.atomic
def absence_delete(*, absence: Absence, acting_user=None) -> None:
    log(absence, "wagtail.delete", user=acting_user, data={"before": _absence_state(absence)})
    absence.delete()


# What an erasure removes from the employee record (and its account); results stay.
ERASED_FIELDS = ("number", "name", "phone", "email", "hire_date", "absence notes", "account")


@transaction.atomic
def employee_erase(*, employee: Employee, reason: str, acting_user=None) -> Employee:
    """Erase a person's identifying data on a personal-data request (HR's own action).

    Employees are never deleted: their attempts, certificates, completions, appraisal values
    and drill roles are records that must stay. The record is kept under an anonymous number
    and name, contact details and absence notes are removed, the account is switched off,
    renamed and signed out everywhere. One audit entry, without the erased values.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the erasure (the request it answers)."))
    employee = (
        Employee.objects.select_for_update()
        .select_related("user", "department")
        .get(pk=employee.pk)
    )
    anonymous = f"ERASED-{employee.pk}"
    before = {"status": employee.status, "personal_data": True}
    employee.number = employee.name = anonymous
    employee.phone = employee.email = ""
    employee.hire_date = None
    employee.status = Employee.Status.LEFT
    employee.save()
    Absence.objects.filter(employee=employee).update(note="")
    user = employee.user
    user.username = anonymous.lower()
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    roles_set(user=user, roles=[], acting_user=acting_user, log_change=False)
    sessions_end(user_ids=[user.pk])
    audit.record(
        employee,
        audit.EMPLOYEE_ERASED,
        user=acting_user,
        before=before,
        after={"status": employee.status, "personal_data": False, "number": anonymous},
        reason=reason,
        employee=employee,
        extra={"erased": list(ERASED_FIELDS)},
    )
    return employee
