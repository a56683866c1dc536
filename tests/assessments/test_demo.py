import pytest

from assessments.demo import ANNUAL_EXAM, AssessmentsDemoSeeder
from assessments.models import Attempt, Certificate, Exam, Question, QuestionCategory
from lms import demo

pytestmark = pytest.mark.django_db


def test_demo_seed_is_complete_and_idempotent():
    demo.seed_organisation()
    seeder = AssessmentsDemoSeeder()
    seeder.seed()
    questions = Question.objects.count()
    assert questions >= 200
    assert set(Question.objects.values_list("type", flat=True)) == {
        "single", "multiple", "truefalse", "fill", "short", "essay"
    }  # fmt: skip
    assert QuestionCategory.objects.filter(depth=2).count() >= 6
    annual = Exam.objects.get(title=ANNUAL_EXAM)
    assert annual.rules.count() == 6 and not annual.fixed_questions.exists()
    assert Exam.objects.filter(kind="practice").count() == 2
    attempts = Attempt.objects.count()
    assert attempts >= 20
    assert Attempt.objects.filter(status="graded").exists()
    assert Attempt.objects.filter(status="submitted").exists()  # essays waiting for the trainer
    assert Certificate.objects.exists()
    seeder.seed()
    assert Question.objects.count() == questions and Attempt.objects.count() == attempts
    seeder.reset()
    assert not Question.objects.exists() and not Exam.objects.exists()
