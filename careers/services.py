"""Writes for careers: indicator systems, appraisal periods, values, calculation and corrections.

Every function is atomic and keyword-only. Status moves are model methods that raise
``AppraisalError``; the functions here save them and log who did it. Once a period is frozen,
values change only through ``indicator_value_correct``, which needs a reason and writes
``AppraisalAudit`` entries for the value and every result it changes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms import audit
from lms.hooks import appraisal_indicator_sources
from lms.models import Department, Employee
from lms.roles import Role

from .bulk import json_insert
from .models import (
    TWO_PLACES,
    AppraisalAudit,
    AppraisalError,
    AppraisalPeriod,
    AppraisalResult,
    CareersError,
    Indicator,
    IndicatorSystem,
    IndicatorValue,
    Subject,
    plain,
)

# ---------------------------------------------------------------------------------------------
# Grade bands and bonus coefficients (settings)


def _parse_pairs(text):
    pairs = []
    for item in text.split(","):
        if not item.strip():
            continue
        key, _sep, number = item.partition(":")
        pairs.append((key.strip(), Decimal(number.strip())))
    return pairs


def grade_bands() -> list[tuple[str, Decimal]]:
    """(grade, lowest score) from the best grade down, from ``APPRAISAL_GRADE_BANDS``."""
    return sorted(_parse_pairs(settings.APPRAISAL_GRADE_BANDS), key=lambda p: p[1], reverse=True)


def bonus_coefficients() -> dict[str, Decimal]:
    return dict(_parse_pairs(settings.APPRAISAL_BONUS_COEFFICIENTS))


def grade_for(score: Decimal, bands) -> str:
    for grade, lowest in bands:
        if score >= lowest:
            return grade
    return bands[-1][0]


# ---------------------------------------------------------------------------------------------
# Indicator systems


@transaction.atomic
def indicator_system_create(*, name: str, description: str = "", acting_user=None):
    latest = IndicatorSystem.objects.filter(name=name.strip()).order_by("-version").first()
    system = IndicatorSystem(
        name=name.strip(), description=description, version=(latest.version + 1) if latest else 1
    )
    system.full_clean()
    system.save()
    log(system, "wagtail.create", user=acting_user)
    return system


INDICATOR_FIELDS = (
    "code",
    "name",
    "category",
    "subject",
    "weight",
    "unit",
    "target",
    "higher_is_better",
    "rule",
    "threshold_low",
    "threshold_high",
    "deduction_per_occurrence",
    "floor_score",
    "min_value",
    "max_value",
    "source",
    "source_key",
    "description",
)


@transaction.atomic
def indicator_create(*, system: IndicatorSystem, acting_user=None, **fields) -> Indicator:
    """Add an indicator to a draft system."""
    if not system.is_editable:
        raise AppraisalError(
            _("%(system)s is in force; make a new version to change its indicators.")
            % {"system": system}
        )
    indicator = Indicator(system=system, **fields)
    indicator.full_clean()
    indicator.save()
    log(indicator, "wagtail.create", user=acting_user)
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, acting_user=None, **fields) -> Indicator:
    if not indicator.system.is_editable:
        raise AppraisalError(
            _("%(system)s is in force; make a new version to change its indicators.")
            % {"system": indicator.system}
        )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    log(indicator, "wagtail.edit", user=acting_user)
    return indicator


@transaction.atomic
def indicator_system_activate(*, system: IndicatorSystem, acting_user=None) -> IndicatorSystem:
    """Put a draft in force (its indicators are then fixed); the name's earlier version retires."""
    indicators = list(system.indicators.all())
    if not indicators:
        raise AppraisalError(_("An indicator system needs at least one indicator."))
    total = sum((i.weight for i in indicators), Decimal(0))
    if total != Decimal(100):
        raise AppraisalError(
            _("The weights add up to %(total)s; they must add up to 100.") % {"total": plain(total)}
        )
    system.activate()
    system.save(update_fields=["status"])
    for older in IndicatorSystem.objects.filter(
        name=system.name, status=IndicatorSystem.Status.ACTIVE
    ).exclude(pk=system.pk):
        older.retire()
        older.save(update_fields=["status"])
    log(system, "wagtail.edit", user=acting_user)
    return system


