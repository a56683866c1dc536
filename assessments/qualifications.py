"""Fit for duty: each employee's standing against the qualification rules, from exam results.

A rule says "passed one of these exams within the last N months". An employee's status is
valid (passed recently enough), expiring (lapses within the rule's warning days) or lapsed
(never passed, or the pass is too old). A rule may also say "after M+ months away from the post,
passed again before returning": then, after the employee's latest absence at least that long
(``lms.Absence``, still running or ended), only a pass on or after the day they left counts.
Computed set-wise in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models import Absence

from .models import Attempt, Exam, QualificationRule
from .services import add_months

VALID, EXPIRING, LAPSED = "valid", "expiring", "lapsed"
STATUS_LABELS = {VALID: _("Valid"), EXPIRING: _("Expiring"), LAPSED: _("Lapsed")}
# A lapsed standing with no pass at all: counted as lapsed (not fit for duty), named truthfully.
NOT_OBTAINED_LABEL = _("Not obtained yet")


@dataclass(frozen=True)
class Standing:
    rule: QualificationRule
    status: str
    passed_on: date | None
    valid_until: date | None
    #: The long absence that asks for a re-exam, when the rule has one and it applies.
    absence: Absence | None = None

    @property
    def label(self):
        if self.status == LAPSED and self.passed_on is None:
            return NOT_OBTAINED_LABEL  # nothing has lapsed: they never qualified
        return STATUS_LABELS[self.status]

    @property
    def needs_reexamination(self) -> bool:
        """Away long enough that the pass from before leaving no longer counts (someone who never
        passed is not re-examined: they have not qualified yet)."""
        return (
            self.absence is not None
            and self.passed_on is not None
            and self.passed_on < self.absence.start_date
        )


def reexamination_note(standing: Standing) -> str:
    """Why a re-exam is needed, as one line of text (empty when it is not)."""
    if not standing.needs_reexamination:
        return ""
    return render_to_string(
        "assessments/includes/reexamination_note.html", {"absence": standing.absence}
    ).strip()


def long_absence(absences, months: int, today: date) -> Absence | None:
    """The latest absence (newest first in ``absences``) lasting at least ``months``."""
    for absence in absences:
        if add_months(absence.start_date, months) <= (absence.end_date or today):
            return absence
    return None


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
        .exclude(exam__kind=Exam.Kind.MOCK)  # a rehearsal never qualifies anyone
        .values("employee_id", "exam_id")
        .annotate(last=Max("finished_at"))
    }
    absences = {}
    if any(rule.return_after_months for rule in rules):
        for absence in (
            Absence.objects.for_employees([e.pk for e in employees])
            .filter(start_date__lte=today)
            .order_by("-start_date")
        ):
            absences.setdefault(absence.employee_id, []).append(absence)
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
            absence = None
            if rule.return_after_months:
                absence = long_absence(
                    absences.get(employee.pk, ()), rule.return_after_months, today
                )
            if absence is not None and (passed_on is None or passed_on < absence.start_date):
                status = LAPSED
            elif valid_until is None or valid_until < today:
                status = LAPSED
            elif valid_until <= today + timedelta(days=rule.expiring_days):
                status = EXPIRING
            else:
                status = VALID
            rows.append(Standing(rule, status, passed_on, valid_until, absence))
        result[employee.pk] = rows
    return result
