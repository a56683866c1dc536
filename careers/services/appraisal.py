"""Appraisal periods and their indicator values.

A period moves open → collecting → calculated → frozen → published; each move is a model method
that raises ``AppraisalError`` and is saved (and audited) here. Until the period is frozen,
values are entered, imported and removed freely; once it is frozen a value changes only through
``indicator_value_correct``, which needs a reason, writes one audit trail entry for the value and
recalculates (``calculation``), which writes one entry for every result that changes.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms import audit
from lms.models import Department, Employee
from lms.notifications.services import emit_later

from ..bulk import json_insert
from ..models import (
    AppraisalError,
    AppraisalPeriod,
    Indicator,
    IndicatorSystem,
    IndicatorValue,
    Subject,
)
from ..notifications import APPRAISAL_PUBLISHED, AppraisalPublished
from ._common import _locked_period, _period_state
from .calculation import _calculate


@transaction.atomic
def appraisal_period_create(
    *, name: str, system: IndicatorSystem, kind: str, start: date, end: date, acting_user=None
) -> AppraisalPeriod:
    if system.status == IndicatorSystem.Status.RETIRED:
        raise AppraisalError(_("A retired indicator system cannot be used for a new period."))
    period = AppraisalPeriod(name=name.strip(), system=system, kind=kind, start=start, end=end)
    period.full_clean()
    period.save()
    log(period, "wagtail.create", user=acting_user)
    return period


@transaction.atomic
def appraisal_period_start_collecting(*, period, acting_user=None) -> AppraisalPeriod:
    period = _locked_period(period)
    period.start_collecting()
    period.save(update_fields=["status"])
    log(period, "wagtail.edit", user=acting_user)
    return period


def _move_period(period, move, fields, action, reason, acting_user):
    """Lock ``period``, make the status ``move``, save ``fields`` and audit it."""
    period = _locked_period(period)
    before = _period_state(period)
    getattr(period, move)()
    period.save(update_fields=["status", *fields])
    audit.record(
        period,
        action,
        user=acting_user,
        before=before,
        after=_period_state(period),
        reason=reason,
        extra={"results": period.results.count()},
    )
    return period


@transaction.atomic
def appraisal_period_freeze(*, period, acting_user=None) -> AppraisalPeriod:
    return _move_period(
        period,
        "freeze",
        ["frozen_at"],
        "careers.period_frozen",
        _("Results reviewed and frozen"),
        acting_user,
    )


@transaction.atomic
def appraisal_period_publish(*, period, acting_user=None) -> AppraisalPeriod:
    """Publish the results to employees; each of them (and the webhooks) is told, in the
    background once the publication commits."""
    period = _move_period(
        period,
        "publish",
        ["published_at"],
        "careers.period_published",
        _("Published to employees"),
        acting_user,
    )
    user_ids = list(
        period.results.filter(employee__isnull=False).values_list("employee__user_id", flat=True)
    )
    emit_later(
        APPRAISAL_PUBLISHED,
        AppraisalPublished(
            period_id=period.pk,
            period=period.name,
            start=period.start,
            end=period.end,
            results=period.results.count(),
            published_at=period.published_at,
        ),
        user_ids=user_ids,
        dedupe_key=f"{APPRAISAL_PUBLISHED}:{period.pk}:{period.published_at.isoformat()}",
    )
    return period


@transaction.atomic
def appraisal_period_unpublish(*, period, reason: str, acting_user=None) -> AppraisalPeriod:
    """Withdraw published results from employees (back to frozen); needs a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the results are withdrawn.")})
    return _move_period(
        period, "unpublish", ["published_at"], "careers.period_unpublished", reason, acting_user
    )


# ---------------------------------------------------------------------------------------------
# Values


def _check_value(indicator, *, employee, department, value, period):
    if indicator.system_id != period.system_id:
        raise ValidationError(
            {"indicator": _("%(indicator)s is not part of this period's indicator system.")}
            % {"indicator": indicator}
        )
    if indicator.subject == Subject.EMPLOYEE and (employee is None or department is not None):
        raise ValidationError({"employee": _("This indicator is set per employee.")})
    if indicator.subject == Subject.DEPARTMENT and (department is None or employee is not None):
        raise ValidationError({"department": _("This indicator is set per department.")})
    problem = indicator.value_error(value)
    if problem:
        raise ValidationError({"value": problem})


def _upsert_value(*, period, indicator, employee, department, value, source, records, note):
    lookup = {"period": period, "indicator": indicator}
    if employee is not None:
        lookup["employee"] = employee
    else:
        lookup["department"] = department
    existing = IndicatorValue.objects.filter(**lookup).first()
    before = existing.value if existing else None
    item = existing or IndicatorValue(**lookup)
    item.value = Decimal(value)
    item.source = source
    item.records = [list(pair) for pair in records]
    item.note = note
    item.updated_at = timezone.now()
    item.full_clean(validate_unique=False, validate_constraints=False)
    item.save()
    return item, before


@transaction.atomic
def indicator_value_set(
    *,
    period: AppraisalPeriod,
    indicator: Indicator,
    value: Decimal,
    employee: Employee | None = None,
    department: Department | None = None,
    source: str = Indicator.Source.MANUAL,
    records=(),
    note: str = "",
    acting_user=None,
) -> IndicatorValue:
    """Enter or replace a value while the period is not frozen."""
    period = _locked_period(period)
    if period.is_locked:
        raise AppraisalError(
            _("%(period)s is %(status)s; correct values with a reason instead.")
            % {"period": period, "status": period.get_status_display()}
        )
    value = Decimal(value)
    _check_value(indicator, employee=employee, department=department, value=value, period=period)
    item, before = _upsert_value(
        period=period,
        indicator=indicator,
        employee=employee,
        department=department,
        value=value,
        source=source,
        records=records,
        note=note,
    )
    _values_changed(period)
    audit.record(
        item,
        "careers.value_set",
        user=acting_user,
        before=None if before is None else {"value": before},
        after={"value": item.value, "source": item.source},
        reason=note or _("Value entered"),
        employee=employee,
        department=department,
        extra={"indicator": indicator.code, "period": period.pk},
    )
    return item