@transaction.atomic
def indicator_system_new_version(*, system: IndicatorSystem, acting_user=None) -> IndicatorSystem:
    """A draft copy of ``system`` with the next version number, to change its rules."""
    draft = indicator_system_create(
        name=system.name, description=system.description, acting_user=acting_user
    )
    Indicator.objects.bulk_create(
        [
            Indicator(system=draft, **{name: getattr(i, name) for name in INDICATOR_FIELDS})
            for i in system.indicators.all()
        ]
    )
    return draft


# ---------------------------------------------------------------------------------------------
# Periods


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


def _locked_period(period):
    # Re-read under a row lock so two HR officers cannot move the same period at once.
    return AppraisalPeriod.objects.select_for_update().select_related("system").get(pk=period.pk)


def _period_state(period) -> dict:
    return {"status": period.status}


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
    return _move_period(
        period,
        "publish",
        ["published_at"],
        "careers.period_published",
        _("Published to employees"),
        acting_user,
    )


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
    AppraisalAudit.objects.create(
        period=period,
        action=AppraisalAudit.Action.VALUE_CHANGED,
        indicator=indicator,
        employee=value_item.employee,
        department=value_item.department,
        before=plain(before),
        after=plain(value),
        reason=reason,
        user=acting_user,
    )
    audit.record(
        value_item,
        "careers.value_corrected",
        user=acting_user,
        before={"value": before},
        after={"value": value, "source": value_item.source},
        reason=reason,
        employee=value_item.employee,
        department=value_item.department,
        extra={"indicator": indicator.code, "period": period.pk},
    )
    _calculate(period, refresh_sources=False, reason=reason, acting_user=acting_user)
    return value_item


# ---------------------------------------------------------------------------------------------
# Calculation


@dataclass
class CalculationSummary:
    employees: int
    results: int
    source_values: int
    values: int = 0  # indicator values the scores were computed from


@transaction.atomic
def appraisal_period_calculate(*, period: AppraisalPeriod, acting_user=None):
    """Score the whole company for ``period`` in a fixed number of queries.

    Values of indicators whose source is an app's hook are computed first; then every active
    employee gets a total (weighted mean of the scores of the indicators that have a value, a
    department indicator taking the value of the employee's department or its nearest parent), a
    grade band, a rank within the department and a bonus coefficient.
    """
    period = _locked_period(period)
    before = _period_state(period)
    period.mark_calculated()  # raises on an illegal move before anything is written
    summary = _calculate(period, refresh_sources=True)
    if not summary.values:  # counted after the apps' sources had their say; rolls back
        raise AppraisalError(_empty_period_message(period))
    period.save(update_fields=["status", "calculated_at"])
    audit.record(
        period,
        "careers.calculated",
        user=acting_user,
        before=before,
        after={**_period_state(period), "results": summary.results},
        reason=_("Scores calculated; %(values)s values computed from training, exams and drills")
        % {"values": summary.source_values},
        extra={"source_values": summary.source_values, "employees": summary.employees},
    )
    return summary


def _empty_period_message(period):
    return _(
        "%(period)s has no indicator values, so there is nothing to calculate. Import or enter "
        "values first (indicators computed from training, exams and drills fill in by "
        "themselves)."
    ) % {"period": period.name}


def appraisal_calculation_request(*, period: AppraisalPeriod, acting_user=None):
    """Queue ``appraisal_period_calculate`` as a background job; returns the job to watch.

    Refuses at once (AppraisalError) a period with no values and no indicator that computes its
    own, rather than starting a job that can only fail."""
    if (
        not period.values.exists()
        and not period.system.indicators.filter(source=Indicator.Source.HOOK).exists()
    ):
        raise AppraisalError(_empty_period_message(period))
    from lms.jobs import job_start

    from .tasks import calculate_appraisal

    return job_start(
        kind="careers.appraisal_calculation",
        task=calculate_appraisal,
        owner=acting_user,
        title=_("Calculate %(period)s") % {"period": period},
        params={"period_id": period.pk},
        total=1,
    )


