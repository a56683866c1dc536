"""Emergency plans, drills, evaluations, findings, corrective actions and after-action reports.

Split by sub-domain: ``plans`` (plan pages and revision notes), ``exercises`` (drills and
participants), ``evaluation`` (scales, templates, sheets), ``improvement`` (findings, corrective
actions, reports and score snapshots).
"""

from .base import DrillError  # noqa: F401
from .evaluation import (  # noqa: F401
    Capability,
    CriterionResult,
    EvaluationSheet,
    EvaluationTemplate,
    Phase,
    RatingLevel,
    RatingScale,
    TemplateCriterion,
)
from .exercises import Drill, DrillParticipant, ExerciseRole  # noqa: F401
from .improvement import (  # noqa: F401
    ActionLogEntry,
    CorrectiveAction,
    Finding,
    ScoreSnapshot,
)
from .plans import (  # noqa: F401
    EmergencyPlanIndexPage,
    EmergencyPlanPage,
    PlanAttachment,
    PlanRevisionNote,
    PlanSection,
)
