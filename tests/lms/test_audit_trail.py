"""Every audited service writes one audit trail entry: who, before, after, reason (issue #8 §2).

Each scenario calls the real services the way the product does and names the entry it expects.
``test_every_trail_action_has_a_scenario`` fails when an app declares a new audited action
without a scenario here, so no path can quietly skip the trail.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments import services as exam_services
from assessments.models import Certificate, Exam, QuestionType
from careers import services as careers_services
from courses import services as course_services
from drills import services as drill_services
from drills.models import DrillError
from lms import audit
from tests import factories as f
from tests.factories import assessments as af
from tests.factories import careers as cf
from tests.factories import courses as coursef
from tests.factories import drills as df

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def entry_for(action, obj):
    return (
        ModelLogEntry.objects.filter(
            action=action,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
        )
        .order_by("-timestamp", "-pk")
        .first()
    )


# --- scenarios ---------------------------------------------------------------------------------
# Each takes the ``people``/``company`` fixtures and returns what the entry must hold:
# (action, object, user, expected "before" items, expected "after" items, reason).


def _sit(exam, employee, answer="A"):
    attempt = exam_services.attempt_start(exam=exam, employee=employee)
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[
            {"item": item.pk, "response": [answer], "seq": 1}
            for item in attempt.items.all()
            if item.snapshot["type"] == "single"
        ],
    )
    return attempt


def _certified_exam(people, **fields):
    questions = fields.pop("questions", None) or [
        af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(2)
    ]
    return af.exam(
        questions=questions,
        audience=[people["employee"]],
        pass_mark=fields.pop("pass_mark", 50),
        certificate_title="安规合格证",
        certificate_valid_months=12,
        review_policy="after_submit",
        **fields,
    )


def attempt_submitted(people, company):
    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    return (
        "assessments.attempt_submitted",
        attempt,
        people["employee"].user,
        {"status": "in_progress"},
        {"status": "graded", "score": "2", "passed": True},
        "Submitted by the candidate",
    )


def attempt_auto_submitted(people, company):
    attempt = _sit(_certified_exam(people, time_limit_minutes=30), people["employee"])
    later = attempt.deadline + datetime.timedelta(hours=1)
    assert exam_services.attempts_submit_overdue(now=later) == 1
    return (
        "assessments.attempt_submitted",
        attempt,
        None,
        {"status": "in_progress"},
        {"status": "graded", "score": "2", "passed": True},
        "Time ran out: submitted and graded automatically",
    )


def _essay_attempt(people):
    essay = af.question(type=QuestionType.ESSAY, points=Decimal(5))
    exam = _certified_exam(people, questions=[essay], pass_mark=60)
    attempt = exam_services.attempt_start(exam=exam, employee=people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    return attempt, attempt.items.get()


def item_graded(people, company):
    attempt, item = _essay_attempt(people)
    exam_services.item_grade(item=item, score=4, grader=people["trainer"].user)
    return (
        "assessments.item_graded",
        attempt,
        people["trainer"].user,
        {"item_score": None, "status": "submitted", "score": "0"},
        {"item_score": "4", "status": "graded", "score": "4", "passed": True},
        "Graded by hand",
    )


def item_regraded(people, company):
    attempt, item = _essay_attempt(people)
    exam_services.item_grade(item=item, score=4, grader=people["trainer"].user)
    with pytest.raises(ValidationError):  # changing a given score needs a reason
        exam_services.item_grade(item=item, score=2, grader=people["trainer"].user)
    exam_services.item_grade(
        item=item, score=2, reason="复核：论述不完整", grader=people["trainer"].user
    )
    return (
        "assessments.item_graded",
        attempt,
        people["trainer"].user,
        {"item_score": "4", "score": "4", "passed": True},
        {"item_score": "2", "score": "2", "passed": False},
        "复核：论述不完整",
    )


def regraded(people, company):
    exam = _certified_exam(people, pass_mark=100)
    attempt = _sit(exam, people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    question = exam.fixed_questions.first().question
    exam_services.question_update(question=question, answer=["B"])
    assert exam_services.exam_regrade(
        exam=exam, question=question, acting_user=people["trainer"].user
    )
    return (
        "assessments.regraded",
        attempt,
        people["trainer"].user,
        {"score": "2", "passed": True},
        {"score": "1", "passed": False},
        f"Answer key of question {question.pk} corrected",
    )


def certificate_issued(people, company):
    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    return (
        "assessments.certificate_issued",
        certificate,
        people["employee"].user,
        None,
        {"code": certificate.code, "score": "2", "revoked": False},
        None,  # "Passed <exam> with 2"
    )


def certificate_issued_on_completion(people, company):
    course = coursef.course(title="安全规程培训", code="AQ-01", lessons=1)
    exam = af.exam(
        questions=[af.question(answer=["A"])],
        course=course,
        certificate_title="安全规程培训合格证",
        certificate_valid_months=24,
    )
    Exam.objects.filter(pk=exam.pk).update(certificate_on_course_completion=True)
    course_services.completion_record(
        employee=people["employee"],
        course=course,
        completed_on=timezone.localdate(),
        source="online",
    )
    certificate = Certificate.objects.get(employee=people["employee"])
    return (
        "assessments.certificate_issued",
        certificate,
        None,
        None,
        {"title": "安全规程培训合格证", "revoked": False},
        "Course completed",
    )


def certificate_revoked(people, company):
    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    with pytest.raises(ValidationError):
        exam_services.certificate_revoke(certificate=certificate, reason=" ")
    exam_services.certificate_revoke(
        certificate=certificate, reason="考试作弊", acting_user=people["hr"].user
    )
    return (
        "assessments.certificate_revoked",
        certificate,
        people["hr"].user,
        {"revoked": False},
        {"revoked": True, "revoked_reason": "考试作弊"},
        "考试作弊",
    )


def certificate_revoked_by_regrade(people, company):
    exam = _certified_exam(people, pass_mark=100)
    attempt = _sit(exam, people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    question = exam.fixed_questions.first().question
    exam_services.question_update(question=question, answer=["B"])
    exam_services.exam_regrade(exam=exam, question=question, acting_user=people["trainer"].user)
    return (
        "assessments.certificate_revoked",
        certificate,
        people["trainer"].user,
        {"revoked": False, "score": "2"},
        {"revoked": True, "score": "1"},
        f"Answer key of question {question.pk} corrected",
    )


def certificate_reissued(people, company):
    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    exam_services.certificate_revoke(certificate=certificate, reason="误判")
    exam_services.certificate_change(
        certificate=certificate,
        revoked=False,
        expires_on=certificate.expires_on,
        reason="复核后恢复",
        acting_user=people["hr"].user,
    )
    return (
        "assessments.certificate_reissued",
        certificate,
        people["hr"].user,
        {"revoked": True, "revoked_reason": "误判"},
        {"revoked": False, "revoked_reason": ""},
        "复核后恢复",
    )


def practical_check(people, company):
    course = coursef.course(title="实操", code="SC-01", lessons=1)
    session = coursef.past_session(course=course, trainer=people["trainer"])
    course_services.enrollment_create(session=session, employee=people["employee"])
    course_services.attendance_record(session=session, present_ids=[people["employee"].pk])
    course_services.practical_check_record(
        session=session, employee=people["employee"], passed=False, score=Decimal("55")
    )
    check = course_services.practical_check_record(
        session=session,
        employee=people["employee"],
        passed=True,
        score=Decimal("85"),
        comment="补考合格",
        acting_user=people["trainer"].user,
    )
    return (
        "courses.practical_check_recorded",
        check,
        people["trainer"].user,
        {"passed": False, "score": "55"},
        {"passed": True, "score": "85"},
        "补考合格",
    )


def _period(people):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    return period


def value_set(people, company):
    period = cf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    careers_services.indicator_value_set(
        period=period, indicator=indicator, value=Decimal(70), employee=people["employee"]
    )
    item = careers_services.indicator_value_set(
        period=period,
        indicator=indicator,
        value=Decimal(90),
        employee=people["employee"],
        note="补录培训记录",
        acting_user=people["hr"].user,
    )
    return (
        "careers.value_set",
        item,
        people["hr"].user,
        {"value": "70"},
        {"value": "90"},
        "补录培训记录",
    )


def value_imported(people, company):
    period = cf.period()
    indicator = period.system.indicators.get(code="KPI-TRAIN")
    careers_services.indicator_values_import(
        period=period,
        rows=[(indicator, people["employee"].pk, None, Decimal(60), "")],
        acting_user=people["hr"].user,
    )
    careers_services.indicator_values_import(
        period=period,
        rows=[(indicator, people["employee"].pk, None, Decimal(75), "")],
        acting_user=people["hr"].user,
    )
    item = period.values.get(employee=people["employee"])
    return (
        "careers.value_imported",
        item,
        people["hr"].user,
        {"value": "60"},
        {"value": "75", "source": "import"},
        "Imported from a spreadsheet",
    )


def value_deleted(people, company):
    period = cf.period()
    item = cf.value(period=period, code="KPI-TRAIN", value="66", employee=people["employee"])
    careers_services.indicator_value_delete(value_item=item, acting_user=people["hr"].user)
    assert not period.values.exists()
    entry = ModelLogEntry.objects.get(action="careers.value_deleted")
    item.pk = int(entry.object_id)  # the row is gone; its entry stays
    return (
        "careers.value_deleted",
        item,
        people["hr"].user,
        {"value": "66"},
        {},
        "Value removed",
    )


def _frozen(people):
    period = _period(people)
    cf.complete(period)
    careers_services.appraisal_period_calculate(period=period)
    careers_services.appraisal_period_freeze(period=period)
    return period


def value_corrected(people, company):
    period = _frozen(people)
    item = period.values.get(employee=people["employee"])
    careers_services.indicator_value_correct(
        value_item=item, value=Decimal(40), reason="培训记录有误", acting_user=people["hr"].user
    )
    # One entry for the value, one for the result it changed: each fact once.
    assert cf.appraisal_changes(data__reason="培训记录有误").count() == 2
    return (
        "careers.value_corrected",
        item,
        people["hr"].user,
        {"value": "90"},
        {"value": "40"},
        "培训记录有误",
    )


def result_changed(people, company):
    period = _frozen(people)
    item = period.values.get(employee=people["employee"])
    careers_services.indicator_value_correct(
        value_item=item, value=Decimal(40), reason="培训记录有误", acting_user=people["hr"].user
    )
    return (
        "careers.result_changed",
        period,
        people["hr"].user,
        {"total_score": "75", "grade": "C"},
        {},  # lower: the generic test checks that something changed
        "培训记录有误",
    )


def calculated(people, company):
    period = _period(people)
    careers_services.appraisal_period_calculate(period=period, acting_user=people["hr"].user)
    return (
        "careers.calculated",
        period,
        people["hr"].user,
        {"status": "collecting"},
        {"status": "calculated", "results": 1},
        None,
    )


def period_frozen(people, company):
    period = _period(people)
    cf.complete(period)
    careers_services.appraisal_period_calculate(period=period)
    careers_services.appraisal_period_freeze(period=period, acting_user=people["hr"].user)
    return (
        "careers.period_frozen",
        period,
        people["hr"].user,
        {"status": "calculated"},
        {"status": "frozen"},
        "Results reviewed and frozen",
    )


def period_published(people, company):
    period = _frozen(people)
    careers_services.appraisal_period_publish(period=period, acting_user=people["hr"].user)
    return (
        "careers.period_published",
        period,
        people["hr"].user,
        {"status": "frozen"},
        {"status": "published"},
        "Published to employees",
    )


def period_unpublished(people, company):
    period = _frozen(people)
    careers_services.appraisal_period_publish(period=period)
    with pytest.raises(ValidationError):
        careers_services.appraisal_period_unpublish(period=period, reason="")
    careers_services.appraisal_period_unpublish(
        period=period, reason="发布范围有误", acting_user=people["hr"].user
    )
    return (
        "careers.period_unpublished",
        period,
        people["hr"].user,
        {"status": "published"},
        {"status": "frozen"},
        "发布范围有误",
    )


def _evaluated_rotation(people, company):
    programme = careers_services.rotation_programme_create(
        name="轮岗", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    rotation = careers_services.rotation_assign(
        programme=programme,
        employee=people["employee"],
        to_department=company["other"],
        to_position=f.position(),
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 4, 30),
        objectives=["熟悉营销业务"],
    )
    careers_services.rotation_start(assignment=rotation)
    objective = rotation.objectives.get()
    careers_services.rotation_evaluate(
        assignment=rotation,
        evaluator=people["other_manager"],
        scores={objective.pk: (Decimal(80), "")},
        comment="表现良好",
        acting_user=people["other_manager"].user,
    )
    return rotation, objective


def rotation_evaluated(people, company):
    rotation, _objective = _evaluated_rotation(people, company)
    return (
        "careers.rotation_evaluated",
        rotation,
        people["other_manager"].user,
        {"status": "active", "scores": {"熟悉营销业务": None}},
        {"status": "completed", "scores": {"熟悉营销业务": "80"}},
        "表现良好",
    )


def rotation_evaluation_changed(people, company):
    rotation, objective = _evaluated_rotation(people, company)
    with pytest.raises(Exception, match="manager of the receiving department or HR"):
        careers_services.rotation_evaluation_change(
            assignment=rotation,
            evaluator=people["manager"],
            scores={objective.pk: (Decimal(90), "")},
            comment="",
            reason="x",
        )
    careers_services.rotation_evaluation_change(
        assignment=rotation,
        evaluator=people["hr"],
        scores={objective.pk: (Decimal(70), "")},
        comment="表现良好",
        reason="复核后调整",
        acting_user=people["hr"].user,
    )
    return (
        "careers.rotation_evaluation_changed",
        rotation,
        people["hr"].user,
        {"scores": {"熟悉营销业务": "80"}},
        {"scores": {"熟悉营销业务": "70"}},
        "复核后调整",
    )


def _submitted_sheet(people, company):
    plan = df.plan(department=company["branch"], code="YA-TF-01", title="台风电网故障专项预案")
    drill = df.conduct(
        df.drill(
            plan=plan,
            coordinator=people["coordinator"],
            evaluators=[people["evaluator"]],
            department=company["branch"],
        )
    )
    sheet = drill.sheets.get()
    df.fill_sheet(sheet)
    sheet.refresh_from_db()
    return sheet


def sheet_submitted(people, company):
    sheet = _submitted_sheet(people, company)
    return (
        "drills.sheet_submitted",
        sheet,
        people["evaluator"].user,
        None,
        {},
        "Submitted by the evaluator",
    )


def sheet_reopened(people, company):
    sheet = _submitted_sheet(people, company)
    with pytest.raises(DrillError):
        drill_services.sheet_reopen(sheet=sheet, reason="")
    drill_services.sheet_reopen(
        sheet=sheet, reason="评分标准理解有误", acting_user=people["coordinator"].user
    )
    return (
        "drills.sheet_reopened",
        sheet,
        people["coordinator"].user,
        {"status": "submitted"},
        {"status": "draft"},
        "评分标准理解有误",
    )


def sheet_resubmitted(people, company):
    sheet = _submitted_sheet(people, company)
    drill_services.sheet_reopen(
        sheet=sheet, reason="评分标准理解有误", acting_user=people["coordinator"].user
    )
    sheet.refresh_from_db()
    df.fill_sheet(sheet, psmu="M", points=Decimal("60"))
    entry = entry_for("drills.sheet_submitted", sheet)
    changed = [
        key
        for key, value in entry.data["after"]["ratings"].items()
        if entry.data["before"]["ratings"][key] != value
    ]
    assert changed and set(entry.data["fields"]) == {"ratings"}
    return (
        "drills.sheet_submitted",
        sheet,
        people["evaluator"].user,
        {},
        {},
        "评分标准理解有误",
    )


def _awaiting_action(people, company):
    sheet = _submitted_sheet(people, company)
    finding = df.improvement(sheet.drill, by=people["coordinator"])
    action = df.action(finding, owner=people["employee"])
    drill_services.action_start(action=action, by=people["employee"])
    drill_services.action_submit(action=action, by=people["employee"], note="已修订流程")
    return action


def action_verified(people, company):
    action = _awaiting_action(people, company)
    drill_services.action_verify(
        action=action, by=people["coordinator"], method="查阅文件", result="符合要求"
    )
    return (
        "drills.action_verified",
        action,
        people["coordinator"].user,
        {"status": "awaiting_verification", "verified_by": None},
        {"status": "closed", "method": "查阅文件", "result": "符合要求"},
        "符合要求",
    )


def action_rejected(people, company):
    action = _awaiting_action(people, company)
    drill_services.action_reject(action=action, by=people["coordinator"], reason="证据不足")
    return (
        "drills.action_rejected",
        action,
        people["coordinator"].user,
        {"status": "awaiting_verification"},
        {"status": "rejected"},
        "证据不足",
    )


def action_changed(people, company):
    import datetime

    action = _awaiting_action(people, company)
    services_due = action.due_date + datetime.timedelta(days=7)
    action.status = action.Status.IN_PROGRESS  # reassigned while still being worked on
    action.save(update_fields=["status"])
    drill_services.action_update(
        action=action,
        due_date=services_due,
        acting_user=people["coordinator"].user,
        reason="物资到货延迟",
    )
    return (
        "drills.action_changed",
        action,
        people["coordinator"].user,
        {"due_date": (services_due - datetime.timedelta(days=7)).isoformat()},
        {"due_date": services_due.isoformat()},
        "物资到货延迟",
    )


def employee_erased(people, company):
    from lms import services as lms_services

    employee = people["colleague"]
    lms_services.employee_erase(
        employee=employee, reason="本人申请删除个人信息", acting_user=people["hr"].user
    )
    return (
        "lms.employee_erased",
        employee,
        people["hr"].user,
        {"status": "active", "personal_data": True},
        {"status": "left", "personal_data": False},
        "本人申请删除个人信息",
    )


def employees_synced(people, company):
    """One entry for a whole sync (API upsert or HR staff file), kept against the staff list."""
    from lms.employee_sync import dataset_from_rows, employees_sync
    from lms.models import Employee

    row = {"number": "N1", "name": "新员工", "department": "C-A-1"}
    employees_sync(
        dataset=dataset_from_rows([{**row, "position": people["employee"].position.code}]),
        source="人力资源系统",
        acting_user=people["hr"].user,
    )
    return (
        "lms.employees_synced",
        Employee(pk=int(audit.LIST_EXPORT_OBJECT_ID)),
        people["hr"].user,
        None,
        {"created": 1, "updated": 0, "deactivated": 0},
        "人力资源系统",
    )


SCENARIOS = [
    ("lms.employee_erased", employee_erased),
    ("lms.employees_synced", employees_synced),
    ("assessments.attempt_submitted", attempt_submitted),
    ("assessments.attempt_submitted", attempt_auto_submitted),
    ("assessments.item_graded", item_graded),
    ("assessments.item_graded", item_regraded),
    ("assessments.regraded", regraded),
    ("assessments.certificate_issued", certificate_issued),
    ("assessments.certificate_issued", certificate_issued_on_completion),
    ("assessments.certificate_revoked", certificate_revoked),
    ("assessments.certificate_revoked", certificate_revoked_by_regrade),
    ("assessments.certificate_reissued", certificate_reissued),
    ("courses.practical_check_recorded", practical_check),
    ("careers.value_set", value_set),
    ("careers.value_imported", value_imported),
    ("careers.value_deleted", value_deleted),
    ("careers.value_corrected", value_corrected),
    ("careers.result_changed", result_changed),
    ("careers.calculated", calculated),
    ("careers.period_frozen", period_frozen),
    ("careers.period_published", period_published),
    ("careers.period_unpublished", period_unpublished),
    ("careers.rotation_evaluated", rotation_evaluated),
    ("careers.rotation_evaluation_changed", rotation_evaluation_changed),
    ("drills.sheet_submitted", sheet_submitted),
    ("drills.sheet_reopened", sheet_reopened),
    ("drills.sheet_submitted", sheet_resubmitted),
    ("drills.action_verified", action_verified),
    ("drills.action_rejected", action_rejected),
    ("drills.action_changed", action_changed),
]


@pytest.mark.parametrize(
    ("action", "scenario"), SCENARIOS, ids=[fn.__name__ for _action, fn in SCENARIOS]
)
def test_service_writes_the_audit_entry(action, scenario, people, company):
    got, obj, user, before, after, reason = scenario(people, company)
    assert got == action
    entry = entry_for(action, obj)
    assert entry is not None, f"{scenario.__name__} wrote no {action} entry"
    assert entry.user == user
    data = entry.data
    assert set(data) >= {"before", "after", "reason", "fields"}
    if before is None:
        assert data["before"] is None
    else:
        assert data["before"] is not None
        for key, value in before.items():
            assert data["before"].get(key) == value, (key, data["before"])
    for key, value in after.items():
        assert data["after"].get(key) == value, (key, data["after"])
    assert data["reason"]
    if reason is not None:
        assert data["reason"] == reason
    assert data["fields"] == audit.changed_fields(data["before"], data["after"])
    assert data["fields"], "an audited change changes something"


def test_every_trail_action_has_a_scenario():
    """A new audited action without a scenario here fails (exports have their own tests)."""
    declared = set(audit.trail_actions()) - {audit.PERSONAL_DATA_EXPORTED}
    assert declared - {action for action, _scenario in SCENARIOS} == set()


def test_entries_carry_whose_department_they_concern(people, company):
    attempt_submitted(people, company)
    entry = ModelLogEntry.objects.get(action="assessments.attempt_submitted")
    assert entry.data["employee"] == people["employee"].pk
    assert entry.data["department"] == company["team_a"].pk
    assert entry.data["department_path"] == company["team_a"].path


def test_an_undeclared_action_is_refused(people):
    with pytest.raises(ValueError, match="not an audit trail action"):
        audit.record(people["employee"], "lms.made_up", before={}, after={"x": 1}, reason="x")


def test_admin_certificate_edit_goes_through_the_trail(client, people):
    from django.urls import reverse

    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    client.force_login(people["trainer"].user)
    url = reverse("certificates:edit", args=[certificate.pk])
    form = {
        "revoked": "on",
        "revoked_reason": "作弊",
        "expires_on": certificate.expires_on.isoformat(),
    }
    response = client.post(url, form)
    assert response.status_code == 200  # no reason: the form is shown again, nothing saved
    certificate.refresh_from_db()
    assert not certificate.revoked
    client.post(url, {**form, "reason": "考场记录"})
    certificate.refresh_from_db()
    assert certificate.revoked
    entry = entry_for("assessments.certificate_revoked", certificate)
    assert entry.user == people["trainer"].user and entry.data["reason"] == "作弊"


def test_every_writer_honours_wagtails_log_context(people):
    """``record``, ``record_many``, ``record_export`` and ``record_bulk`` take the user and the
    uuid of the active log context as Wagtail's ``log()`` does: one request's entries group."""
    from wagtail.log_actions import LogContext

    from lms.models import Employee

    hr = people["hr"].user
    employee = people["employee"]
    with LogContext(user=hr) as context:
        audit.record(employee, audit.EMPLOYEE_ERASED, before={"x": 1}, after={"x": 2}, reason="r")
        audit.record_many(
            [audit.Entry(employee, audit.EMPLOYEE_ERASED, after={"x": 3}, reason="r")]
        )
        audit.record_export(Employee, user=None, what="list", rows=1)
        audit.record_bulk(Employee, audit.EMPLOYEES_SYNCED, after={"rows": 1}, reason="sync")
    entries = ModelLogEntry.objects.filter(uuid=context.uuid)
    assert entries.count() == 4
    assert {entry.user for entry in entries} == {hr}


def test_a_revocation_with_a_new_expiry_keeps_both_in_one_entry(people):
    """The expiry date changed with a revocation was saved before the entry's "before" was
    read, so the trail lost the old date (#15)."""
    attempt = _sit(_certified_exam(people), people["employee"])
    exam_services.attempt_submit(attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt)
    old = certificate.expires_on
    new = old - datetime.timedelta(days=30)
    exam_services.certificate_change(
        certificate=certificate,
        revoked=True,
        revoked_reason="作弊",
        expires_on=new,
        reason="考场记录",
        acting_user=people["trainer"].user,
    )
    (entry,) = ModelLogEntry.objects.filter(
        action="assessments.certificate_revoked", object_id=str(certificate.pk)
    )
    assert entry.data["before"]["expires_on"] == old.isoformat()
    assert entry.data["after"]["expires_on"] == new.isoformat()
    assert set(entry.data["fields"]) >= {"expires_on", "revoked", "revoked_reason"}