def _refresh_source_values(period, indicators, employees, departments, now):
    sources = appraisal_indicator_sources()
    hook_indicators = [i for i in indicators if i.source == Indicator.Source.HOOK]
    if not hook_indicators:
        return 0
    rows = []
    employee_ids = [pk for pk, _dept, _path in employees]
    department_ids = list(departments)
    readings_by_key = {}
    for indicator in hook_indicators:
        source = sources.get(indicator.source_key)
        if source is None:
            continue  # the app is not installed (yet): the indicator simply has no values
        if indicator.source_key not in readings_by_key:
            ids = employee_ids if source.subject == Subject.EMPLOYEE else department_ids
            readings_by_key[indicator.source_key] = source.compute(period.start, period.end, ids)
        for subject_id, reading in readings_by_key[indicator.source_key].items():
            if indicator.value_error(reading.value):
                continue
            rows.append(
                {
                    "period_id": period.pk,
                    "indicator_id": indicator.pk,
                    "employee_id": subject_id if indicator.subject == Subject.EMPLOYEE else None,
                    "department_id": subject_id
                    if indicator.subject == Subject.DEPARTMENT
                    else None,
                    "value": Decimal(reading.value),
                    "source": Indicator.Source.HOOK,
                    "records": [[str(label), str(url)] for label, url in reading.records],
                    "note": "",
                    "updated_at": now,
                }
            )
    IndicatorValue.objects.filter(period=period, indicator__in=hook_indicators).delete()
    json_insert(IndicatorValue, rows)
    return len(rows)


def _calculate(period, *, refresh_sources, reason="", acting_user=None):
    now = timezone.now()
    bands = grade_bands()
    coefficients = bonus_coefficients()
    indicators = list(period.system.indicators.all())
    results = AppraisalResult.objects.filter(period=period)
    before = {}
    if period.is_locked:
        # A frozen period keeps the people (and their departments) it was frozen with, even if
        # someone has since left or moved; only their scores may change.
        snapshot = list(
            results.values_list(
                "employee_id", "department_id", "department__path", "total_score", "grade"
            )
        )
        employees = [(pk, dept, path) for pk, dept, path, _total, _grade in snapshot]
        before = {pk: (total, grade) for pk, _dept, _path, total, grade in snapshot}
    else:
        employees = list(
            Employee.objects.filter(status=Employee.Status.ACTIVE).values_list(
                "pk", "department_id", "department__path"
            )
        )
    departments = dict(Department.objects.values_list("pk", "path"))
    source_values = 0
    if refresh_sources:
        source_values = _refresh_source_values(period, indicators, employees, departments, now)

    employee_values = {}  # (indicator, employee) -> (value, value_id)
    department_values = {}  # (indicator, department path) -> (value, value_id)
    for pk, indicator_id, employee_id, department_id, value in IndicatorValue.objects.filter(
        period=period
    ).values_list("pk", "indicator_id", "employee_id", "department_id", "value"):
        if employee_id is not None:
            employee_values[indicator_id, employee_id] = (value, pk)
        elif department_id in departments:
            department_values[indicator_id, departments[department_id]] = (value, pk)

    steplen = Department.steplen
    scored = []  # (employee_id, department_id, total, breakdown)
    for employee_id, department_id, path in employees:
        ancestors = [path[:end] for end in range(len(path), 0, -steplen)]
        breakdown = []
        weighted_sum = Decimal(0)
        weight_sum = Decimal(0)
        for indicator in indicators:
            if indicator.subject == Subject.EMPLOYEE:
                found = employee_values.get((indicator.pk, employee_id))
            else:
                found = next(
                    (
                        department_values[indicator.pk, p]
                        for p in ancestors
                        if (indicator.pk, p) in department_values
                    ),
                    None,
                )
            if found is None:
                continue
            value, value_id = found
            score = indicator.score(value)
            weighted = (score * indicator.weight / 100).quantize(TWO_PLACES)
            weighted_sum += score * indicator.weight
            weight_sum += indicator.weight
            # [indicator id, value, score, weighted points, value id]
            breakdown.append([indicator.pk, plain(value), str(score), str(weighted), value_id])
        if not breakdown:
            continue
        total = (weighted_sum / weight_sum).quantize(TWO_PLACES)
        scored.append((employee_id, department_id, total, breakdown))

    # Competition ranking within each department: 1, 2, 2, 4.
    by_department = defaultdict(list)
    for item in scored:
        by_department[item[1]].append(item)
    rows = []
    for department_id, items in by_department.items():
        items.sort(key=lambda item: item[2], reverse=True)
        rank, previous = 0, None
        for position, (employee_id, _dept, total, breakdown) in enumerate(items, 1):
            if total != previous:
                rank, previous = position, total
            grade = grade_for(total, bands)
            rows.append(
                {
                    "period_id": period.pk,
                    "employee_id": employee_id,
                    "department_id": department_id,
                    "total_score": total,
                    "grade": grade,
                    "rank_in_department": rank,
                    "department_size": len(items),
                    "bonus_coefficient": coefficients.get(grade, Decimal(0)),
                    "breakdown": breakdown,
                    "calculated_at": now,
                }
            )

    if period.is_locked:
        audits, entries = [], []
        for row in rows:
            old = before.get(row["employee_id"])
            new = (row["total_score"], row["grade"])
            if old != new:
                entries.append(
                    audit.Entry(
                        period,
                        "careers.result_changed",
                        user=acting_user,
                        before={"total_score": old[0], "grade": old[1]} if old else None,
                        after={"total_score": new[0], "grade": new[1]},
                        reason=reason,
                        employee_id=row["employee_id"],
                        title=f"{period} · {row['employee_id']}",
                    )
                )
                audits.append(
                    {
                        "period_id": period.pk,
                        "action": AppraisalAudit.Action.RESULT_CHANGED,
                        "employee_id": row["employee_id"],
                        "department_id": row["department_id"],
                        "before": f"{old[0]} ({old[1]})" if old else "—",
                        "after": f"{new[0]} ({new[1]})",
                        "reason": reason,
                        "user_id": acting_user.pk if acting_user else None,
                        "created_at": now,
                    }
                )
        json_insert(AppraisalAudit, audits)
        _name_result_entries(period, entries)
        audit.record_many(entries, timestamp=now)
    results.delete()
    json_insert(AppraisalResult, rows)
    return CalculationSummary(
        employees=len(employees),
        results=len(rows),
        source_values=source_values,
        values=len(employee_values) + len(department_values),
    )


