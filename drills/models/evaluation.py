from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from lms.roles import Role, ScopedQuerySet
from lms.validators import limited

from .base import DrillError
from .exercises import ExerciseRole


class Phase(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    ALARM = "alarm", _("Alarm and response")
    COMMAND = "command", _("Command and coordination")
    ONSITE = "onsite", _("On-site disposal")
    COMMUNICATION = "communication", _("Communication and information release")
    RESOURCES = "resources", _("Resource support")
    RECOVERY = "recovery", _("Recovery")
    SUMMARY = "summary", pgettext_lazy("drills", "Summary")


class Capability(models.TextChoices):
    COORDINATION = "coordination", _("Operational coordination")
    ASSESSMENT = "assessment", _("Situational assessment")
    WARNING = "warning", _("Public information and warning")
    COMMUNICATIONS = "communications", _("Operational communications")
    GRID_RESTORATION = "grid_restoration", _("Grid restoration")
    LOGISTICS = "logistics", _("Logistics and supplies")
    CUSTOMER = "customer", _("Customer service and public opinion")
    SAFETY = "safety", _("On-site safety")


class RatingScale(models.Model):
    """How a criterion is rated. The three shipped scales come from a data migration."""

    class Kind(models.TextChoices):
        LEVELS = "levels", _("Levels")
        POINTS = "points", _("Points (0–100)")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("drills", "name"), max_length=100)
    kind = models.CharField(pgettext_lazy("drills", "kind"), max_length=8, choices=Kind.choices)
    description = models.TextField(
        pgettext_lazy("drills", "description"), blank=True, **limited(2000)
    )

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def band_for(self, points, levels=None):
        """The band a points score falls in (levels ordered by descending ``min_points``)."""
        levels = levels if levels is not None else list(self.levels.all())
        for level in sorted(levels, key=lambda lv: lv.min_points or 0, reverse=True):
            if level.min_points is not None and points >= level.min_points:
                return level
        return None


