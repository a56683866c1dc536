from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from lms import moves
from lms.models import ChangeStamped
from lms.moves import Move
from lms.roles import (
    Role,
    ScopedQuerySet,
    get_employee,
    has_role,
    managed_department_paths,
    user_roles,
)
from lms.validators import limited

from .base import DrillError
from .plans import PlanSection

COORDINATOR_ROLES = frozenset({Role.COORDINATOR})


class ExerciseRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    CONTROLLER = "controller", _("Controller")
    EVALUATOR = "evaluator", _("Evaluator")
    PLAYER = "player", _("Player")
    SIMULATOR = "simulator", _("Simulator")
    OBSERVER = "observer", _("Observer")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")


class DrillQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators see every drill; managers their departments' drills (as organiser or
        through a participant); everyone else the drills they coordinate or take part in."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user_roles(user) & COORDINATOR_ROLES:
            return self
        condition = Q()
        employee = get_employee(user)
        if employee is not None:
            condition |= Q(coordinator=employee) | Q(
                pk__in=DrillParticipant.objects.filter(employee=employee).values("drill_id")
            )
        for path in managed_department_paths(user):
            condition |= Q(organising_department__path__startswith=path) | Q(
                pk__in=DrillParticipant.objects.filter(
                    employee__department__path__startswith=path
                ).values("drill_id")
            )
        if not condition:
            return self.none()
        return self.filter(condition)

    def upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=Drill.Status.PLANNED, planned_start__date__gte=today)

    def with_related(self):
        return self.select_related("plan", "organising_department", "coordinator")