def _name_result_entries(period, entries):
    """Title each result entry with the employee's name (one query for all)."""
    if not entries:
        return
    names = Employee.objects.in_bulk({e.employee_id for e in entries})
    for entry in entries:
        entry.title = f"{period} · {names[entry.employee_id]}"


# ---------------------------------------------------------------------------------------------
# Training archive


def archive_export_request(*, department, year=None, acting_user):
    """Queue a zip of the department's archives (one PDF per employee) for ``acting_user``;
    returns the background job to watch."""
    from lms.jobs import job_start

    from .tasks import build_department_archive_zip

    total = Employee.objects.in_department(department).count()
    # Personal data leaves the platform in this zip: the request is logged in the audit trail.
    audit.record_export(
        Employee,
        user=acting_user,
        what=_("Training archives of %(department)s (zip of PDFs)") % {"department": department},
        rows=total,
        filters={"department": department.code, "year": year},
    )
    return job_start(
        kind="careers.archive_zip",
        task=build_department_archive_zip,
        owner=acting_user,
        title=_("Archives of %(department)s %(year)s")
        % {"department": department.name, "year": year or ""},
        params={"department_id": department.pk, "year": year},
        total=total,
    )


# ---------------------------------------------------------------------------------------------
# Development plans


def _save(instance, **clean_kwargs):
    instance.full_clean(**clean_kwargs)
    instance.save()
    return instance


@transaction.atomic
def development_plan_create(
    *,
    employee,
    year: int,
    target_position=None,
    mentor=None,
    use_template: bool = True,
    acting_user=None,
):
    """A draft plan; the target position's template pre-fills goals and planned courses."""
    from .models import DevelopmentGoal, DevelopmentPlan, PlannedCourse, PositionTemplate

    if DevelopmentPlan.objects.filter(employee=employee, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(name)s already has a plan for %(year)s.")
                % {"name": employee.name, "year": year}
            }
        )
    if mentor is not None and mentor.pk == employee.pk:
        raise ValidationError({"mentor": _("An employee cannot mentor themself.")})
    plan = _save(
        DevelopmentPlan(
            employee=employee, year=year, target_position=target_position, mentor=mentor
        )
    )
    if use_template and target_position is not None:
        template = PositionTemplate.objects.filter(position=target_position).first()
        if template is not None:
            DevelopmentGoal.objects.bulk_create(
                [
                    DevelopmentGoal(
                        plan=plan,
                        description=_("Master: %(skill)s") % {"skill": skill},
                        measure=_("Confirmed by the mentor"),
                    )
                    for skill in template.skills
                ]
            )
            PlannedCourse.objects.bulk_create(
                [PlannedCourse(plan=plan, title=title) for title in template.courses]
            )
    log(plan, "wagtail.create", user=acting_user)
    return plan


