import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms import moves
from lms.models import ChangeStamped
from lms.moves import Move
from lms.roles import Role, ScopedQuerySet, get_employee, has_role, managed_department_paths
from lms.validators import limited

from .base import DrillError


class Finding(models.Model):
    """A strength or an area for improvement found in a drill."""

    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        IMPROVEMENT = "improvement", _("Area for improvement")

    class Grade(models.TextChoices):
        DEFICIENCY = "deficiency", _("Deficiency")
        RECTIFICATION = "rectification", _("Rectification item")
        IMPROVEMENT = "improvement", _("Improvement item")

    drill = models.ForeignKey(
        "drills.Drill", verbose_name=_("drill"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(pgettext_lazy("drills", "kind"), max_length=16, choices=Kind.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    title = models.CharField(pgettext_lazy("drills", "title"), max_length=200)
    description = models.TextField(
        pgettext_lazy("drills", "description"), blank=True, **limited(4000)
    )
    criteria = models.ManyToManyField(
        "drills.TemplateCriterion", verbose_name=_("criteria"), blank=True, related_name="findings"
    )
    responsible_department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drill_findings",
    )
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("recurrence of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        help_text=_("The same problem found in an earlier drill."),
    )
    created_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["drill", "kind", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.kind == self.Kind.IMPROVEMENT and not self.grade:
            raise DrillError({"grade": _("Grade every area for improvement.")})
        if self.kind == self.Kind.STRENGTH:
            self.grade = ""
        if self.recurrence_of_id and self.recurrence_of.drill_id == self.drill_id:
            raise DrillError({"recurrence_of": _("A recurrence must point to an earlier drill.")})

    @staticmethod
    def default_due_days(grade):
        return settings.DRILLS_ACTION_DUE_DAYS.get(grade, settings.DRILLS_ACTION_DUE_DAYS[""])


class ActionQuerySet(ScopedQuerySet):
    employee_field = "owner"
    full_access_roles = frozenset({Role.COORDINATOR})

    def unfinished(self):
        return self.exclude(
            status__in=[CorrectiveAction.Status.CLOSED, CorrectiveAction.Status.REJECTED]
        )

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.unfinished().filter(due_date__lt=today)

    def open_plan_actions(self):
        return self.unfinished().filter(
            element=CorrectiveAction.Element.PLAN, plan_revision__isnull=True
        )


class CorrectiveAction(ChangeStamped):
    """What will be done about a finding, by whom and by when (整改措施)."""

    class Element(models.TextChoices):
        PLAN = "plan", _("Plan")
        ORGANISATION = "organisation", pgettext_lazy("drills", "Organisation")
        EQUIPMENT = "equipment", _("Equipment and supplies")
        TRAINING = "training", _("Training")
        EXERCISE = "exercise", _("Exercise")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("drills", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("drills", "In progress")
        AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", pgettext_lazy("drills", "Rejected")

    #: The status moves: the owner starts and submits (with a progress note), someone else in
    #: charge verifies, a coordinator rejects. ``available_moves`` and the moves below read it.
    MOVES = (
        Move("start", _("Start work"), (Status.OPEN,)),
        Move("submit", _("Done: ask for verification"), (Status.OPEN, Status.IN_PROGRESS)),
        Move("verify", _("Record verification"), (Status.AWAITING_VERIFICATION,), True),
        Move(
            "reject",
            pgettext_lazy("drills", "Reject"),
            (Status.OPEN, Status.IN_PROGRESS, Status.AWAITING_VERIFICATION),
            True,
        ),
    )

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(pgettext_lazy("drills", "action"), **limited(4000))
    element = models.CharField(_("element"), max_length=16, choices=Element.choices)
    course_code = models.CharField(
        pgettext_lazy("drills", "course code"),
        max_length=32,
        blank=True,
        help_text=_(
            "Training actions only: the code of the course the drill participants must take; "
            "the training app assigns it to them, due by the action's due date."
        ),
    )
    owner = models.ForeignKey(
        "lms.Employee",
        verbose_name=pgettext_lazy("drills", "owner"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(pgettext_lazy("drills", "due date"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.OPEN
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, **limited(2000))
    plan_revision = models.ForeignKey(
        "drills.PlanRevisionNote",
        verbose_name=_("plan revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_actions",
        help_text=_("The plan revision this action led to."),
    )
    verified_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_method = models.CharField(_("verification method"), max_length=200, blank=True)
    verification_result = models.TextField(_("verification result"), blank=True, **limited(4000))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return self.description[:60]

    def clean(self):
        super().clean()
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise DrillError({"due_date": _("The due date cannot be before the start date.")})
        if self.course_code and self.element != self.Element.TRAINING:
            raise DrillError({"course_code": _("Only a training action names a course.")})

    @property
    def is_finished(self):
        return self.status in (self.Status.CLOSED, self.Status.REJECTED)

    def is_overdue(self, today=None):
        return not self.is_finished and self.due_date < (today or timezone.localdate())

    @property
    def closed_on_time(self):
        return self.status == self.Status.CLOSED and self.closed_on <= self.due_date

    # --- status: open → in progress → awaiting verification → closed | rejected -------------

    def available_moves(self, user) -> dict[str, Move]:
        """The moves ``user`` may make on this action now, by name (the action page's buttons;
        read ``owner`` and ``owner.department`` with the action)."""
        employee = get_employee(user)
        is_owner = employee is not None and employee.pk == self.owner_id

        def allowed(move):
            if move.name in ("start", "submit"):
                return is_owner
            if move.name == "verify":
                return not is_owner and self.may_verify(user)
            return has_role(user, Role.COORDINATOR)

        return moves.available(self.MOVES, self.status, allowed)

    def may_verify(self, user) -> bool:
        """A coordinator, or a manager of the owner's department."""
        return has_role(user, Role.COORDINATOR) or any(
            self.owner.department.path.startswith(path) for path in managed_department_paths(user)
        )

    def _move(self, name, to, message):
        if self.status not in moves.sources(self.MOVES, name):
            raise DrillError(message % {"status": self.get_status_display()}, code="status")
        previous, self.status = self.status, to
        return previous

    def start(self, *, by):
        self._require_owner(by)
        return self._move(
            "start",
            self.Status.IN_PROGRESS,
            _("Only an open action can be started; this one is %(status)s."),
        )

    def submit_for_verification(self, *, by):
        self._require_owner(by)
        return self._move(
            "submit",
            self.Status.AWAITING_VERIFICATION,
            _(
                "Only an action in progress can be submitted for verification; this one is "
                "%(status)s."
            ),
        )

    def verify(self, *, by, method, result, passed=True, today=None):
        """Close the action (passed) or send it back to the owner (not passed)."""
        if by.pk == self.owner_id:
            raise DrillError(
                _("You own this action; someone else must verify it."), code="own_action"
            )
        if not method.strip() or not result.strip():
            raise DrillError(_("Say how the action was verified and what was found."))
        if passed and self.element == self.Element.PLAN and self.plan_revision_id is None:
            raise DrillError(
                _(
                    "This action concerns the emergency plan: link the plan revision it led "
                    "to before closing it."
                ),
                code="revision_required",
            )
        previous = self._move(
            "verify",
            self.Status.CLOSED if passed else self.Status.IN_PROGRESS,
            _("Only an action awaiting verification can be verified; this one is %(status)s."),
        )
        self.verified_by = by
        self.verification_method = method.strip()
        self.verification_result = result.strip()
        self.verified_at = timezone.now()
        if passed:
            self.closed_on = today or timezone.localdate()
        return previous

    def reject(self, *, reason):
        if not reason.strip():
            raise DrillError(_("Give the reason for rejecting the action."))
        previous = self._move(
            "reject",
            self.Status.REJECTED,
            _("A %(status)s action cannot be rejected."),
        )
        self.rejection_reason = reason.strip()
        return previous

    def _require_owner(self, by):
        if by.pk != self.owner_id:
            raise DrillError(_("Only the action's owner can report progress on it."))

    @staticmethod
    def default_due_date(grade, start=None):
        start = start or timezone.localdate()
        return start + datetime.timedelta(days=Finding.default_due_days(grade))


class ActionLogEntry(models.Model):
    """The progress log of a corrective action."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=pgettext_lazy("drills", "action"),
        on_delete=models.CASCADE,
        related_name="log",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True, **limited(2000))

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress log")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.note[:40]}"

    def to_status_label(self):
        try:
            return CorrectiveAction.Status(self.to_status).label
        except ValueError:
            return ""


class ScoreSnapshot(models.Model):
    """The scores frozen when an after-action report is approved; appraisal reads the latest."""

    drill = models.ForeignKey(
        "drills.Drill",
        verbose_name=_("drill"),
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    version = models.PositiveIntegerField(_("version"))
    overall = models.DecimalField(
        _("overall score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    data = models.JSONField(pgettext_lazy("drills", "scores"), default=dict)
    approved_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=pgettext_lazy("drills", "approved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        ordering = ["drill", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "version"], name="snapshot_version_once")
        ]

    def __str__(self):
        return f"{self.drill_id} v{self.version}"
