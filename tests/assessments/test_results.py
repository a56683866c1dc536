from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from assessments import qualifications, services, statistics
from assessments.integrations import compute_average_score, compute_pass_rate
from assessments.models import Certificate, QualificationRule, QuestionType
from lms.hooks import appraisal_indicator_sources, archive_entries
from lms.models import BackgroundJob
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import employee as make_employee

pytestmark = pytest.mark.django_db


sit = af.sit


@pytest.fixture
def certified_exam(people):
    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(4)]
    return af.exam(
        questions=questions,
        audience=[people["employee"], people["colleague"]],
        pass_mark=80,
        certificate_title="安全规程考试合格证",
        certificate_valid_months=12,
        review_policy="after_submit",
    )


def test_passing_issues_a_certificate_with_a_pdf_and_a_check_page(client, people, certified_exam):
    attempt = sit(certified_exam, people["employee"], "AAAA")
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.expires_on == services.add_months(certificate.issued_on, 12)
    login(client, people["employee"])
    response = client.get(reverse("assessments:certificate_pdf", args=[certificate.code]))
    assert response.status_code == HTTPStatus.OK
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "安全规程考试合格证" in text and certificate.code in text
    assert people["employee"].name in text
    login(client, people["colleague"])
    assert (
        client.get(reverse("assessments:certificate_pdf", args=[certificate.code])).status_code
        == 404
    )
    client.logout()
    check = client.get(reverse("assessments:certificate_check", args=[certificate.code]))
    body = check.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert check.status_code == HTTPStatus.OK
    assert people["employee"].name in body and "安全规程考试合格证" in body
    assert people["employee"].number not in body and str(attempt.score) not in body
    assert client.get(reverse("assessments:certificate_check", args=["NOPE"])).status_code == 404


def test_failing_issues_no_certificate(people, certified_exam):
    attempt = sit(certified_exam, people["employee"], "ABBB")
    assert attempt.passed is False
    assert not Certificate.objects.exists()


def test_certificate_status_expired_and_revoked(people, certified_exam):
    certificate = Certificate.objects.get(attempt=sit(certified_exam, people["employee"], "AAAA"))
    assert certificate.status() == "valid"
    assert certificate.status(today=certificate.expires_on + timedelta(days=1)) == "expired"
    services.certificate_revoke(certificate=certificate, reason="作弊")
    assert certificate.status() == "revoked"
    with pytest.raises(Exception, match="already revoked|已被撤销"):
        services.certificate_revoke(certificate=certificate, reason="again")


def test_regrade_after_a_key_correction_updates_results_certificates_and_audit(
    people, certified_exam
):
    first = certified_exam.fixed_questions.first().question
    passed = sit(certified_exam, people["employee"], "AAAA")
    failed = sit(certified_exam, people["colleague"], "BAAA")
    assert passed.passed and not failed.passed
    services.question_update(question=first, answer=["B"])
    changed = services.exam_regrade(exam=certified_exam, question=first)
    passed.refresh_from_db(), failed.refresh_from_db()
    assert changed == 2
    assert passed.score == Decimal(3) and passed.passed is False
    assert failed.score == Decimal(4) and failed.passed is True
    assert Certificate.objects.get(attempt=failed).status() == "valid"
    assert Certificate.objects.get(attempt=passed).status() == "revoked"
    assert ModelLogEntry.objects.filter(action="assessments.regraded").count() == 2
    # Correct it back: each gets their first result again.
    services.question_update(question=first, answer=["A"])
    services.exam_regrade(exam=certified_exam, question=first)
    assert Certificate.objects.get(attempt=failed).status() == "revoked"
    assert Certificate.objects.get(attempt=passed).status() == "valid"


