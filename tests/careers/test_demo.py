from careers.demo import PERIOD_NAME, CareersDemoSeeder
from careers.models import (
    AppraisalPeriod,
    AppraisalResult,
    DevelopmentPlan,
    IndicatorValue,
    Recognition,
    RotationAssignment,
)
from lms import demo


def counts():
    return (
        AppraisalResult.objects.count(),
        IndicatorValue.objects.count(),
        DevelopmentPlan.objects.count(),
        RotationAssignment.objects.count(),
        Recognition.objects.count(),
    )


def test_demo_seed_is_idempotent_and_tells_the_story(db):
    demo.seed_organisation()
    seeder = CareersDemoSeeder()
    seeder.seed()
    period = AppraisalPeriod.objects.get(name=PERIOD_NAME)
    assert period.status == AppraisalPeriod.Status.PUBLISHED
    assert IndicatorValue.objects.filter(period=period, source="import").exists()
    assert AppraisalResult.objects.filter(period=period, employee__number="QC1001").exists()
    plan = DevelopmentPlan.objects.get(employee__number="QC1001")
    assert plan.status == "approved" and plan.approved_by.number == "QC9003"
    completed = RotationAssignment.objects.filter(status="completed")
    assert completed.exists() and all(r.average_score for r in completed)
    assert Recognition.objects.filter(kind="rectification").exists()
    before = counts()
    seeder.seed()
    assert counts() == before
    seeder.reset()
    assert counts() == (0, 0, 0, 0, 0)
