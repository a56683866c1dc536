"""The training archive (一人一档): how training hours are counted."""

from decimal import Decimal

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------
# Training archive (一人一档)


class HoursKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    COMPULSORY = "compulsory", _("Compulsory")
    GENERAL = "general", _("General")


class TrainingHoursRule(models.Model):
    """How an archive record of one category counts towards the yearly training hours (学时)."""

    category = models.CharField(_("record category"), max_length=32, unique=True)
    counts_as = models.CharField(_("counts as"), max_length=16, choices=HoursKind.choices)
    factor = models.DecimalField(
        _("factor"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        help_text=_("Recorded hours are multiplied by this (e.g. 0.5 for self-study)."),
    )
    default_hours = models.DecimalField(
        _("hours when none are recorded"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Hours credited for a record that carries no hours of its own."),
    )
    no_hours_for = models.JSONField(
        _("earns no hours when"),
        default=list,
        blank=True,
        help_text=_("Records of this category with one of these outcomes earn no hours."),
    )

    class Meta:
        verbose_name = _("training-hours rule")
        verbose_name_plural = _("training-hours rules")
        ordering = ["category"]

    def __str__(self):
        return f"{self.category_label} → {self.get_counts_as_display()}"

    @property
    @admin.display(description=_("record category"))
    def category_label(self):
        from lms.hooks import ArchiveCategory

        try:
            return ArchiveCategory(self.category).label
        except ValueError:
            return self.category

    def credit(self, hours, outcome=""):
        """The hours a record earns: none for an outcome the rule names, else its own hours
        times the factor, or the default for a record without hours of its own."""
        if outcome and outcome in self.no_hours_for:
            return Decimal(0)
        if hours is None:
            return self.default_hours
        return (Decimal(hours) * self.factor).quantize(Decimal("0.1"))

    @property
    @admin.display(description=_("earns no hours when"))
    def no_hours_for_labels(self):
        from lms.hooks import ArchiveOutcome

        labels = dict(ArchiveOutcome.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.no_hours_for) or "—"
