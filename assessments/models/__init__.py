"""Question bank, exams, attempts, certificates and qualifications."""

from .attempts import Attempt, AttemptError, AttemptItem, AttemptQuerySet
from .certificates import Certificate, QualificationRule
from .exams import AssemblyRule, Exam, ExamOverride, ExamQuestion
from .questions import Question, QuestionCategory, QuestionType, QuestionVersion

__all__ = [
    "AssemblyRule",
    "Attempt",
    "AttemptError",
    "AttemptItem",
    "AttemptQuerySet",
    "Certificate",
    "Exam",
    "ExamOverride",
    "ExamQuestion",
    "QualificationRule",
    "Question",
    "QuestionCategory",
    "QuestionType",
    "QuestionVersion",
]
