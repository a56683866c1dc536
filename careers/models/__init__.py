"""Careers: appraisal (indicator systems, periods, values, results) and the records HR keeps.

Appraisal in one paragraph: an ``IndicatorSystem`` version holds weighted ``Indicator`` rules; an
``AppraisalPeriod`` pins one version and walks open → collecting → calculated → frozen →
published; ``IndicatorValue`` rows carry each subject's value with its provenance; the calculation
(``services.appraisal_period_calculate``) turns every value of the period into
``AppraisalResult`` rows set-wise; after freezing, every change needs a reason and is written to
the audit trail (``lms.audit``).

One module per sub-domain: ``indicators`` and ``appraisal``, ``archive`` (training hours rules of
the 一人一档 archive), ``development`` (development plans), ``rotation``, ``recognition``; ``base``
holds the shared helpers and errors.
"""

from .appraisal import (
    AppraisalPeriod,
    AppraisalPeriodQuerySet,
    AppraisalResult,
    AppraisalResultQuerySet,
    IndicatorValue,
    IndicatorValueQuerySet,
)
from .archive import HoursKind, TrainingHoursRule
from .base import HUNDRED, TWO_PLACES, AppraisalError, CareersError, management_line_ids, plain
from .development import (
    CheckIn,
    DevelopmentGoal,
    DevelopmentPlan,
    DevelopmentPlanQuerySet,
    PlannedCourse,
    PositionTemplate,
)
from .indicators import Indicator, IndicatorCategory, IndicatorSystem, Subject
from .recognition import Recognition, RecognitionQuerySet
from .rotation import (
    RotationAssignment,
    RotationAssignmentQuerySet,
    RotationObjective,
    RotationProgramme,
)

__all__ = [
    "HUNDRED",
    "TWO_PLACES",
    "AppraisalError",
    "AppraisalPeriod",
    "AppraisalPeriodQuerySet",
    "AppraisalResult",
    "AppraisalResultQuerySet",
    "CareersError",
    "CheckIn",
    "DevelopmentGoal",
    "DevelopmentPlan",
    "DevelopmentPlanQuerySet",
    "HoursKind",
    "Indicator",
    "IndicatorCategory",
    "IndicatorSystem",
    "IndicatorValue",
    "IndicatorValueQuerySet",
    "PlannedCourse",
    "PositionTemplate",
    "Recognition",
    "RecognitionQuerySet",
    "RotationAssignment",
    "RotationAssignmentQuerySet",
    "RotationObjective",
    "RotationProgramme",
    "Subject",
    "TrainingHoursRule",
    "management_line_ids",
    "plain",
]