def test_report_statistics(people, company):
    employees = [make_employee(department=company["team_a"]) for _ in range(10)]
    questions = [af.question(type=QuestionType.SINGLE, answer=["A"]) for _ in range(3)]
    exam = af.exam(questions=questions, audience=employees, pass_mark=60)
    # Question 1 separates strong from weak candidates; question 3 everyone gets right.
    patterns = ["AAA"] * 5 + ["BBA"] * 5
    for employee, pattern in zip(employees, patterns, strict=True):
        sit(exam, employee, pattern)
    report = statistics.exam_report(exam)
    assert report["count"] == 10 and report["passed"] == 5 and report["pass_rate"] == 50.0
    assert report["mean"] == pytest.approx(66.7, abs=0.1)
    assert report["std_dev"] == pytest.approx(33.3, abs=0.1)
    by_question = {row["question"].pk: row for row in report["items"]}
    assert by_question[questions[0].pk]["facility"] == 0.5
    assert by_question[questions[0].pk]["discrimination"] == 1.0
    assert by_question[questions[2].pk]["discrimination"] == 0.0
    assert by_question[questions[2].pk]["poor"] is True
    assert by_question[questions[0].pk]["poor"] is False
    assert report["by_department"] == [
        {"name": company["team_a"].name, "count": 10, "passed": 5, "rate": 50.0}
    ]
    assert statistics.flag_poor_questions(exam) == 1
    questions[2].refresh_from_db()
    assert questions[2].flagged


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("trainer", 200),
        ("hr", 200),
        ("employee", 403),
        ("manager", 403),
    ],
)
def test_report_and_exports_by_role(client, people, certified_exam, role, status):
    sit(certified_exam, people["employee"], "AAAA")
    login(client, people[role])
    assert (
        client.get(reverse("assessments:exam_report", args=[certified_exam.pk])).status_code
        == status
    )
    for what in ("results", "responses"):
        response = client.get(reverse("assessments:exam_export", args=[certified_exam.pk, what]))
        assert response.status_code == status
        if status == 200:
            sheet = load_workbook(BytesIO(response.content)).active
            assert sheet.max_row == (2 if what == "results" else 5)
            assert sheet["A2"].value == people["employee"].number


def test_grading_methods(people):
    exam = af.exam(
        questions=[af.question(answer=["A"]), af.question(answer=["A"])],
        audience=[people["employee"]],
        max_attempts=3,
        grading_method="first",
    )
    attempts = [sit(exam, people["employee"], p) for p in ("AB", "AA", "BB")]
    assert statistics.result_of(exam, attempts) == Decimal(50)
    exam.grading_method = "highest"
    assert statistics.result_of(exam, attempts) == Decimal(100)
    exam.grading_method = "last"
    assert statistics.result_of(exam, attempts) == Decimal(0)
    exam.grading_method = "average"
    assert statistics.result_of(exam, attempts) == Decimal(50)


def test_archive_entries_and_indicators(people, company, certified_exam):
    sit(certified_exam, people["employee"], "AAAA")
    sit(certified_exam, people["colleague"], "BBBB")
    entries = archive_entries(people["employee"])
    assert {e.category for e in entries} == {"exam", "certificate"}
    sources = appraisal_indicator_sources()
    assert {"assessments.exam_average_score", "assessments.exam_pass_rate"} <= set(sources)
    today = timezone.localdate()
    scores = compute_average_score(today, today, [people["employee"].pk, people["colleague"].pk])
    assert scores[people["employee"].pk].value == Decimal(100)
    assert scores[people["colleague"].pk].value == Decimal(0)
    rates = compute_pass_rate(today, today, [company["branch"].pk, company["other"].pk])
    assert rates[company["branch"].pk].value == Decimal(50) and company["other"].pk not in rates


def test_qualification_standings(people, certified_exam):
    rule = QualificationRule.objects.create(name="年度安规考试", valid_months=12, expiring_days=30)
    rule.exams.add(certified_exam)
    rule.save()
    sit(certified_exam, people["employee"], "AAAA")
    today = timezone.localdate()
    result = qualifications.standings([people["employee"], people["colleague"]], today=today)
    assert result[people["employee"].pk][0].status == "valid"
    assert result[people["colleague"].pk][0].status == "lapsed"
    soon = services.add_months(today, 12) - timedelta(days=10)
    later = services.add_months(today, 12) + timedelta(days=1)
    assert (
        qualifications.standings([people["employee"]], today=soon)[people["employee"].pk][0].status
        == "expiring"
    )
    assert (
        qualifications.standings([people["employee"]], today=later)[people["employee"].pk][0].status
        == "lapsed"
    )


def _absence(employee, start, end=None):
    from lms import services as lms_services

    return lms_services.absence_record(
        employee=employee, kind="secondment", start_date=start, end_date=end
    )