@transaction.atomic
def indicator_value_delete(*, value_item: IndicatorValue, acting_user=None) -> None:
    """Remove a value while the period is not frozen (a frozen one is corrected instead)."""
    period = _locked_period(value_item.period)
    if period.is_locked:
        raise AppraisalError(
            _("%(period)s is %(status)s; correct values with a reason instead.")
            % {"period": period, "status": period.get_status_display()}
        )
    audit.record(
        value_item,
        "careers.value_deleted",
        user=acting_user,
        before={"value": value_item.value, "source": value_item.source},
        reason=_("Value removed"),
        employee=value_item.employee,
        department=value_item.department,
        extra={"indicator": value_item.indicator.code, "period": period.pk},
    )
    value_item.delete()
    _values_changed(period)


def _values_changed(period):
    """New values make an earlier calculation stale: the period collects again."""
    if period.status in (AppraisalPeriod.Status.OPEN, AppraisalPeriod.Status.CALCULATED):
        period.start_collecting()
        period.save(update_fields=["status"])


@transaction.atomic
def indicator_values_import(*, period: AppraisalPeriod, rows, acting_user=None) -> int:
    """Write imported values (already checked row by row) in a fixed number of queries.

    ``rows`` are ``(indicator, employee_id_or_None, department_id_or_None, value, note)``.
    """
    period = _locked_period(period)
    if not period.accepts_values:
        raise AppraisalError(
            _("%(period)s is %(status)s and takes no more imported values.")
            % {"period": period, "status": period.get_status_display()}
        )
    now = timezone.now()
    existing = {
        (v.indicator_id, v.employee_id, v.department_id): v
        for v in IndicatorValue.objects.filter(period=period).select_related(
            "indicator", "employee", "department"
        )
    }
    new, changed, befores = [], [], []
    for indicator, employee_id, department_id, value, note in rows:
        key = (indicator.pk, employee_id, department_id)
        item = existing.get(key)
        if item is not None:
            befores.append(item.value)
        if item is None:
            new.append(
                {
                    "period": period.pk,
                    "indicator": indicator.pk,
                    "employee": employee_id,
                    "department": department_id,
                    "value": Decimal(value),
                    "source": Indicator.Source.IMPORT,
                    "records": [],
                    "note": note or "",
                    "updated_at": now,
                }
            )
        else:
            item.value, item.note, item.updated_at = Decimal(value), note or "", now
            item.source = Indicator.Source.IMPORT
            changed.append(item)
    for row in new:  # json_insert takes column values; foreign keys by their attname
        for name in ("period", "indicator", "employee", "department"):
            row[f"{name}_id"] = row.pop(name)
    json_insert(IndicatorValue, new)
    if changed:
        IndicatorValue.objects.bulk_update(
            changed, ["value", "note", "updated_at", "source"], batch_size=500
        )
    _values_changed(period)
    _audit_imported_values(period, new, changed, befores, acting_user, now)
    return len(new) + len(changed)


def _audit_imported_values(period, new, changed, befores, acting_user, now):
    """One trail entry per imported value (two queries: the new rows' ids, one insert)."""
    reason = _("Imported from a spreadsheet")

    def entry(item, before):
        return audit.Entry(
            item,
            "careers.value_imported",
            user=acting_user,
            before=None if before is None else {"value": before},
            after={"value": item.value, "source": item.source},
            reason=item.note or reason,
            employee_id=item.employee_id,
            department_id=item.department_id,
            department_path=item.department.path if item.department_id else "",
            title=f"{item.indicator.code} · {item.subject_label}",
            extra={"indicator": item.indicator.code, "period": period.pk},
        )

    entries = [entry(item, before) for item, before in zip(changed, befores, strict=True)]
    if new:
        entries += [
            entry(item, None)
            for item in IndicatorValue.objects.filter(period=period, updated_at=now)
            .exclude(pk__in=[c.pk for c in changed])
            .select_related("indicator", "employee", "department")
        ]
    audit.record_many(entries, timestamp=now)


@transaction.atomic
def indicator_value_correct(
    *,
    value_item: IndicatorValue,
    value: Decimal,
    reason: str,
    acting_user=None,
) -> IndicatorValue:
    """Change a value of a frozen or published period: needs a reason, audited, recalculated."""
    period = _locked_period(value_item.period)
    if not period.is_locked:
        raise AppraisalError(_("The period is not frozen; change the value directly."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the value of a frozen period changes.")})
    value = Decimal(value)
    indicator = value_item.indicator
    problem = indicator.value_error(value)
    if problem:
        raise ValidationError({"value": problem})
    before = value_item.value
    value_item.value = value
    value_item.source = Indicator.Source.MANUAL
    value_item.updated_at = timezone.now()
    value_item.save(update_fields=["value", "source", "updated_at"])
    audit.record(
        value_item,
        "careers.value_corrected",
        user=acting_user,
        before={"value": before},
        after={"value": value, "source": value_item.source},
        reason=reason,
        employee=value_item.employee,
        department=value_item.department,
        title=f"{indicator.code} · {value_item.subject_label}",
        extra={"indicator": indicator.code, "period": period.pk},
    )
    _calculate(period, refresh_sources=False, reason=reason, acting_user=acting_user)
    return value_item
