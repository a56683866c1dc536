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


def test_demo_practice_history_through_the_services():
    from assessments import practice
    from assessments.demo import PRACTICE_PEOPLE
    from assessments.models import PracticeAnswer, PracticeCard
    from lms.models import Employee

    demo.seed_organisation()
    seeder = AssessmentsDemoSeeder()
    seeder.seed()
    someone = Employee.objects.get(number=PRACTICE_PEOPLE[0])
    answers = PracticeAnswer.objects.for_employee(someone)
    assert answers.filter(source="daily").count() >= 50
    assert answers.filter(source="exam").exists() or answers.filter(source="mock").exists()
    assert PracticeCard.objects.for_employee(someone).in_book().exists()
    assert PracticeCard.objects.for_employee(someone).filter(retired_at__isnull=False).exists()
    assert len(practice.mastery_for(answers)) >= 4
    assert Exam.objects.filter(kind="mock", mock_of__title=ANNUAL_EXAM).count() == 1
    total = PracticeAnswer.objects.count()
    seeder.seed()
    assert PracticeAnswer.objects.count() == total
    seeder.reset()
    assert not PracticeAnswer.objects.exists() and not Exam.objects.exists()
