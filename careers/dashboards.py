"""HR and manager dashboards: appraisal grades, rectifications and what the indicator sources give.

Every figure is scoped by role (HR: the company; managers: their subtree) and read in a fixed
number of queries whatever the number of employees.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.hooks import appraisal_indicator_sources

from .archive import archive_employees
from .hooks import dashboard_figures
from .models import AppraisalPeriod, AppraisalResult, Recognition
from .scoring import grade_bands

# How many periods with results the dashboard's period picker offers, newest first.
PICKER_PERIODS = 12


def periods_with_results():
    """Periods that have results (calculated, frozen or published), newest first."""
    return (
        AppraisalPeriod.objects.filter(
            status__in=[
                AppraisalPeriod.Status.CALCULATED,
                AppraisalPeriod.Status.FROZEN,
                AppraisalPeriod.Status.PUBLISHED,
            ]
        )
        .select_related("system")
        .order_by("-end", "-pk")
    )


def latest_period():
    """The newest period that has results (calculated, frozen or published)."""
    return periods_with_results().first()


def grade_distribution(user, period):
    """Per department, how many people got each grade (plus a company line), for ``period``."""
    grades = [grade for grade, _lowest in grade_bands()]
    if period is None:
        return {"grades": grades, "rows": [], "total": None}
    counts = (
        AppraisalResult.objects.visible_to(user)
        .filter(period=period)
        .values("department__name", "department__path", "grade")
        .annotate(count=Count("pk"))
        .order_by("department__path")
    )
    by_department = defaultdict(lambda: defaultdict(int))
    names = {}
    for row in counts:
        path = row["department__path"]
        names[path] = row["department__name"]
        by_department[path][row["grade"]] += row["count"]
    rows = []
    total = defaultdict(int)
    for path in sorted(by_department):
        cells = [by_department[path].get(grade, 0) for grade in grades]
        for grade, count in zip(grades, cells, strict=True):
            total[grade] += count
        rows.append({"department": names[path], "cells": cells, "people": sum(cells)})
    people = sum(total.values())
    most = max(total.values(), default=0)
    bars = [
        {
            "grade": grade,
            "share": round(100 * total[grade] / people) if people else 0,
            "height": round(100 * total[grade] / most) if most else 0,
        }
        for grade in grades
    ]
    total_row = {
        "department": _("Total"),
        "cells": [total[grade] for grade in grades],
        "people": people,
        "shares": [round(100 * total[grade] / people) if people else 0 for grade in grades],
    }
    return {"grades": grades, "rows": rows, "total": total_row, "bars": bars}


def overdue_rectifications(user):
    return list(
        Recognition.objects.visible_to(user)
        .overdue()
        .select_related("employee__department", "period")
        .order_by("deadline")
    )


def _average(values):
    return (sum(values) / len(values)).quantize(Decimal("0.01")) if values else None


def source_figures(user, period):
    """For each registered indicator source: per department, people with a value and average."""
    if period is None:
        return []
    sources = appraisal_indicator_sources()
    if not sources:
        return []
    employees = list(
        archive_employees(user).values_list(
            "pk", "department_id", "department__name", "department__path"
        )
    )
    departments = {dept: (name, path) for _pk, dept, name, path in employees}
    figures = []
    for key, source in sorted(sources.items()):
        by_department = defaultdict(list)
        if source.subject == "employee":
            ids = [pk for pk, _dept, _name, _path in employees]
            readings = source.compute(period.start, period.end, ids)
            for pk, dept, _name, _path in employees:
                if pk in readings:
                    by_department[dept].append(Decimal(readings[pk].value))
            sizes = defaultdict(int)
            for _pk, dept, _name, _path in employees:
                sizes[dept] += 1
        else:
            ids = sorted(departments)
            readings = source.compute(period.start, period.end, ids)
            for dept in ids:
                if dept in readings:
                    by_department[dept].append(Decimal(readings[dept].value))
            sizes = dict.fromkeys(ids, 1)
        rows = [
            {
                "department": departments[dept][0],
                "count": len(by_department[dept]),
                "of": sizes[dept],
                "average": _average(by_department[dept]),
            }
            for dept in sorted(sizes, key=lambda d: departments[d][1])
        ]
        values = [value for values in by_department.values() for value in values]
        figures.append(
            {
                "key": key,
                "label": source.label,
                "unit": source.unit,
                "count": len(values),
                "of": len(ids),
                "average": _average(values),
                "rows": rows,
            }
        )
    return figures


def _ratio(numerator, denominator, percent):
    if not denominator:
        return None
    value = Decimal(numerator) / Decimal(denominator) * (100 if percent else 1)
    return value.quantize(Decimal("1") if percent else Decimal("0.1"))


def _figure_row(figure, department, sums):
    row = {
        "department": department,
        "cells": [sums.get(key, 0) for key, _label in figure.columns],
        "rate": None,
    }
    if figure.rate:
        numerator, denominator, _label = figure.rate
        row["rate"] = _ratio(sums.get(numerator, 0), sums.get(denominator, 0), figure.percent)
    return row


def dashboard_year(today, year=None):
    """The dashboard's year and the day its figures are read at.

    The current year reads at today; an earlier year at its 31 December, so last year's figures
    stay one click away after 1 January (when this year's start from zero).
    """
    if year is None or year >= today.year:
        return today.year, today
    return year, datetime.date(year, 12, 31)


def registered_figures(user, as_of=None):
    """Every registered dashboard figure, per department of the people the user may see, as at
    ``as_of`` (default today).

    One query for the people plus each figure's own fixed number of queries.
    """
    figures = dashboard_figures()
    if not figures:
        return []
    employees = list(
        archive_employees(user).values_list("pk", "department__name", "department__path")
    )
    ids = [pk for pk, _name, _path in employees]
    department_of = {pk: path for pk, _name, path in employees}
    names = {path: name for _pk, name, path in employees}
    result = []
    for figure in figures:
        numbers = figure.compute(ids, today=as_of) if ids else {}
        by_department = defaultdict(lambda: defaultdict(Decimal))
        total = defaultdict(Decimal)
        for pk, values in numbers.items():
            path = department_of.get(pk)
            if path is None:
                continue
            for key, value in values.items():
                by_department[path][key] += Decimal(value or 0)
                total[key] += Decimal(value or 0)
        rows = [
            _figure_row(figure, names[path], by_department[path]) for path in sorted(by_department)
        ]
        charted = [row["rate"] if figure.rate else row["cells"][0] for row in rows]
        most = max((value for value in charted if value is not None), default=0)
        for row, value in zip(rows, charted, strict=True):
            row["bar"] = round(100 * value / most) if value and most else 0
        result.append(
            {
                "key": figure.key,
                "label": figure.label,
                "columns": [label for _key, label in figure.columns],
                "rate_label": figure.rate[2] if figure.rate else "",
                "unit": "%" if figure.rate and figure.percent else "",
                "rows": rows,
                "total": _figure_row(figure, _("Total"), total),
            }
        )
    return result


def dashboard_context(user, *, year=None, period_id=None):
    """The careers dashboard. Grades and appraisal figures show the period picked by
    ``period_id`` (one of the latest periods with results; by default the newest); the
    registered figures (compliance, pass rates, qualifications, drills) show ``year``."""
    today = timezone.localdate()
    year, as_of = dashboard_year(today, year)
    periods = list(periods_with_results()[:PICKER_PERIODS])
    period = next((p for p in periods if p.pk == period_id), periods[0] if periods else None)
    return {
        "year": year,
        "years": range(today.year, today.year - 6, -1),
        "periods": periods,
        "period": period,
        "distribution": grade_distribution(user, period),
        "overdue": overdue_rectifications(user),
        "sources": source_figures(user, period),
        "figures": registered_figures(user, as_of),
    }
