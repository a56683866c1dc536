"""The training archive (一人一档): who may open whose, the yearly training-hours ledger, PDFs."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.hooks import archive_entries
from lms.models import Department, Employee
from lms.pdf import render_pdf
from lms.personal import employee_fields
from lms.roles import Role, ScopedQuerySet, managed_department_paths, user_roles

from .models import HoursKind, TrainingHoursRule


class ArchiveScopeQuerySet(ScopedQuerySet):
    """Whose archive a user may open: HR everyone, managers their subtree, employees their own."""

    employee_field = ""
    full_access_roles = frozenset({Role.HR})


def archive_employees(user):
    return ArchiveScopeQuerySet(Employee).visible_to(user)


def archive_departments(user):
    """Departments whose archive zip the user may request."""
    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser or ArchiveScopeQuerySet.full_access_roles & user_roles(user):
        return Department.objects.all()
    paths = managed_department_paths(user)
    if not paths:
        return Department.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Department.objects.filter(condition)


@dataclass
class LedgerLine:
    kind: str
    label: str
    hours: Decimal
    minimum: int

    @property
    def met(self):
        return self.hours >= self.minimum

    @property
    def missing(self):
        return max(Decimal(0), self.minimum - self.hours)


def hours_ledger(entries, rules=None) -> list[LedgerLine]:
    """Credited hours of one year's entries against the yearly minimums (total first)."""
    if rules is None:
        rules = {rule.category: rule for rule in TrainingHoursRule.objects.all()}
    by_kind = {kind: Decimal(0) for kind in HoursKind.values}
    for entry in entries:
        rule = rules.get(entry.category)
        if rule is None:
            continue
        by_kind[rule.counts_as] += rule.credit(entry.hours)
    total = sum(by_kind.values(), Decimal(0))
    return [
        LedgerLine("total", _("Total"), total, settings.TRAINING_HOURS_MIN_TOTAL),
        LedgerLine(
            HoursKind.PROFESSIONAL,
            HoursKind.PROFESSIONAL.label,
            by_kind[HoursKind.PROFESSIONAL],
            settings.TRAINING_HOURS_MIN_PROFESSIONAL,
        ),
        LedgerLine(
            HoursKind.COMPULSORY,
            HoursKind.COMPULSORY.label,
            by_kind[HoursKind.COMPULSORY],
            settings.TRAINING_HOURS_MIN_COMPULSORY,
        ),
    ]


def archive_context(employee, *, year=None, rules=None, viewer=None):
    """Everything an archive page or PDF shows; the ledger is for ``year`` (default: this year).

    Personal fields (hire date) show only where ``viewer`` may see them (lms.personal).
    """
    entries = archive_entries(employee, year=year)
    ledger_year = year or timezone.localdate().year
    ledger_entries = (
        entries if year else [entry for entry in entries if entry.date.year == ledger_year]
    )
    return {
        "employee": employee,
        "visible_fields": employee_fields(viewer, employee) if viewer is not None else (),
        "entries": entries,
        "year": year,
        "ledger_year": ledger_year,
        "ledger": hours_ledger(ledger_entries, rules),
        "generated_at": timezone.localtime(),
    }


def archive_pdf(employee, *, year=None, rules=None, request=None, viewer=None) -> bytes:
    if viewer is None and request is not None:
        viewer = request.user
    return render_pdf(
        "careers/pdf/archive.html",
        archive_context(employee, year=year, rules=rules, viewer=viewer),
        request=request,
    )