@pytest.fixture
def return_rule(certified_exam):
    rule = QualificationRule.objects.create(
        name="年度安规考试", valid_months=12, expiring_days=30, return_after_months=3
    )
    rule.exams.add(certified_exam)
    rule.save()
    return rule


def test_long_absence_after_the_pass_needs_a_new_pass(people, certified_exam, return_rule):
    sit(certified_exam, people["employee"], "AAAA")
    today = timezone.localdate()
    absence = _absence(people["employee"], today + timedelta(days=1), today + timedelta(days=100))
    later = today + timedelta(days=150)  # back at work, pass still within 12 months
    [standing] = qualifications.standings([people["employee"]], today=later)[people["employee"].pk]
    assert standing.status == "lapsed" and standing.needs_reexamination
    assert standing.absence == absence
    assert "须重新考试合格后方可返岗" in qualifications.reexamination_note(standing)
    # The same record without the absence rule: the pass still counts.
    return_rule.return_after_months = None
    return_rule.save()
    [standing] = qualifications.standings([people["employee"]], today=later)[people["employee"].pk]
    assert standing.status == "valid" and not standing.needs_reexamination


def test_short_absence_does_not_matter(people, certified_exam, return_rule):
    sit(certified_exam, people["employee"], "AAAA")
    today = timezone.localdate()
    _absence(people["employee"], today + timedelta(days=1), today + timedelta(days=80))
    later = today + timedelta(days=150)
    [standing] = qualifications.standings([people["employee"]], today=later)[people["employee"].pk]
    assert standing.status == "valid"


def test_still_away_for_months_is_lapsed_until_passed_again(people, certified_exam, return_rule):
    sit(certified_exam, people["employee"], "AAAA")
    today = timezone.localdate()
    _absence(people["employee"], today + timedelta(days=1))  # still away
    [standing] = qualifications.standings([people["employee"]], today=today + timedelta(days=60))[
        people["employee"].pk
    ]
    assert standing.status == "valid"  # away two months: not yet long enough
    [standing] = qualifications.standings([people["employee"]], today=today + timedelta(days=100))[
        people["employee"].pk
    ]
    assert standing.status == "lapsed" and standing.needs_reexamination


def test_pass_after_leaving_counts(people, certified_exam, return_rule):
    today = timezone.localdate()
    _absence(people["colleague"], today - timedelta(days=200), today - timedelta(days=90))
    sit(certified_exam, people["colleague"], "AAAA")  # re-examined on return
    [standing] = qualifications.standings([people["colleague"]])[people["colleague"].pk]
    assert standing.status == "valid" and not standing.needs_reexamination


def test_reexamination_shows_to_employee_and_manager_and_in_export(
    client, people, certified_exam, return_rule, clock
):
    clock.shift(-timedelta(days=220))
    sit(certified_exam, people["employee"], "AAAA")  # passed before leaving the post
    clock.shift(timedelta(days=220))
    today = timezone.localdate()
    _absence(people["employee"], today - timedelta(days=200), today - timedelta(days=30))
    login(client, people["employee"])
    page = client.get(reverse("assessments:my_qualifications")).content.decode()
    assert "离岗" in page and "须重新考试合格后方可返岗" in page
    login(client, people["manager"])
    xlsx = client.get(reverse("assessments:team_qualifications") + "?format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "须重新考试合格后方可返岗" in rows["E1"][8]  # the note says why
    assert not rows["E2"][8]


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("hr", 200), ("employee", 403)])
def test_team_qualifications_by_role(client, people, role, status):
    login(client, people[role])
    response = client.get(reverse("assessments:team_qualifications"))
    assert response.status_code == status
    if role == "manager":
        numbers = [e.number for e, _s in response.context["rows"]]
        assert people["employee"].number in numbers and people["outsider"].number not in numbers
        xlsx = client.get(reverse("assessments:team_qualifications") + "?format=xlsx")
        assert xlsx.status_code == 200


def test_portal_panel_shows_open_exams(client, people, certified_exam):
    login(client, people["employee"])
    response = client.get("/my/exams/")
    assert certified_exam.title in response.content.decode()
    assert client.get(reverse("assessments:my_qualifications")).status_code == 200


