"""The audit trail: one shape for every change to scores, results, certificates and appraisal.

Every audited change goes through ``record`` (one entry) or ``record_many`` (set-wise writes,
one insert), which write Wagtail ``ModelLogEntry`` rows, so the change also shows on the
object's own history in the admin. One function, ``_model_log_entry``, builds every row, so
each takes the user and uuid of Wagtail's active log context as ``log()`` does.
Each entry's ``data`` is::

    {"before": {...} | None, "after": {...} | None, "reason": "…", "fields": [...],
     "employee": id, "department": id, "department_path": "…"}

``fields`` names what differs between before and after; ``employee`` and the department keys
say whose record it is, so HR can filter the trail by department subtree.

Apps declare their audited actions through the ``register_audit_trail_actions`` hook: a function
returning ``[(action, label), …]``. lms registers them with Wagtail's log action registry (so
the history screens show the label) and the audit trail screen lists exactly those actions.
``record`` refuses an action nobody declared, so a typo cannot slip out of the trail.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .hooks import AUDIT_TRAIL_ACTIONS_HOOK

PERSONAL_DATA_EXPORTED = "lms.personal_data_exported"
EMPLOYEE_ERASED = "lms.employee_erased"
EMPLOYEES_SYNCED = "lms.employees_synced"
LIST_EXPORT_OBJECT_ID = "0"


def trail_actions() -> dict[str, str]:
    """Every audited action name with its label, from the hook (lms's own first)."""
    actions = {
        PERSONAL_DATA_EXPORTED: _("Export personal data"),
        EMPLOYEE_ERASED: _("Erase personal data"),
        EMPLOYEES_SYNCED: _("Synchronise employees"),
    }
    for fn in hooks.get_hooks(AUDIT_TRAIL_ACTIONS_HOOK):
        for name, label in fn():
            actions[name] = label
    return actions


def plain(value):
    """``value`` as JSON the trail keeps: numbers as exact text, dates as ISO, records by name."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return text
    if isinstance(value, float):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [plain(item) for item in value]
    return str(value)


def changed_fields(before, after) -> list[str]:
    """The keys whose values differ between two snapshots (either may be None)."""
    before, after = before or {}, after or {}
    return sorted(key for key in {*before, *after} if before.get(key) != after.get(key))


@dataclass
class Entry:
    """One audited change, for ``record_many``."""

    instance: models.Model
    action: str
    user: object = None
    before: dict | None = None
    after: dict | None = None
    reason: str = ""
    employee_id: int | None = None
    department_id: int | None = None
    department_path: str = ""
    title: str = ""
    extra: dict = field(default_factory=dict)

    def data(self):
        before, after = plain(self.before), plain(self.after)
        data = {
            "before": before,
            "after": after,
            "reason": str(self.reason or ""),
            "fields": changed_fields(before, after),
        }
        if self.employee_id is not None:
            data["employee"] = self.employee_id
        if self.department_id is not None:
            data["department"] = self.department_id
            data["department_path"] = self.department_path
        data.update(plain(self.extra))
        return data


def _check_action(action):
    if action not in trail_actions():
        raise ValueError(f"{action!r} is not an audit trail action (register_audit_trail_actions)")


def _user(user):
    return user if getattr(user, "pk", None) else None


def record(
    instance,
    action: str,
    *,
    user=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    employee=None,
    department=None,
    title: str = "",
    extra: dict | None = None,
):
    """Write one audit trail entry for a change to ``instance``; returns the log entry.

    ``employee`` is whose record changed (its department is read from it, so pass one with
    ``department`` loaded where queries count); ``department`` is the unit, for a department's
    own record.
    """
    _check_action(action)
    entry = Entry(
        instance,
        action,
        before=before,
        after=after,
        reason=reason,
        employee_id=getattr(employee, "pk", None),
        extra=extra or {},
    )
    if employee is not None:
        department = employee.department
    if department is not None:
        entry.department_id = department.pk
        entry.department_path = department.path
    return log_entry(instance, action, user=user, title=title, data=entry.data())


def log_entry(instance, action: str, *, user=None, title: str = "", data: dict | None = None):
    """Write one Wagtail log entry as ``wagtail.log_actions.log`` does, in one INSERT.

    Wagtail's ``save()`` of a log entry first validates it, which reads the content type and
    the user back (two queries) on the busiest writes of exam day, starting and submitting.
    Here the action is checked against Wagtail's registry and the database's foreign keys
    check the rest. Entries for objects with their own log model (pages) go through Wagtail.
    """
    from wagtail.log_actions import log
    from wagtail.log_actions import registry as log_actions
    from wagtail.models import ModelLogEntry

    model = log_actions.get_log_model_for_instance(instance)
    if model is not ModelLogEntry:
        return log(instance, action, user=_user(user), title=title or None, data=data)
    if not log_actions.action_exists(action):
        raise ValueError(f"{action!r} is not a registered log action")
    if instance.pk is None:
        raise ValueError(f"Cannot log {action!r} for {instance!r}: it has no primary key")
    entry = _model_log_entry(instance, action, user=user, title=title, data=data)
    ModelLogEntry.objects.bulk_create([entry])
    return entry


def _model_log_entry(
    instance, action, *, user=None, title="", data=None, timestamp=None, object_id=None
):
    """The one place a ``ModelLogEntry`` is built: every writer here goes through it.

    ``instance`` is a record, or a model class for an entry about many of its records (kept
    under ``LIST_EXPORT_OBJECT_ID``). The user and the request's uuid come from Wagtail's
    active log context (``wagtail.log_actions.LogContext``) where the caller names no user, so
    the entries a request writes are grouped on the history screens as Wagtail's own are.
    """
    from wagtail.log_actions import get_active_log_context
    from wagtail.models import ModelLogEntry

    context = get_active_log_context()
    is_model = isinstance(instance, type)
    if is_model:
        label = title or str(instance._meta.verbose_name_plural)
    else:
        label = title or ModelLogEntry.objects.get_instance_title(instance)
    if object_id is None:
        object_id = LIST_EXPORT_OBJECT_ID if is_model else instance.pk
    return ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(object_id),
        label=str(label)[: ModelLogEntry._meta.get_field("label").max_length],
        action=action,
        timestamp=timestamp or timezone.now(),
        user=_user(user) or _user(context.user),
        uuid=context.uuid,
        data=data or {},
    )


def department_paths(employee_ids) -> dict[int, tuple[int, str]]:
    """``{employee id: (department id, department path)}`` in one query."""
    from .models import Employee

    return {
        pk: (department_id, path)
        for pk, department_id, path in Employee.objects.filter(pk__in=set(employee_ids))
        .values_list("pk", "department_id", "department__path")
        .iterator()
    }


def record_many(entries: list[Entry], *, timestamp=None) -> int:
    """Write many entries in one insert (plus one query for their departments).

    An entry with ``employee_id`` but no department gets its employee's department.
    """
    from wagtail.models import ModelLogEntry

    if not entries:
        return 0
    for entry in entries:
        _check_action(entry.action)
    missing = {e.employee_id for e in entries if e.employee_id and e.department_id is None}
    if missing:
        paths = department_paths(missing)
        for entry in entries:
            if entry.employee_id in paths and entry.department_id is None:
                entry.department_id, entry.department_path = paths[entry.employee_id]
    timestamp = timestamp or timezone.now()
    ModelLogEntry.objects.bulk_create(
        [
            _model_log_entry(
                entry.instance,
                entry.action,
                user=entry.user,
                title=entry.title or str(entry.instance),
                data=entry.data(),
                timestamp=timestamp,
            )
            for entry in entries
        ],
        batch_size=500,
    )
    return len(entries)


def log_many(instances, action: str, *, user=None, data: dict | None = None) -> int:
    """Wagtail log entries (a create or an edit, not the audit trail) for many records of one
    import, in one insert: Wagtail's ``log()`` writes one per call."""
    from wagtail.log_actions import registry as log_actions
    from wagtail.models import ModelLogEntry

    if not log_actions.action_exists(action):
        raise ValueError(f"{action!r} is not a registered log action")
    timestamp = timezone.now()
    entries = [
        _model_log_entry(instance, action, user=user, data=data, timestamp=timestamp)
        for instance in instances
    ]
    ModelLogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def record_export(
    model,
    *,
    user,
    what: str,
    rows: int,
    fields: Iterable[str] = (),
    filters: Mapping | None = None,
    employee=None,
):
    """Log an export of personal data: who, what, how many rows, with which filters.

    ``employee`` is whose data it is when the export is one person's (an archive PDF);
    a list export is logged against the model itself.
    """
    data = Entry(
        employee or model,
        PERSONAL_DATA_EXPORTED,
        after={"what": what, "rows": rows, "fields": list(fields)},
        reason=str(what),
        extra={"filters": dict(filters or {})},
    )
    if employee is not None:
        data.employee_id = employee.pk
        data.department_id = employee.department_id
        data.department_path = employee.department.path
    # A list export concerns many records: LIST_EXPORT_OBJECT_ID, which no row has, stands
    # for them (Wagtail's reports read every object id as the model's primary key).
    entry = _model_log_entry(
        model,
        PERSONAL_DATA_EXPORTED,
        user=user,
        title=str(employee) if employee is not None else "",
        data=data.data(),
        object_id=employee.pk if employee is not None else None,
    )
    entry.save()
    return entry


def record_bulk(
    model, action: str, *, user=None, after: dict, reason: str = "", extra: dict | None = None
):
    """One entry for a write to many records of ``model`` at once (a sync of the staff list):
    kept against the model itself, as a list export is."""
    _check_action(action)
    data = Entry(model, action, after=after, reason=reason, extra=extra or {}).data()
    entry = _model_log_entry(model, action, user=user, data=data)
    entry.save()
    return entry


def request_filters(request) -> dict:
    """The query-string filters of a listing, as the export log keeps them."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.GET.lists()
        if key not in ("export", "p", "page") and any(values)
    }
