"""Training tables (app label ``courses``): plans and courses (Wagtail pages), lessons and progress,
sessions, enrolment, attendance, completions, required-training rules and assignments,
effectiveness checks.

One module per sub-domain: ``plans``, ``courses`` (courses, lessons, progress), ``sessions``
(sessions, enrolment, attendance), ``completions``, ``assignments`` (required-training rules and
assignments), ``effectiveness`` (practical checks, questionnaires); ``base`` holds the roles, the
error and the choices they share. Every page class is imported here, which is how Wagtail knows
the page types. SCORM packages and tracked video live in ``courses/scorm`` and ``courses/video``.
"""

# SCORM packages and tracked video have folders of their own; their tables are this app's.
from ..scorm.models import (
    ScormAttempt,
    ScormElement,
    ScormPackage,
    ScormSco,
    ScormValue,
    ScormVersion,
)
from ..video.models import VideoWatch
from .assignments import Assignment, AssignmentQuerySet, TrainingRule
from .base import (
    TRAINING_MANAGER_GROUP,
    TRAINING_MANAGER_LABEL,
    TRAINING_STAFF,
    CourseCategory,
    SignInRequiredMixin,
    TrainingError,
    TrainingMethod,
)
from .completions import Completion, CompletionQuerySet
from .courses import (
    CourseIndexPage,
    CoursePage,
    CoursePageManager,
    CoursePageQuerySet,
    Lesson,
    LessonProgress,
    LessonProgressQuerySet,
    new_course_code,
)
from .effectiveness import (
    PracticalCheck,
    PracticalCheckQuerySet,
    QuestionnaireField,
    QuestionnairePage,
    QuestionnaireSubmission,
)
from .plans import PlanItem, TrainingPlanIndexPage, TrainingPlanPage
from .sessions import (
    Attendance,
    AttendanceQuerySet,
    Enrollment,
    EnrollmentQuerySet,
    TrainingSession,
    TrainingSessionQuerySet,
    new_check_in_code,
)

__all__ = [
    "TRAINING_MANAGER_GROUP",
    "TRAINING_MANAGER_LABEL",
    "TRAINING_STAFF",
    "Assignment",
    "AssignmentQuerySet",
    "Attendance",
    "AttendanceQuerySet",
    "Completion",
    "CompletionQuerySet",
    "CourseCategory",
    "CourseIndexPage",
    "CoursePage",
    "CoursePageManager",
    "CoursePageQuerySet",
    "Enrollment",
    "EnrollmentQuerySet",
    "Lesson",
    "LessonProgress",
    "LessonProgressQuerySet",
    "PlanItem",
    "PracticalCheck",
    "PracticalCheckQuerySet",
    "QuestionnaireField",
    "QuestionnairePage",
    "QuestionnaireSubmission",
    "ScormAttempt",
    "ScormElement",
    "ScormPackage",
    "ScormSco",
    "ScormValue",
    "ScormVersion",
    "SignInRequiredMixin",
    "TrainingError",
    "TrainingMethod",
    "TrainingPlanIndexPage",
    "TrainingPlanPage",
    "TrainingRule",
    "TrainingSession",
    "TrainingSessionQuerySet",
    "VideoWatch",
    "new_check_in_code",
    "new_course_code",
]
