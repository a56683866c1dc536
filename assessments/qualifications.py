"""Fit for duty: each employee's standing against the qualification rules, from exam results.

A rule says "passed one of these exams within the last N months". An employee's status is
valid (passed recently enough), expiring (lapses within the rule's warning days) or lapsed
(never passed, or the pass is too old). Computed set-wise in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Attempt, QualificationRule
from .services import add_months

VALID, EXPIRING, LAPSED = "valid", "expiring", "lapsed"
STATUS_LABELS = {VALID: _("Valid"), EXPIRING: _("Expiring"), LAPSED: _("Lapsed")}


@dataclass(frozen=True)
class Standing:
    rule: QualificationRule
    status: str
    passed_on: date | None
    valid_until: date | None

    @property
    def label(self):
        return STATUS_LABELS[self.status]


def active_rules():
    return list(
        QualificationRule.objects.filter(is_active=True).prefetch_related("exams", "positions")
    )


def standings(employees, *, rules=None, today=None) -> dict[int, list[Standing]]:
    """{employee id: [Standing per rule that applies to the employee's position]}."""
    today = today or timezone.localdate()
    rules = active_rules() if rules is None else rules
    employees = list(employees)
    exam_ids = {exam.pk for rule in rules for exam in rule.exams.all()}
    last_pass = {
        (row["employee_id"], row["exam_id"]): timezone.localdate(row["last"])
        for row in Attempt.objects.filter(
            employee__in=[e.pk for e in employees], exam_id__in=exam_ids, passed=True
        )
        .values("employee_id", "exam_id")
        .annotate(last=Max("finished_at"))
    }
    result = {}
    for employee in employees:
        rows = []
        for rule in rules:
            positions = {p.pk for p in rule.positions.all()}
            if positions and employee.position_id not in positions:
                continue
            dates = [
                last_pass[(employee.pk, exam.pk)]
                for exam in rule.exams.all()
                if (employee.pk, exam.pk) in last_pass
            ]
            passed_on = max(dates) if dates else None
            valid_until = add_months(passed_on, rule.valid_months) if passed_on else None
            if valid_until is None or valid_until < today:
                status = LAPSED
            elif valid_until <= today + timedelta(days=rule.expiring_days):
                status = EXPIRING
            else:
                status = VALID
            rows.append(Standing(rule, status, passed_on, valid_until))
        result[employee.pk] = rows
    return result
