"""Development plans: position templates, plans, goals, planned courses and check-ins."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.moves import Move, available, sources
from lms.roles import Role, ScopedQuerySet
from lms.validators import NO_NUL, limited

from .base import CareersError, management_line_ids

# ---------------------------------------------------------------------------------------------
# Development plans


class PositionTemplate(models.Model):
    """What a position asks for: skills and courses that pre-fill a development plan."""

    position = models.OneToOneField(
        "lms.Position",
        verbose_name=pgettext_lazy("careers", "position"),
        on_delete=models.CASCADE,
        related_name="development_template",
    )
    required_skills = models.TextField(
        _("required skills"),
        blank=True,
        help_text=_("One skill per line."),
        **limited(4000),
    )
    required_courses = models.TextField(
        _("required courses"),
        blank=True,
        help_text=_("One course title per line."),
        **limited(4000),
    )

    class Meta:
        verbose_name = _("position template")
        verbose_name_plural = _("position templates")

    def __str__(self):
        return str(self.position)

    @staticmethod
    def _lines(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def skills(self):
        return self._lines(self.required_skills)

    @property
    def courses(self):
        return self._lines(self.required_courses)


class DevelopmentPlanQuerySet(ScopedQuerySet):
    employee_field = "employee"
    full_access_roles = frozenset({Role.HR})


class DevelopmentPlan(models.Model):
    """An employee's career development plan (职业发展规划) for a year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", pgettext_lazy("careers", "Approved")
        REVIEWED = "reviewed", _("Reviewed")

    # The plan's moves (lms.moves): the owner submits a draft, a manager in the owner's
    # management line approves it, and someone other than the owner closes an approved plan
    # with the yearly review (the service admits the management line and HR).
    MOVES = (
        Move("submit", _("Submit for approval"), (Status.DRAFT,)),
        Move("approve", pgettext_lazy("careers", "Approve"), (Status.SUBMITTED,)),
        Move("review", _("Close the plan with this review"), (Status.APPROVED,), needs_form=True),
    )

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="development_plans",
    )
    year = models.PositiveIntegerField(_("year"))
    target_position = models.ForeignKey(
        "lms.Position",
        verbose_name=_("target position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mentor = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        "lms.Employee",
        verbose_name=pgettext_lazy("careers", "approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review = models.TextField(_("yearly review"), blank=True, **limited(4000))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DevelopmentPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-year", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="careers_plan_year")
        ]

    def __str__(self):
        return _("%(name)s's development plan %(year)s") % {
            "name": self.employee.name,
            "year": self.year,
        }

    def available_moves(self, employee) -> dict[str, Move]:
        """The moves ``employee`` (None: nobody's employee) may make now, by name."""
        if employee is None:
            return {}
        owner = employee.pk == self.employee_id

        def allowed(move):
            if move.name == "submit":
                return owner
            if move.name == "approve":
                return not owner and employee.pk in management_line_ids(self.employee.department)
            return not owner

        return available(self.MOVES, self.status, allowed)

    @property
    def takes_goals(self) -> bool:
        """Goals can be added until the yearly review closes the plan."""
        return self.status != self.Status.REVIEWED

    def submit(self):
        if self.status not in sources(self.MOVES, "submit"):
            raise CareersError(_("Only a draft plan can be submitted."))
        self.status = self.Status.SUBMITTED

    def approve(self, approver):
        if self.status not in sources(self.MOVES, "approve"):
            raise CareersError(_("Only a submitted plan can be approved."))
        if approver is None or approver.pk == self.employee_id:
            raise CareersError(_("Nobody approves their own development plan."))
        if approver.pk not in management_line_ids(self.employee.department):
            raise CareersError(
                _("Only a manager in %(name)s's management line can approve this plan.")
                % {"name": self.employee.name}
            )
        self.status = self.Status.APPROVED
        self.approved_by = approver
        self.approved_at = timezone.now()

    def return_to_draft(self):
        if self.status != self.Status.SUBMITTED:
            raise CareersError(_("Only a submitted plan can be sent back."))
        self.status = self.Status.DRAFT

    def close_with_review(self, text):
        if self.status not in sources(self.MOVES, "review"):
            raise CareersError(_("Only an approved plan can get its yearly review."))
        if not (text or "").strip():
            raise ValidationError({"review": _("Write the review.")})
        self.review = text.strip()
        self.reviewed_at = timezone.now()
        self.status = self.Status.REVIEWED


class DevelopmentGoal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", pgettext_lazy("careers", "Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("careers", "In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    description = models.CharField(_("goal"), max_length=200, validators=NO_NUL)
    measure = models.CharField(
        _("measure of success"), max_length=200, blank=True, validators=NO_NUL
    )
    due_date = models.DateField(pgettext_lazy("careers", "due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )

    class Meta:
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description

    @property
    def is_overdue(self):
        return (
            self.due_date is not None
            and self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )


class PlannedCourse(models.Model):
    """A course the plan counts on; done once the archive shows a completion of that title."""

    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.CASCADE,
        related_name="planned_courses",
    )
    title = models.CharField(_("course"), max_length=200)

    class Meta:
        verbose_name = _("planned course")
        verbose_name_plural = _("planned courses")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class CheckIn(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan,
        verbose_name=pgettext_lazy("careers", "plan"),
        on_delete=models.PROTECT,
        related_name="check_ins",
    )
    author = models.ForeignKey(
        "lms.Employee", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), **limited(2000))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in note")
        verbose_name_plural = _("check-in notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.note[:40]
