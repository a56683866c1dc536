from decimal import InvalidOperation

from django.conf import settings
from django.core.checks import Error, register


@register()
def appraisal_settings(app_configs, **kwargs):
    """Grade bands and bonus coefficients come from the environment: refuse nonsense early."""
    from .scoring import bonus_coefficients, grade_bands

    try:
        bands = grade_bands()
        coefficients = bonus_coefficients()
    except (InvalidOperation, ValueError):
        return [
            Error(
                "APPRAISAL_GRADE_BANDS and APPRAISAL_BONUS_COEFFICIENTS must look like "
                "'A:90,B:80,C:60,D:0' and 'A:1.2,B:1.0,C:0.8,D:0.5'.",
                id="careers.E001",
            )
        ]
    errors = []
    if not bands:
        errors.append(Error("APPRAISAL_GRADE_BANDS names no grade.", id="careers.E002"))
    missing = [grade for grade, _lowest in bands if grade not in coefficients]
    if missing:
        errors.append(
            Error(
                f"APPRAISAL_BONUS_COEFFICIENTS lacks the grade(s) {', '.join(missing)}.",
                id="careers.E003",
            )
        )
    for name in (
        "TRAINING_HOURS_MIN_TOTAL",
        "TRAINING_HOURS_MIN_PROFESSIONAL",
        "TRAINING_HOURS_MIN_COMPULSORY",
    ):
        if getattr(settings, name, 0) < 0:
            errors.append(Error(f"{name} cannot be negative.", id="careers.E004"))
    return errors
