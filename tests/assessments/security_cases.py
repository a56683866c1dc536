"""Authorisation-matrix declarations for the assessments URLs.

For ``tests/security/declarations.py`` (the lead's matrix)::

    from tests.assessments.security_cases import ASSESSMENT_CASES, ASSESSMENT_RULE_PREFIXES
    CASES.update(ASSESSMENT_CASES)
    RULES += [Rule(prefix, WAGTAIL_ADMIN) for prefix in ASSESSMENT_RULE_PREFIXES]

The objects are made on first use, owned by ``world["employee"]``: a formal exam with an essay
(so a grading item exists), a submitted attempt, a certificate and a certificate bundle, and an
open attempt of a second exam.
"""

from decimal import Decimal

from django.urls import reverse

from assessments import services
from assessments.models import Attempt, Certificate, PracticeCard, QuestionType
from tests.factories import assessments as af

OK, DENY, ANY, LOGIN = "ok", "deny", "any", "login"
ROLES = ("anonymous", "employee", "other_employee", "other_manager", "manager", "trainer", "hr",
         "coordinator", "evaluator", "superuser")  # fmt: skip


def expect(default=DENY, **overrides):
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table["superuser"] = OK if default != ANY else ANY
    table.update(overrides)
    return table


def assessment_world(world):
    if "assessments" in world:
        return world["assessments"]
    employee = world["employee"]
    single = af.question(type=QuestionType.SINGLE, answer=["A"])
    essay = af.question(type=QuestionType.ESSAY, points=Decimal(5))
    exam = af.exam(
        questions=[single, essay],
        audience=[employee],
        max_attempts=3,
        review_policy="after_submit",
        certificate_title="安规合格证",
        pass_mark=10,
    )
    done = services.attempt_start(exam=exam, employee=employee)
    services.attempt_save_answers(
        attempt=done,
        answers=[{"item": i.pk, "response": ["A"], "seq": 1} for i in done.items.all()
                 if i.snapshot["type"] == "single"],
    )  # fmt: skip
    services.attempt_submit(attempt=done)
    item = done.items.get(snapshot__type="essay")
    services.item_grade(item=item, score=5)
    done.refresh_from_db()
    certificate = Certificate.objects.get(attempt=done)
    other_exam = af.exam(questions=[af.question()], audience=[employee])
    open_attempt = services.attempt_start(exam=other_exam, employee=employee)
    pending_exam = af.exam(questions=[af.question(type=QuestionType.ESSAY)], audience=[employee])
    pending = services.attempt_submit(
        attempt=services.attempt_start(exam=pending_exam, employee=employee)
    )
    missed = af.question(type=QuestionType.SINGLE, answer=["B"], knowledge_points=["验电"])
    practice_answer = services.practice_answer_record(
        employee=employee, question=missed, source="daily", response=["A"]
    )
    made = {
        "question": single,
        "exam": exam,
        "practice_answer": practice_answer,
        "practice_card": PracticeCard.objects.get(employee=employee, question=missed),
        "open_attempt": open_attempt,
        "done_attempt": done,
        "certificate": certificate,
        "pending_item": pending.items.get(),
    }
    world["assessments"] = made
    assert Attempt.objects.filter(pk=open_attempt.pk, status="in_progress").exists()
    return made


def _url(name, key=None, attr="pk", *extra):
    def build(world):
        made = assessment_world(world)
        args = [getattr(made[key], attr)] if key else []
        return reverse(f"assessments:{name}", args=[*args, *extra])

    return build


def _case(url, outcomes, method="GET", data=None):
    from tests.security.matrix import Case

    return Case(url, outcomes, method=method, data=data)


OWN = expect(DENY, employee=OK, superuser=DENY)
SIGNED_IN_EMPLOYEES = expect(OK, superuser=DENY)
TRAINER_HR = expect(DENY, trainer=OK, hr=OK)
TRAINERS = expect(DENY, trainer=OK)
CERTIFICATE_READERS = expect(DENY, employee=OK, manager=OK, trainer=OK, hr=OK)
TEAM = expect(DENY, manager=OK, other_manager=OK, trainer=OK, hr=OK)
PUBLIC = {role: OK for role in ROLES}