@transaction.atomic
def development_goal_add(*, plan, description, measure="", due_date=None, acting_user=None):
    from .models import DevelopmentGoal, DevelopmentPlan

    if plan.status == DevelopmentPlan.Status.REVIEWED:
        raise CareersError(_("A reviewed plan is closed."))
    return _save(
        DevelopmentGoal(plan=plan, description=description, measure=measure, due_date=due_date)
    )


@transaction.atomic
def development_goal_set_status(*, goal, status, acting_user=None):
    goal.status = status
    return _save(goal)


@transaction.atomic
def planned_course_add(*, plan, title, acting_user=None):
    from .models import PlannedCourse

    return _save(PlannedCourse(plan=plan, title=title))


@transaction.atomic
def development_plan_submit(*, plan, acting_user=None):
    plan.submit()
    plan.save(update_fields=["status"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def development_plan_approve(*, plan, approver, acting_user=None):
    """Approve a submitted plan; only a manager in the employee's management line may."""
    plan.approve(approver)
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def development_plan_review(*, plan, text, reviewer, acting_user=None):
    """The yearly review closes an approved plan; written by the management line or HR."""
    from lms.roles import has_role

    from .models import management_line_ids

    user = getattr(reviewer, "user", None)
    if reviewer.pk not in management_line_ids(plan.employee.department) and not (
        user and has_role(user, Role.HR)
    ):
        raise CareersError(_("Only the employee's managers or HR write the yearly review."))
    plan.close_with_review(text)
    plan.save(update_fields=["review", "reviewed_at", "status"])
    log(plan, "wagtail.edit", user=acting_user)
    return plan


@transaction.atomic
def check_in_add(*, plan, author, note):
    from .models import CheckIn

    if not (note or "").strip():
        raise ValidationError({"note": _("Write the note.")})
    return _save(CheckIn(plan=plan, author=author, note=note.strip()))


def planned_course_progress(plan):
    """Planned courses with whether the employee's archive shows them completed."""
    from lms.hooks import ArchiveCategory, archive_entries

    done_titles = {
        entry.title
        for entry in archive_entries(
            plan.employee,
            categories=(ArchiveCategory.TRAINING, ArchiveCategory.ATTENDANCE),
        )
    }
    return [
        {"course": course, "done": any(course.title in title for title in done_titles)}
        for course in plan.planned_courses.all()
    ]


# ---------------------------------------------------------------------------------------------
# Job rotation


@transaction.atomic
def rotation_programme_create(*, name, start, end, description="", acting_user=None):
    from .models import RotationProgramme

    programme = _save(RotationProgramme(name=name, start=start, end=end, description=description))
    log(programme, "wagtail.create", user=acting_user)
    return programme


@transaction.atomic
def rotation_assign(
    *,
    programme,
    employee,
    to_department,
    to_position,
    start,
    end,
    mentor=None,
    objectives=(),
    acting_user=None,
):
    """Place an employee on a rotation; refuses overlaps and dates outside their employment."""
    from .models import RotationAssignment, RotationObjective

    # Lock the employee's row so two concurrent assignments cannot both pass the overlap check.
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    assignment = RotationAssignment(
        programme=programme,
        employee=employee,
        from_department=employee.department,
        from_position=employee.position,
        to_department=to_department,
        to_position=to_position,
        start=start,
        end=end,
        mentor=mentor,
    )
    assignment.full_clean()
    overlapping = (
        RotationAssignment.objects.blocking()
        .filter(employee=employee, start__lte=end, end__gte=start)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start": _("%(name)s is already on a rotation from %(start)s to %(end)s.")
                % {
                    "name": employee.name,
                    "start": overlapping.start.isoformat(),
                    "end": overlapping.end.isoformat(),
                }
            }
        )
    assignment.save()
    RotationObjective.objects.bulk_create(
        [RotationObjective(assignment=assignment, description=text) for text in objectives if text]
    )
    log(assignment, "wagtail.create", user=acting_user)
    return assignment


@transaction.atomic
def rotation_start(*, assignment, acting_user=None):
    assignment.activate()
    assignment.save(update_fields=["status"])
    log(assignment, "wagtail.edit", user=acting_user)
    return assignment


@transaction.atomic
def rotation_cancel(*, assignment, acting_user=None):
    assignment.cancel()
    assignment.save(update_fields=["status"])
    log(assignment, "wagtail.edit", user=acting_user)
    return assignment


@transaction.atomic
def rotation_evaluate(*, assignment, evaluator, scores: dict, comment: str = "", acting_user=None):
    """The receiving manager scores each objective (0–100) and completes the rotation.

    ``scores`` maps objective id → (score, comment).
    """
    objectives = list(assignment.objectives.all())
    missing = [o for o in objectives if o.pk not in scores]
    if missing:
        raise ValidationError(
            _("Score every objective; missing: %(names)s")
            % {"names": "、".join(o.description for o in missing)}
        )
    before = _rotation_state(assignment, objectives)
    assignment.complete(evaluator)
    _score_objectives(objectives, scores)
    from .models import RotationObjective

    RotationObjective.objects.bulk_update(objectives, ["score", "comment"])
    assignment.evaluation_comment = comment
    assignment.save(update_fields=["status", "evaluated_by", "evaluated_at", "evaluation_comment"])
    audit.record(
        assignment,
        "careers.rotation_evaluated",
        user=acting_user,
        before=before,
        after=_rotation_state(assignment, objectives),
        reason=comment or _("End-of-rotation evaluation"),
        employee=assignment.employee,
    )
    return assignment


def _rotation_state(assignment, objectives) -> dict:
    return {
        "status": assignment.status,
        "scores": {o.description: o.score for o in objectives},
        "evaluation_comment": assignment.evaluation_comment,
    }


def _score_objectives(objectives, scores):
    for objective in objectives:
        score, note = scores[objective.pk]
        score = Decimal(score)
        if not Decimal(0) <= score <= Decimal(100):
            raise ValidationError({"score": _("Scores run from 0 to 100.")})
        objective.score, objective.comment = score, note or ""


@transaction.atomic
def rotation_evaluation_change(
    *, assignment, evaluator, scores: dict, comment: str, reason: str, acting_user=None
):
    """Change a completed rotation's evaluation: its evaluator's management line or HR, with a
    reason. ``scores`` maps objective id → (score, comment) for the objectives that change."""
    from lms.roles import has_role

    from .models import RotationAssignment, RotationObjective, management_line_ids

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the evaluation changes.")})
    assignment = RotationAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != RotationAssignment.Status.COMPLETED:
        raise CareersError(_("Only a completed rotation's evaluation can be changed."))
    user = getattr(evaluator, "user", None)
    if not (
        (evaluator is not None and evaluator.pk in management_line_ids(assignment.to_department))
        or (user is not None and has_role(user, Role.HR))
    ):
        raise CareersError(
            _("Only a manager of the receiving department or HR can change this evaluation.")
        )
    objectives = list(assignment.objectives.all())
    before = _rotation_state(assignment, objectives)
    changing = [o for o in objectives if o.pk in scores]
    _score_objectives(changing, scores)
    RotationObjective.objects.bulk_update(changing, ["score", "comment"])
    assignment.evaluation_comment = comment
    assignment.save(update_fields=["evaluation_comment"])
    after = _rotation_state(assignment, objectives)
    if after != before:
        audit.record(
            assignment,
            "careers.rotation_evaluation_changed",
            user=acting_user,
            before=before,
            after=after,
            reason=reason,
            employee=assignment.employee,
        )
    return assignment


# ---------------------------------------------------------------------------------------------
# Commendation and rectification


@transaction.atomic
def recognition_create(
    *,
    period,
    kind,
    employee,
    title,
    description="",
    deadline=None,
    acting_user=None,
):
    from .models import Recognition

    record = Recognition(
        period=period,
        kind=kind,
        employee=employee,
        title=title,
        description=description,
        deadline=deadline,
        issued_by=acting_user,
    )
    record.full_clean()
    record.save()
    log(record, "wagtail.create", user=acting_user)
    return record


@transaction.atomic
def rectification_follow_up(*, record, status, note="", acting_user=None):
    """Move a rectification order along open → in progress → rectified → verified."""
    record.set_follow_up(status)
    if note:
        stamp = timezone.localdate().isoformat()
        record.follow_up_note = f"{record.follow_up_note}\n{stamp} {note}".strip()
    record.save(update_fields=["follow_up", "follow_up_note"])
    log(record, "wagtail.edit", user=acting_user)
    return record
