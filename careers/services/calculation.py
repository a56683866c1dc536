"""The appraisal calculation: the whole company scored set-wise in a fixed number of queries.

The apps' hook sources compute their indicators' values first; the scores, grades and ranks are
``careers.scoring`` (no database); here the values are read and the results written. In a frozen
period (a value corrected) every result that changes gets one audit trail entry.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.hooks import appraisal_indicator_sources
from lms.jobs import job_start
from lms.models import Department, Employee

from ..bulk import json_insert
from ..models import (
    AppraisalError,
    AppraisalPeriod,
    AppraisalResult,
    Indicator,
    IndicatorValue,
    Subject,
)
from ..scoring import bonus_coefficients, employee_totals, grade_bands, ranked_results
from ..tasks import calculate_appraisal
from ._common import _locked_period, _period_state


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

    scored = employee_totals(
        indicators=indicators,
        employees=employees,
        employee_values=employee_values,
        department_values=department_values,
        steplen=Department.steplen,
    )
    rows = [
        {"period_id": period.pk, **row, "calculated_at": now}
        for row in ranked_results(scored, bands=bands, coefficients=coefficients)
    ]

    if period.is_locked:
        entries = []
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