def _chooser_url(name, key=None):
    def build(world):
        made = assessment_world(world)
        return reverse(f"question_chooser:{name}", args=[made[key].pk] if key else [])

    return build


def cases():
    return {
        # The question chooser (an exam's fixed questions): for trainers, who build exams.
        "question_chooser:choose": _case(_chooser_url("choose"), TRAINERS),
        "question_chooser:choose_results": _case(_chooser_url("choose_results"), TRAINERS),
        "question_chooser:chosen": _case(_chooser_url("chosen", "question"), TRAINERS),
        "question_chooser:chosen_multiple": _case(_chooser_url("chosen_multiple"), TRAINERS),
        "assessments:exam_list": _case(_url("exam_list"), SIGNED_IN_EMPLOYEES),
        "assessments:result_list": _case(_url("result_list"), SIGNED_IN_EMPLOYEES),
        "assessments:my_qualifications": _case(_url("my_qualifications"), SIGNED_IN_EMPLOYEES),
        "assessments:team_qualifications": _case(_url("team_qualifications"), TEAM),
        "assessments:exam_detail": _case(_url("exam_detail", "exam"), OWN),
        "assessments:attempt_start": _case(_url("attempt_start", "exam"), OWN, method="POST"),
        "assessments:attempt_page": _case(_url("attempt_page", "open_attempt"), OWN),
        "assessments:attempt_state": _case(_url("attempt_state", "open_attempt"), OWN),
        # A form post is not the JSON the page sends: the owner gets 400, everyone else 404.
        "assessments:attempt_save": _case(
            _url("attempt_save", "open_attempt"),
            expect(DENY, employee=ANY, superuser=DENY),
            method="POST",
        ),
        "assessments:attempt_submit": _case(
            _url("attempt_submit", "open_attempt"), OWN, method="POST"
        ),
        "assessments:attempt_result": _case(_url("attempt_result", "done_attempt"), OWN),
        "assessments:certificate_pdf": _case(
            _url("certificate_pdf", "certificate", "code"), CERTIFICATE_READERS
        ),
        "assessments:certificate_check": _case(
            _url("certificate_check", "certificate", "code"), PUBLIC
        ),
        "assessments:exam_report": _case(_url("exam_report", "exam"), TRAINER_HR),
        "assessments:exam_export": _case(_url("exam_export", "exam", "pk", "results"), TRAINER_HR),
        "assessments:exam_flag_questions": _case(
            _url("exam_flag_questions", "exam"), TRAINER_HR, method="POST"
        ),
        "assessments:exam_regrade": _case(_url("exam_regrade", "exam"), TRAINERS, method="POST"),
        "assessments:certificate_bundle_start": _case(
            _url("certificate_bundle_start", "exam"), TRAINER_HR, method="POST"
        ),
        "assessments:grading_queue": _case(_url("grading_queue"), TRAINERS),
        # Practice: every employee has their own pages; records are the owner's alone.
        "assessments:practice_home": _case(_url("practice_home"), SIGNED_IN_EMPLOYEES),
        "assessments:practice_daily": _case(_url("practice_daily"), SIGNED_IN_EMPLOYEES),
        "assessments:wrong_book": _case(_url("wrong_book"), SIGNED_IN_EMPLOYEES),
        "assessments:practice_feedback": _case(_url("practice_feedback", "practice_answer"), OWN),
        "assessments:wrong_book_item": _case(_url("wrong_book_item", "practice_card"), OWN),
        "assessments:mock_start": _case(_url("mock_start", "exam"), OWN, method="POST"),
        "assessments:team_mastery": _case(_url("team_mastery"), TEAM),
        "assessments:grade_item": _case(
            _url("grade_item", "pending_item"),
            TRAINERS,
            method="POST",
            data=lambda w: {"score": "1"},
        ),
    }


ASSESSMENT_RULE_PREFIXES = (
    "question_categories:",
    "questions:",
    "exams:",
    "attempts:",
    "certificates:",
    "qualification_rules:",
)


def __getattr__(name):  # ASSESSMENT_CASES is built on first use (it imports the matrix)
    if name == "ASSESSMENT_CASES":
        return cases()
    raise AttributeError(name)
