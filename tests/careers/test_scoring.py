"""careers.scoring: the appraisal arithmetic, without a database."""

from decimal import Decimal
from types import SimpleNamespace

from careers.models import Subject
from careers.scoring import employee_totals, grade_for, ranked_results

BANDS = [("A", Decimal(90)), ("B", Decimal(80)), ("C", Decimal(60)), ("D", Decimal(0))]


def indicator(pk, subject, weight):
    return SimpleNamespace(pk=pk, subject=subject, weight=Decimal(weight), score=lambda v: v)


def test_a_department_value_counts_for_everyone_below_it_and_the_mean_is_weighted():
    personal, unit = indicator(1, Subject.EMPLOYEE, 60), indicator(2, Subject.DEPARTMENT, 40)
    scored = employee_totals(
        indicators=[personal, unit],
        employees=[(10, 5, "00010001"), (11, 5, "00010001"), (12, 6, "0002")],
        employee_values={(1, 10): (Decimal(100), 7), (1, 11): (Decimal(50), 8)},
        department_values={(2, "0001"): (Decimal(80), 9)},
        steplen=4,
    )
    totals = {employee: total for employee, _dept, total, _breakdown in scored}
    # 12 has no value at all, so no result; 10: (100×60 + 80×40) / 100.
    assert totals == {10: Decimal("92.00"), 11: Decimal("62.00")}
    assert scored[0][3][1] == [2, "80", "80", "32.00", 9]


def test_ranks_are_competition_ranks_within_each_department():
    scored = [(1, 5, Decimal(90), []), (2, 5, Decimal(80), []), (3, 5, Decimal(90), [])]
    scored.append((4, 5, Decimal(70), []))
    rows = ranked_results(scored, bands=BANDS, coefficients={"A": Decimal("1.2")})
    ranks = {row["employee_id"]: row["rank_in_department"] for row in rows}
    assert ranks == {1: 1, 3: 1, 2: 3, 4: 4}
    assert {row["employee_id"]: row["bonus_coefficient"] for row in rows}[2] == Decimal(0)
    assert all(row["department_size"] == 4 for row in rows)


def test_the_grade_is_the_best_band_reached_and_the_lowest_below_all():
    assert grade_for(Decimal("89.99"), BANDS) == "B"
    assert grade_for(Decimal(90), BANDS) == "A"
    assert grade_for(Decimal(-1), BANDS) == "D"
