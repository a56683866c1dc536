"""Appraisal scoring: grade bands, bonus coefficients, weighted totals and ranks.

Pure calculation, no database: ``careers.services.calculation`` reads the values and writes the
results; everything between (which value counts for whom, the weighted mean, the grade and the
rank within the department) is here, so it can be read and tested on its own.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from .models import TWO_PLACES, Subject, plain


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


def employee_totals(*, indicators, employees, employee_values, department_values, steplen):
    """Each employee's total: the weighted mean of the scores of the indicators that have a value.

    ``employees`` are ``(employee id, department id, department path)``; ``employee_values``
    maps ``(indicator id, employee id)`` and ``department_values`` ``(indicator id, department
    path)`` to ``(value, value id)``. A department indicator takes the value of the employee's
    department or of its nearest parent that has one. Returns ``(employee id, department id,
    total, breakdown)`` for everyone with at least one value; each breakdown row is ``[indicator
    id, value, score, weighted points, value id]``.
    """
    scored = []
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
            breakdown.append([indicator.pk, plain(value), str(score), str(weighted), value_id])
        if not breakdown:
            continue
        total = (weighted_sum / weight_sum).quantize(TWO_PLACES)
        scored.append((employee_id, department_id, total, breakdown))
    return scored


def ranked_results(scored, *, bands, coefficients) -> list[dict]:
    """Grade, competition rank within the department (1, 2, 2, 4) and bonus coefficient for
    each of ``employee_totals``' rows, as the result's column values."""
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
                    "employee_id": employee_id,
                    "department_id": department_id,
                    "total_score": total,
                    "grade": grade,
                    "rank_in_department": rank,
                    "department_size": len(items),
                    "bonus_coefficient": coefficients.get(grade, Decimal(0)),
                    "breakdown": breakdown,
                }
            )
    return rows
