import datetime

import pytest

from lms.dates import add_months

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 12, 7), 1, D(2027, 1, 7)),  # across the year end
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2027, 1, 15), -1, D(2026, 12, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 20), 0, D(2026, 5, 20)),
        (D(2026, 5, 20), 36, D(2029, 5, 20)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
