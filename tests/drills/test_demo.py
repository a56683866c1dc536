from django.core.management import call_command

from drills.models import CorrectiveAction, Drill, EmergencyPlanPage, EvaluationSheet, Finding


def test_demo_story_is_complete_and_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert set(EmergencyPlanPage.objects.values_list("hazard", flat=True)) == {
        "grid_fault",
        "mass_customer",
    }
    evaluated = Drill.objects.filter(status="report_approved")
    assert set(evaluated.values_list("form", flat=True)) == {"tabletop", "live"}
    for drill in evaluated:
        assert drill.sheets.filter(status="submitted").count() == 2
        assert drill.findings.filter(kind="strength").exists()
    assert set(CorrectiveAction.objects.values_list("status", flat=True)) == set(
        CorrectiveAction.Status.values
    )
    assert CorrectiveAction.objects.overdue().exists()
    assert Finding.objects.filter(recurrence_of__isnull=False).exists()
    assert CorrectiveAction.objects.filter(element="plan", plan_revision__isnull=False).exists()
    assert EvaluationSheet.objects.filter(evaluator__number="QC9005", status="draft").exists()
    counts = (Drill.objects.count(), CorrectiveAction.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Drill.objects.count(), CorrectiveAction.objects.count()) == counts
