"""Exam results, certificates, their public verification and qualifications in the REST API
(assessments/api.py)."""

from http import HTTPStatus

import pytest
from django.test import Client

from assessments import services
from assessments.models import Certificate, QualificationRule, QuestionType
from tests import factories as f
from tests.conftest import api_client
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def passed_exam(employees, **fields):
    """An exam with one single-choice question, sat and passed by each of ``employees``."""
    question = af.question(type=QuestionType.SINGLE, answer=["A"])
    exam = af.exam(
        questions=[question], audience=employees, certificate_title="安规合格证", **fields
    )
    for employee in employees:
        attempt = services.attempt_start(exam=exam, employee=employee)
        item = attempt.items.get()
        services.attempt_save_answers(
            attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
        )
        services.attempt_submit(attempt=attempt)
    return exam


def qualification_rule(*, exams, **fields):
    # Rules are admin-made records without a service (as in test_results.py).
    rule = QualificationRule(**fields)
    rule.save()
    rule.exams.set(exams)
    rule.save()  # a ParentalManyToManyField is written when its ClusterableModel is saved
    return rule


def test_results_and_certificates_of_an_employee(people):
    exam = passed_exam([people["employee"], people["colleague"]])
    api = api_client(people["employee"])
    results = api.get("/api/v1/exam-results/").json()["results"]
    assert [(r["employee"], r["exam_id"], r["passed"], r["status"]) for r in results] == [
        ("E1", exam.pk, True, "graded")
    ]
    certificates = api.get("/api/v1/certificates/").json()["results"]
    assert [(c["employee"], c["status"]) for c in certificates] == [("E1", "valid")]


def test_an_open_attempt_is_no_result_and_an_ungraded_one_shows_no_score(people):
    essay = af.question(type=QuestionType.ESSAY)
    exam = af.exam(questions=[essay], audience=[people["employee"]])
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    api = api_client(people["hr"])
    assert api.get("/api/v1/exam-results/").json()["results"] == []
    services.attempt_submit(attempt=attempt)
    (result,) = api.get("/api/v1/exam-results/").json()["results"]
    assert result["status"] == "submitted" and result["score"] is None and result["passed"] is None


def test_public_verification_by_code_says_what_the_check_page_says(people):
    passed_exam([people["employee"]])
    certificate = Certificate.objects.get()
    response = Client().get(f"/api/v1/certificates/verify/{certificate.code.lower()}")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "code": certificate.code,
        "holder": people["employee"].name,
        "title": "安规合格证",
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "status": "valid",
    }
    services.certificate_revoke(certificate=certificate, reason="作弊")
    assert Client().get(f"/api/v1/certificates/verify/{certificate.code}").json()["status"] == (
        "revoked"
    )
    assert Client().get("/api/v1/certificates/verify/NOSUCHCODE").status_code == 404


def test_a_revoked_certificate_shows_up_in_an_incremental_sync(people, clock):
    import datetime

    from django.utils import timezone

    passed_exam([people["employee"]])
    certificate = Certificate.objects.get()
    clock.shift(datetime.timedelta(minutes=5))
    since = timezone.now()
    api = api_client(people["hr"])
    assert api.get("/api/v1/certificates/", {"updated_since": since}).json()["results"] == []
    services.certificate_revoke(certificate=certificate, reason="作弊")
    (row,) = api.get("/api/v1/certificates/", {"updated_since": since}).json()["results"]
    assert row["status"] == "revoked" and row["revoked_reason"] == "作弊"


def test_qualifications_per_employee(people):
    exam = passed_exam([people["employee"]])
    rule = qualification_rule(name="安规年度考试", exams=[exam], valid_months=12)
    rows = api_client(people["manager"]).get("/api/v1/qualifications/").json()["results"]
    standing = {row["employee"]: row["qualifications"] for row in rows}
    assert set(standing) == {"E1", "E2", "M1"}
    assert [(q["rule_id"], q["status"]) for q in standing["E1"]] == [(rule.pk, "valid")]
    assert [(q["rule_id"], q["status"]) for q in standing["E2"]] == [(rule.pk, "lapsed")]
    own = api_client(people["coordinator"]).get("/api/v1/qualifications/").json()["results"]
    assert [row["employee"] for row in own] == ["C1"]


# The token with its owner (1), the owner's roles (1), the page (1); qualifications add the
# rules with their exams and posts (3), the passes (1) and, as this rule asks about absences,
# the absences (1).
QUERIES = {"exam-results": 3, "certificates": 3, "qualifications": 8}


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("what", sorted(QUERIES))
def test_list_query_counts(people, company, django_assert_num_queries, count, what):
    employees = [f.employee(department=company["team_a"]) for _n in range(count)]
    exam = passed_exam(employees)
    qualification_rule(name="安规", exams=[exam], valid_months=12, return_after_months=3)
    api = api_client(people["hr"])
    api.get(f"/api/v1/{what}/")  # the token's first use records when it was used
    with django_assert_num_queries(QUERIES[what]):
        response = api.get(f"/api/v1/{what}/", {"page_size": 1000})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) >= count