class Drill(ChangeStamped, ClusterableModel):
    """One emergency drill (应急演练) of one plan, pinned to the plan revision it exercised."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("drills", "Planned")
        CONDUCTED = "conducted", _("Conducted")
        EVALUATED = "evaluated", _("Evaluated")
        REPORT_APPROVED = "report_approved", _("Report approved")
        CLOSED = "closed", _("Closed")

    #: The coordinator's moves through the cycle. "Evaluate" is offered on a planned drill too:
    #: its refusal there says what is missing (record the drill as conducted first).
    MOVES = (
        Move("conduct", _("Record as conducted"), (Status.PLANNED,), True),
        Move("evaluate", _("Mark as evaluated"), (Status.PLANNED, Status.CONDUCTED)),
        Move("approve", _("Approve report"), (Status.EVALUATED,)),
        Move("approve", _("Re-approve report"), (Status.REPORT_APPROVED,)),
        Move("close", _("Close drill"), (Status.REPORT_APPROVED,)),
    )

    class Form(models.TextChoices):
        TABLETOP = "tabletop", _("Tabletop")
        LIVE = "live", pgettext_lazy("drills", "Live")

    class ExerciseType(models.TextChoices):
        TABLETOP = "tabletop", _("Tabletop exercise")
        DRILL = "drill", _("Drill")
        FUNCTIONAL = "functional", _("Functional exercise")
        FULL_SCALE = "full_scale", _("Full-scale exercise")

    class Scope(models.TextChoices):
        SINGLE = "single", _("Single-function")
        COMPREHENSIVE = "comprehensive", _("Comprehensive")

    class Purpose(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        DEMONSTRATION = "demonstration", _("Demonstration")
        RESEARCH = "research", _("Research")

    title = models.CharField(pgettext_lazy("drills", "title"), max_length=200)
    plan = models.ForeignKey(
        "drills.EmergencyPlanPage",
        verbose_name=_("emergency plan"),
        on_delete=models.PROTECT,
        related_name="drills",
    )
    plan_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("plan revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The plan as it stood when the drill was scheduled."),
    )
    covered_sections = models.JSONField(_("plan sections covered"), default=list, blank=True)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    exercise_type = models.CharField(
        _("exercise type"), max_length=16, choices=ExerciseType.choices
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    scenario = models.TextField(_("scenario"), **limited(10000))
    objectives = models.TextField(_("objectives"), **limited(5000))
    announced = models.BooleanField(_("announced in advance"), default=True)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200)
    organising_department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("organising department"),
        on_delete=models.PROTECT,
        related_name="organised_drills",
    )
    coordinator = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_drills",
    )
    template = models.ForeignKey(
        "drills.EvaluationTemplate",
        verbose_name=_("evaluation template"),
        on_delete=models.PROTECT,
        related_name="drills",
    )
    summary = models.TextField(_("coordinator's summary"), blank=True, **limited(10000))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-planned_start", "-pk"]
        indexes = [models.Index(fields=["status", "planned_start"])]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise DrillError({"planned_end": _("The drill cannot end before it starts.")})
        unknown = set(self.covered_sections or []) - set(PlanSection.values)
        if unknown:
            raise DrillError({"covered_sections": _("Unknown plan section.")})

    @property
    def covered_section_labels(self):
        return [PlanSection(key).label for key in self.covered_sections or []]

    # --- status: planned → conducted → evaluated → report approved → closed -----------------

    def available_moves(self, user) -> dict[str, Move]:
        """The moves ``user`` may make on this drill now, by name (coordinators only)."""
        if not has_role(user, Role.COORDINATOR):
            return {}
        return moves.available(self.MOVES, self.status)

    @property
    def is_held(self):
        """Conducted (or further): evaluations can be submitted, findings recorded."""
        return self.status != self.Status.PLANNED

    @property
    def records_findings(self):
        """Findings (and their corrective actions) are recorded once the drill has been
        held, until it is closed."""
        return self.is_held and self.status != self.Status.CLOSED

    def _require(self, *statuses, message):
        if self.status not in statuses:
            raise DrillError(message, code="status")

    def _require_move(self, name, message):
        self._require(*moves.sources(self.MOVES, name), message=message)

    def mark_conducted(self, *, actual_start, actual_end):
        self._require_move(
            "conduct",
            _("Only a planned drill can be recorded as conducted; this one is %(status)s.")
            % {"status": self.get_status_display()},
        )
        if actual_end < actual_start:
            raise DrillError(_("The drill cannot end before it starts."), code="times")
        self.actual_start, self.actual_end = actual_start, actual_end
        self.status = self.Status.CONDUCTED

    def require_conducted(self):
        """Evaluations are submitted only for a drill that has taken place."""
        if not self.is_held:
            raise DrillError(
                _(
                    "This drill has not been conducted yet; record it as conducted before "
                    "evaluating it."
                ),
                code="not_conducted",
            )

    def mark_evaluated(self):
        self._require_move("evaluate", _("This drill has already been evaluated."))
        self.require_conducted()
        if not self.sheets.filter(status="submitted").exists():
            raise DrillError(
                _("No evaluation sheet has been submitted for this drill yet."), code="no_sheets"
            )
        self.status = self.Status.EVALUATED

    def check_report_approvable(self):
        self._require_move(
            "approve", _("The report can be approved only after the drill has been evaluated.")
        )
        outstanding = self.sheets.exclude(status="submitted").count()
        if outstanding:
            raise DrillError(
                ngettext(
                    "%(count)d evaluation sheet is still outstanding; the report can be "
                    "approved once every evaluator has submitted.",
                    "%(count)d evaluation sheets are still outstanding; the report can be "
                    "approved once every evaluator has submitted.",
                    outstanding,
                )
                % {"count": outstanding},
                code="sheets_outstanding",
            )

    def mark_report_approved(self):
        self.check_report_approvable()
        self.status = self.Status.REPORT_APPROVED

    def mark_closed(self):
        self._require_move(
            "close", _("A drill can be closed only after its report has been approved.")
        )
        from .improvement import CorrectiveAction

        still_open = CorrectiveAction.objects.filter(finding__drill=self).unfinished().count()
        if still_open:
            raise DrillError(
                ngettext(
                    "%(count)d corrective action is still open.",
                    "%(count)d corrective actions are still open.",
                    still_open,
                )
                % {"count": still_open},
                code="actions_open",
            )
        self.status = self.Status.CLOSED


class ParticipantQuerySet(ScopedQuerySet):
    full_access_roles = COORDINATOR_ROLES


class DrillParticipant(models.Model):
    class Attendance(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        PRESENT = "present", pgettext_lazy("drills", "Present")
        ABSENT = "absent", pgettext_lazy("drills", "Absent")
        EXCUSED = "excused", _("Excused")

    drill = ParentalKey(
        Drill, verbose_name=_("drill"), on_delete=models.PROTECT, related_name="participants"
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="drill_participations",
    )
    role = models.CharField(_("exercise role"), max_length=20, choices=ExerciseRole.choices)
    attendance = models.CharField(
        pgettext_lazy("drills", "attendance"),
        max_length=16,
        choices=Attendance.choices,
        default=Attendance.EXPECTED,
    )
    self_assessment = models.TextField(_("self-assessment"), blank=True, **limited(4000))
    self_assessed_at = models.DateTimeField(_("self-assessed at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill participant")
        verbose_name_plural = _("drill participants")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "employee"], name="drill_participant_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.get_role_display()}"
