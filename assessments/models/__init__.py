"""Question bank, exams, attempts, certificates and qualifications."""

from .attempts import Attempt, AttemptError, AttemptItem, AttemptQuerySet
from .certificates import Certificate, QualificationRule
from .exams import AssemblyRule, Exam, ExamOverride, ExamQuestion
from .papers import ExamPaper
from .practice import (
    PRACTICE_TYPES,
    DailyPractice,
    PracticeAnswer,
    PracticeCard,
    PracticeHarvest,
    PracticeSource,
)
from .questions import Question, QuestionCategory, QuestionType, QuestionVersion

__all__ = [
    "AssemblyRule",
    "Attempt",
    "AttemptError",
    "AttemptItem",
    "AttemptQuerySet",
    "Certificate",
    "DailyPractice",
    "Exam",
    "ExamOverride",
    "ExamPaper",
    "ExamQuestion",
    "PRACTICE_TYPES",
    "PracticeAnswer",
    "PracticeCard",
    "PracticeHarvest",
    "PracticeSource",
    "QualificationRule",
    "Question",
    "QuestionCategory",
    "QuestionType",
    "QuestionVersion",
]