def test_regrade_button_uses_the_banks_current_keys(client, people, certified_exam):
    first = certified_exam.fixed_questions.first().question
    attempt = sit(certified_exam, people["employee"], "BAAA")
    assert not attempt.passed
    services.question_update(question=first, answer=["B"])
    login(client, people["employee"])
    url = reverse("assessments:exam_regrade", args=[certified_exam.pk])
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    login(client, people["trainer"])
    assert client.post(url).status_code == HTTPStatus.FOUND
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == Decimal(4)
    listing = client.get("/admin/assessments/exams/")
    assert reverse("assessments:exam_report", args=[certified_exam.pk]) in listing.content.decode()


def test_certificate_zip_is_built_in_the_background(
    client, people, certified_exam, django_capture_on_commit_callbacks
):
    import zipfile

    sit(certified_exam, people["employee"], "AAAA")
    sit(certified_exam, people["colleague"], "AAAA")
    login(client, people["employee"])
    url = reverse("assessments:certificate_bundle_start", args=[certified_exam.pk])
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    login(client, people["trainer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == HTTPStatus.FOUND
    job = BackgroundJob.objects.get()
    assert response.url == reverse("lms_jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.done, job.total) == (
        "assessments.certificate_bundle",
        "done",
        2,
        2,
    )
    page = client.get(response.url)
    assert 'value="100"' in page.content.decode()
    download = client.get(reverse("lms_jobs:download", args=[job.pk]))
    archive = zipfile.ZipFile(BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 2


def test_expiry_reminders_are_sent_once(people, certified_exam, mailoutbox, settings):
    settings.ASSESSMENTS_CERTIFICATE_REMINDER_DAYS = 30
    certificate = Certificate.objects.get(attempt=sit(certified_exam, people["employee"], "AAAA"))
    before = certificate.expires_on - timedelta(days=31)
    assert services.certificates_remind_expiring(today=before) == 0
    inside = certificate.expires_on - timedelta(days=10)
    assert services.certificates_remind_expiring(today=inside) == 1
    assert services.certificates_remind_expiring(today=inside) == 0


def test_key_correction_reaches_open_attempts_too(people, certified_exam):
    first = certified_exam.fixed_questions.first().question
    attempt = services.attempt_start(exam=certified_exam, employee=people["employee"])
    services.question_update(question=first, answer=["B"])
    services.exam_regrade(exam=certified_exam, question=first)
    attempt.refresh_from_db()
    assert attempt.is_open
    items = list(attempt.items.order_by("position"))
    services.attempt_save_answers(
        attempt=attempt,
        answers=[
            {"item": item.pk, "response": ["B" if item.question_id == first.pk else "A"], "seq": 1}
            for item in items
        ],
    )
    assert services.attempt_submit(attempt=attempt).score == Decimal(4)


def test_never_passed_is_not_obtained_and_needs_no_re_examination(
    client, people, certified_exam, return_rule
):
    today = timezone.localdate()
    _absence(people["employee"], today - timedelta(days=200), today - timedelta(days=30))
    [standing] = qualifications.standings([people["employee"]])[people["employee"].pk]
    assert standing.status == "lapsed"  # not fit for duty …
    assert not standing.needs_reexamination  # … but nothing to re-sit: never held
    login(client, people["manager"])
    page = client.get(reverse("assessments:team_qualifications")).content.decode()
    assert "未取得" in page and "须重新考试" not in page and "已失效" not in page


def test_certificate_says_the_exam_was_taken_when_it_was_not_when_it_was_graded(people, clock):
    from django.template.loader import render_to_string

    essay = af.question(type=QuestionType.ESSAY, points=Decimal(10))
    exam = af.exam(
        questions=[essay],
        audience=[people["employee"]],
        pass_mark=60,
        certificate_title="论述考试合格证",
        certificate_valid_months=12,
    )
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    item = attempt.items.get()
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": "答案", "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    taken = timezone.localdate()
    clock.shift(timedelta(days=3))  # graded three days later: the certificate is issued then
    item.refresh_from_db()
    services.item_grade(item=item, score=Decimal(9), comment="", grader=people["trainer"].user)
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.issued_on == taken + timedelta(days=3)
    html = render_to_string(
        "assessments/pdf/certificate.html",
        {"certificate": certificate, "employee": people["employee"], "company": ""},
    )
    assert f"于 {taken.isoformat()} 参加" in html
