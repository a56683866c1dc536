"""Indicator systems and their indicators: drafts, versions, putting a system in force."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import AppraisalError, Indicator, IndicatorSystem, plain


@transaction.atomic
def indicator_system_create(*, name: str, description: str = "", acting_user=None):
    latest = IndicatorSystem.objects.filter(name=name.strip()).order_by("-version").first()
    system = IndicatorSystem(
        name=name.strip(), description=description, version=(latest.version + 1) if latest else 1
    )
    system.full_clean()
    system.save()
    log(system, "wagtail.create", user=acting_user)
    return system


INDICATOR_FIELDS = (
    "code",
    "name",
    "category",
    "subject",
    "weight",
    "unit",
    "target",
    "higher_is_better",
    "rule",
    "threshold_low",
    "threshold_high",
    "deduction_per_occurrence",
    "floor_score",
    "min_value",
    "max_value",
    "source",
    "source_key",
    "description",
)


@transaction.atomic
def indicator_create(*, system: IndicatorSystem, acting_user=None, **fields) -> Indicator:
    """Add an indicator to a draft system."""
    if not system.is_editable:
        raise AppraisalError(
            _("%(system)s is in force; make a new version to change its indicators.")
            % {"system": system}
        )
    indicator = Indicator(system=system, **fields)
    indicator.full_clean()
    indicator.save()
    log(indicator, "wagtail.create", user=acting_user)
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, acting_user=None, **fields) -> Indicator:
    if not indicator.system.is_editable:
        raise AppraisalError(
            _("%(system)s is in force; make a new version to change its indicators.")
            % {"system": indicator.system}
        )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    log(indicator, "wagtail.edit", user=acting_user)
    return indicator


@transaction.atomic
def indicator_system_activate(*, system: IndicatorSystem, acting_user=None) -> IndicatorSystem:
    """Put a draft in force (its indicators are then fixed); the name's earlier version retires."""
    indicators = list(system.indicators.all())
    if not indicators:
        raise AppraisalError(_("An indicator system needs at least one indicator."))
    total = sum((i.weight for i in indicators), Decimal(0))
    if total != Decimal(100):
        raise AppraisalError(
            _("The weights add up to %(total)s; they must add up to 100.") % {"total": plain(total)}
        )
    system.activate()
    system.save(update_fields=["status"])
    for older in IndicatorSystem.objects.filter(
        name=system.name, status=IndicatorSystem.Status.ACTIVE
    ).exclude(pk=system.pk):
        older.retire()
        older.save(update_fields=["status"])
    log(system, "wagtail.edit", user=acting_user)
    return system


@transaction.atomic
def indicator_system_new_version(*, system: IndicatorSystem, acting_user=None) -> IndicatorSystem:
    """A draft copy of ``system`` with the next version number, to change its rules."""
    draft = indicator_system_create(
        name=system.name, description=system.description, acting_user=acting_user
    )
    Indicator.objects.bulk_create(
        [
            Indicator(system=draft, **{name: getattr(i, name) for name in INDICATOR_FIELDS})
            for i in system.indicators.all()
        ]
    )
    return draft
