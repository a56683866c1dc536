"""Careers factories: indicator systems, periods and values, built through careers.services."""

import datetime
import itertools
from decimal import Decimal

from wagtail.models import ModelLogEntry

from careers import services
from careers.models import AppraisalPeriod, Indicator, IndicatorCategory, Subject

_counter = itertools.count(1)


def indicator_system(*, name=None, indicators=None, activate=True):
    """A system with, by default, two employee indicators (60/40) and one department one."""
    n = next(_counter)
    system = services.indicator_system_create(name=name or f"考核办法{n}")
    specs = indicators if indicators is not None else default_indicators()
    for spec in specs:
        services.indicator_create(system=system, **spec)
    if activate:
        services.indicator_system_activate(system=system)
    return system


def default_indicators():
    return [
        {
            "code": "KPI-TRAIN",
            "name": "培训完成率",
            "category": IndicatorCategory.TRAINING,
            "subject": Subject.EMPLOYEE,
            "weight": Decimal(40),
            "rule": Indicator.Rule.LINEAR,
            "threshold_low": Decimal(60),
            "threshold_high": Decimal(100),
            "min_value": Decimal(0),
            "max_value": Decimal(100),
            "unit": "%",
        },
        {
            "code": "KPI-COMPLAINT",
            "name": "有效投诉",
            "category": IndicatorCategory.COMPLAINT_HANDLING,
            "subject": Subject.EMPLOYEE,
            "weight": Decimal(30),
            "rule": Indicator.Rule.DEDUCTION,
            "deduction_per_occurrence": Decimal(20),
            "floor_score": Decimal(0),
            "min_value": Decimal(0),
            "max_value": Decimal(50),
            "unit": "件",
        },
        {
            "code": "KPI-RELIAB",
            "name": "供电可靠率",
            "category": IndicatorCategory.SUPPLY_RELIABILITY,
            "subject": Subject.DEPARTMENT,
            "weight": Decimal(30),
            "rule": Indicator.Rule.PASS_FAIL,
            "target": Decimal("99.9"),
            "min_value": Decimal(0),
            "max_value": Decimal(100),
            "unit": "%",
        },
    ]


def period(*, system=None, name=None, start=None, end=None, kind=AppraisalPeriod.Kind.QUARTER):
    n = next(_counter)
    return services.appraisal_period_create(
        name=name or f"2026年第{n}期考核",
        system=system or indicator_system(),
        kind=kind,
        start=start or datetime.date(2026, 7, 1),
        end=end or datetime.date(2026, 9, 30),
    )


def value(*, period, code, value, employee=None, department=None, records=()):
    indicator = period.system.indicators.get(code=code)
    return services.indicator_value_set(
        period=period,
        indicator=indicator,
        value=Decimal(value),
        employee=employee,
        department=department,
        records=records,
    )


def complete(period):
    """Give each indicator of the period that has no value yet one value, on subjects that no
    result counts (someone on leave, a department without people), so the period can be frozen
    and published without changing anyone's score."""
    from tests import factories as f

    missing = list(period.missing_indicators())
    if not missing:
        return period
    n = next(_counter)
    away = f.employee(number=f"AWAY{n}", name="休假人员", status="on_leave")
    empty = f.department(code=f"EMPTY{n}", name="无人部门")
    for indicator in missing:
        subject = (
            {"employee": away} if indicator.subject == Subject.EMPLOYEE else {"department": empty}
        )
        services.indicator_value_set(
            period=period,
            indicator=indicator,
            value=indicator.min_value if indicator.min_value is not None else Decimal(0),
            **subject,
        )
    return period


def appraisal_changes(**filters):
    """The value corrections of frozen periods and the results they changed, as the audit trail
    keeps them (one entry a fact)."""
    return ModelLogEntry.objects.filter(
        action__in=("careers.value_corrected", "careers.result_changed"), **filters
    )