class RatingLevel(models.Model):
    """One rating on a level scale, or one band of a points scale."""

    scale = models.ForeignKey(
        RatingScale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="levels"
    )
    code = models.CharField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=100)
    definition = models.TextField(_("definition"), blank=True, **limited(2000))
    value = models.DecimalField(
        _("score value"),
        max_digits=5,
        decimal_places=2,
        help_text=_("What this rating counts for on a 0–100 scale when scores are rolled up."),
    )
    min_points = models.DecimalField(
        _("band lower bound"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    requires_reason = models.BooleanField(_("reason required"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rating level")
        verbose_name_plural = _("rating levels")
        ordering = ["scale", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="rating_level_code_once")
        ]

    def __str__(self):
        return self.label


class EvaluationTemplate(ClusterableModel):
    """A versioned evaluation form. A sheet keeps the version it was filled against."""

    class OrganisedBy(models.TextChoices):
        PHASE = "phase", _("Phase")
        CAPABILITY = "capability", _("Capability")

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(pgettext_lazy("drills", "name"), max_length=200)
    organised_by = models.CharField(
        _("sections by"), max_length=16, choices=OrganisedBy.choices, default=OrganisedBy.PHASE
    )
    description = models.TextField(
        pgettext_lazy("drills", "description"), blank=True, **limited(2000)
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("organised_by"),
        FieldPanel("description"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    class Meta:
        verbose_name = _("evaluation template")
        verbose_name_plural = _("evaluation templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_version_once")
        ]

    def __str__(self):
        return _("%(name)s (v%(version)s)") % {"name": self.name, "version": self.version}

    @property
    def in_use(self):
        return self.pk is not None and self.sheets.exists()


class TemplateCriterion(Orderable):
    template = ParentalKey(
        EvaluationTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    text = models.CharField(_("criterion"), max_length=300)
    guidance = models.TextField(_("guidance for evaluators"), blank=True, **limited(2000))
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    capability = models.CharField(_("capability"), max_length=20, choices=Capability.choices)
    exercise_role = models.CharField(
        _("role assessed"),
        max_length=20,
        choices=ExerciseRole.choices,
        blank=True,
        help_text=_("Whose performance this criterion judges; leave empty for the whole team."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale = models.ForeignKey(
        RatingScale, verbose_name=_("rating scale"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [
        FieldPanel("text"),
        FieldPanel("phase"),
        FieldPanel("capability"),
        FieldPanel("exercise_role"),
        FieldPanel("weight"),
        FieldPanel("scale"),
        FieldPanel("guidance"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.text

    @property
    def section_key(self):
        return self.phase if self.template.organised_by == "phase" else self.capability

    @property
    def section_label(self):
        if self.template.organised_by == "phase":
            return self.get_phase_display()
        return self.get_capability_display()


class SheetQuerySet(ScopedQuerySet):
    employee_field = "evaluator"
    full_access_roles = frozenset({Role.COORDINATOR})

    def outstanding(self):
        return self.exclude(status=EvaluationSheet.Status.SUBMITTED)


class EvaluationSheet(models.Model):
    """One evaluator's sheet for one drill."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled in")
        SUBMITTED = "submitted", _("Submitted")

    drill = models.ForeignKey(
        "drills.Drill", verbose_name=_("drill"), on_delete=models.PROTECT, related_name="sheets"
    )
    evaluator = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("evaluator"),
        on_delete=models.PROTECT,
        related_name="evaluation_sheets",
    )
    template = models.ForeignKey(
        EvaluationTemplate,
        verbose_name=_("template version"),
        on_delete=models.PROTECT,
        related_name="sheets",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department observed"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    phases = models.JSONField(
        _("phases assigned"),
        default=list,
        blank=True,
        help_text=_("The phases this evaluator judges; empty for every phase."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation sheet")
        verbose_name_plural = _("evaluation sheets")
        ordering = ["drill", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "evaluator"], name="sheet_per_evaluator")
        ]

    def __str__(self):
        return f"{self.drill} · {self.evaluator.name}"

    @property
    def phase_labels(self):
        return [Phase(key).label for key in self.phases or []]

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    def require_editable(self):
        if self.is_submitted:
            raise DrillError(_("This sheet has been submitted and can no longer be changed."))
        if self.drill.status not in EDITABLE_DRILL_STATUSES:
            raise DrillError(_("This drill's evaluation is finished."))

    def submit(self, results):
        """``results``: this sheet's CriterionResult rows (already loaded)."""
        self.require_editable()
        self.drill.require_conducted()
        unrated = [r for r in results if not r.is_rated]
        if unrated:
            raise DrillError(
                ngettext(
                    "%(count)d criterion has not been rated yet.",
                    "%(count)d criteria have not been rated yet.",
                    len(unrated),
                )
                % {"count": len(unrated)},
                code="unrated",
            )
        self.status = self.Status.SUBMITTED
        self.submitted_at = timezone.now()


# Sheets can be filled until the report is approved (a late sheet still counts).
EDITABLE_DRILL_STATUSES = ("planned", "conducted", "evaluated")


def evidence_upload_to(instance, filename):
    return f"drills/evidence/{instance.sheet.drill_id}/{filename}"


class CriterionResult(models.Model):
    sheet = models.ForeignKey(
        EvaluationSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="results"
    )
    criterion = models.ForeignKey(
        TemplateCriterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    level = models.ForeignKey(
        RatingLevel,
        verbose_name=pgettext_lazy("drills", "rating"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.DecimalField(
        pgettext_lazy("drills", "points"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reason = models.TextField(_("reason"), blank=True, **limited(4000))
    observation = models.TextField(_("observation"), blank=True, **limited(4000))
    observed_at = models.TimeField(_("time observed"), null=True, blank=True)
    photo = models.FileField(_("photo evidence"), upload_to=evidence_upload_to, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criterion results")
        ordering = ["criterion__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="result_per_criterion")
        ]

    def __str__(self):
        return f"{self.sheet_id} · {self.criterion_id}"

    @property
    def is_rated(self):
        return self.level_id is not None or self.points is not None

    @property
    def value(self):
        """The result on a 0–100 scale, or None while unrated."""
        if self.points is not None:
            return self.points
        if self.level_id is not None:
            return self.level.value
        return None

    def rate(self, *, level=None, points=None, reason=""):
        """Set the rating; the level must belong to the criterion's scale."""
        scale = self.criterion.scale
        if scale.kind == RatingScale.Kind.POINTS:
            if level is not None:
                raise DrillError(_("This criterion is scored in points."))
            if points is not None and not (0 <= points <= 100):
                raise DrillError(_("Points must be between 0 and 100."))
            self.level, self.points = None, points
        else:
            if points is not None:
                raise DrillError(_("This criterion is rated on a scale, not in points."))
            if level is not None and level.scale_id != scale.pk:
                raise DrillError(_("That rating does not belong to this criterion's scale."))
            if level is not None and level.requires_reason and not reason.strip():
                raise DrillError(
                    _("Give the reason for the rating “%(label)s”.") % {"label": level.label},
                    code="reason_required",
                )
            self.level, self.points = level, None
        self.reason = reason.strip()


def evidence_limits():
    return settings.DRILLS_EVIDENCE_MAX_BYTES, settings.DRILLS_EVIDENCE_TYPES
