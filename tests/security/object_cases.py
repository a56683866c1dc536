"""Object-level cases of the authorisation matrix: one real record of every kind the issue names
(attempt, result, certificate, archive, development plan, rotation evaluation, drill sheet,
corrective action, appraisal result), requested on its portal and admin URLs by every role.

The records belong to ``world["employee"]`` (in the subtree ``world["manager"]`` heads), except the
drill sheet, which belongs to its evaluator (``world["evaluator"]``). ``other_employee`` is a peer
in another team and ``other_manager`` heads another branch: both are refused everywhere.
"""

import datetime
from decimal import Decimal

from django.urls import reverse

from careers import services as careers_services
from tests.assessments.security_cases import assessment_world
from tests.factories import careers as cf
from tests.factories import drills as df

from .matrix import DENY, OK, Case, expect


def object_world(world):
    """Build the drill and appraisal records on first use (most cases need none of them)."""
    if "objects" in world:
        return world["objects"]
    company = world["company"]
    plan = df.plan(department=company["branch"], code="YA-SEC-01", title="安全矩阵预案")
    drill = df.conduct(
        df.drill(
            plan=plan,
            coordinator=world["coordinator"],
            evaluators=[world["evaluator"]],
            department=company["branch"],
        )
    )
    sheet = drill.sheets.get()
    df.fill_sheet(sheet)
    finding = df.improvement(drill, by=world["coordinator"])
    action = df.action(finding, owner=world["employee"])
    published = cf.period(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30))
    cf.value(period=published, code="KPI-TRAIN", value=Decimal(85), employee=world["employee"])
    cf.complete(published)
    careers_services.appraisal_period_calculate(period=published)
    careers_services.appraisal_period_freeze(period=published)
    careers_services.appraisal_period_publish(period=published)
    made = {
        "sheet": sheet,
        "action": action,
        "published_result": published.results.get(employee=world["employee"]),
    }
    world["objects"] = made
    return made


def _url(name, key, source):
    def build(world):
        made = source(world)
        obj = made[key] if key in made else world[key]
        return reverse(name, args=[obj.pk])

    return build


def drills_url(name, key):
    return _url(name, key, object_world)


def exams_url(name, key):
    return _url(name, key, assessment_world)


def world_url(name, key):
    return _url(name, key, lambda world: {})


def only(*roles):
    return expect(DENY, **{role: OK for role in roles})


# Portal and admin URLs whose names no other declaration uses: one Case per URL name.
CASES = {
    # Drill sheet: its evaluator fills it in, coordinators read every sheet.
    "drills:sheet": Case(drills_url("drills:sheet", "sheet"), only("evaluator", "coordinator")),
    # Reopening a submitted sheet is the coordinator's (and is audited).
    "drills:sheet_reopen": Case(
        drills_url("drills:sheet_reopen", "sheet"),
        only("coordinator"),
        method="POST",
        data=lambda w: {"reason": "矩阵测试"},
    ),
    # Corrective action: its owner, the owner's managers up the line and coordinators.
    "drills:action": Case(
        drills_url("drills:action", "action"), only("employee", "manager", "coordinator")
    ),
    "corrective_actions:edit": Case(
        drills_url("corrective_actions:edit", "action"), only("coordinator")
    ),
    # Attempts in the admin: trainers, HR and the candidate's managers read them.
    "attempts:inspect": Case(
        exams_url("attempts:inspect", "done_attempt"), only("manager", "trainer", "hr")
    ),
    # History screens need a change permission (Wagtail), and are scoped like the rest.
    "attempts:history": Case(exams_url("attempts:history", "done_attempt"), only("trainer")),
    # Certificates: trainers and HR change them (with a reason, audited).
    "certificates:edit": Case(exams_url("certificates:edit", "certificate"), only("trainer", "hr")),
    "certificates:history": Case(
        exams_url("certificates:history", "certificate"), only("trainer", "hr")
    ),
    # Development plans, rotations and appraisal results in the admin: HR's.
    "careers_plans:edit": Case(world_url("careers_plans:edit", "plan"), only("hr")),
    "careers_rotations:edit": Case(world_url("careers_rotations:edit", "rotation"), only("hr")),
    # Results are calculated, never edited by hand (values are corrected instead): the edit and
    # history screens are refused to every role; HR reads the audit trail instead.
    "careers_results:edit": Case(world_url("careers_results:edit", "result"), only()),
    "careers_results:history": Case(world_url("careers_results:history", "result"), only()),
    "careers_plans:history": Case(world_url("careers_plans:history", "plan"), only("hr")),
    "careers_rotations:history": Case(
        world_url("careers_rotations:history", "rotation"), only("hr")
    ),
    "corrective_actions:history": Case(
        drills_url("corrective_actions:history", "action"), only("coordinator")
    ),
    # The employee record in the admin: every admin role that may look the person up.
    "employees:inspect": Case(
        world_url("employees:inspect", "employee"),
        only("manager", "trainer", "hr", "coordinator"),
    ),
    # The audit trail: HR (and superusers) only.
    "lms_audit_trail": Case(lambda w: reverse("lms_audit_trail"), only("hr")),
    "lms_audit_trail_results": Case(lambda w: reverse("lms_audit_trail_results"), only("hr")),
}

# More cases on URL names declared elsewhere, with other records: (label, Case).
OBJECT_CASES = {
    # A published appraisal result: its employee and their managers see it; peers do not.
    "appraisal result, published (portal)": Case(
        drills_url("careers:result", "published_result"), only("employee", "manager", "hr")
    ),
    # The archive of an employee of another branch: that branch's manager and HR, not ours.
    "archive of another branch's employee (portal)": Case(
        world_url("careers:archive", "outsider"), only("other_manager", "hr")
    ),
    "archive PDF of another branch's employee": Case(
        world_url("careers:archive_pdf", "outsider"), only("other_manager", "hr")
    ),
}
