"""What the careers models share: decimal helpers and the errors of an illegal move."""

from decimal import Decimal

from lms.exceptions import DomainError

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def plain(value) -> str:
    """A decimal without trailing zeros or exponent: 100, 99.9, 0.5."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class AppraisalError(DomainError):
    """An illegal move in the appraisal process; the message is for the user."""


class CareersError(AppraisalError):
    """An illegal move on a development plan or rotation; the message is for the user."""


def management_line_ids(department) -> set[int]:
    """Employee ids of the managers of ``department`` and of every department above it."""
    from lms.models import Department

    steplen = Department.steplen
    paths = [department.path[:end] for end in range(len(department.path), 0, -steplen)]
    return set(
        Department.objects.filter(path__in=paths, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )
