import datetime
import io
import zipfile
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from pypdf import PdfReader
from wagtail import hooks

from careers.archive import hours_ledger
from lms.hooks import ARCHIVE_SOURCE_HOOK, ArchiveEntry
from lms.models import BackgroundJob
from tests import factories as f
from tests.conftest import login, with_session


def fake_source(count, year=2026):
    def source(employee, *, year=None):
        return [
            ArchiveEntry(
                date=datetime.date(2026 if n % 2 else 2025, 1 + n % 12, 1 + n % 28),
                category="training" if n % 3 else "attendance",
                title=f"配网运维培训第{n}期",
                detail="城关供电所",
                hours=Decimal(4),
                score=Decimal(88) if n % 5 == 0 else None,
                url=f"/learning/c/{n}/",
                source="test",
            )
            for n in range(count)
        ]

    return source


def test_ledger_converts_categories_and_checks_minimums(db, settings):
    settings.TRAINING_HOURS_MIN_TOTAL = 20
    settings.TRAINING_HOURS_MIN_PROFESSIONAL = 10
    settings.TRAINING_HOURS_MIN_COMPULSORY = 10
    day = datetime.date(2026, 3, 1)
    entries = [
        ArchiveEntry(day, "training", "a", hours=Decimal(8)),
        ArchiveEntry(day, "training", "b", hours=Decimal(4)),
        ArchiveEntry(day, "attendance", "c", hours=Decimal(3)),
        ArchiveEntry(day, "exam", "安规考试"),  # no hours recorded: 2 h by the default table
        ArchiveEntry(day, "drill", "防汛演练"),  # 4 h professional
        ArchiveEntry(day, "appraisal", "考核"),  # counts nothing
    ]
    total, professional, compulsory = hours_ledger(entries)
    assert professional.hours == Decimal(16) and professional.met
    assert compulsory.hours == Decimal(5) and not compulsory.met
    assert compulsory.missing == Decimal(5)
    assert total.hours == Decimal(21) and total.met


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("employee", "employee", HTTPStatus.OK),
        ("employee", "colleague", HTTPStatus.NOT_FOUND),
        ("manager", "employee", HTTPStatus.OK),
        ("manager", "outsider", HTTPStatus.NOT_FOUND),
        ("other_manager", "employee", HTTPStatus.NOT_FOUND),
        ("hr", "outsider", HTTPStatus.OK),
        ("trainer", "employee", HTTPStatus.NOT_FOUND),
        ("coordinator", "employee", HTTPStatus.NOT_FOUND),
    ],
)
def test_archive_page_and_pdf_scope(client, people, who, target, status):
    login(client, people[who])
    pk = people[target].pk
    assert client.get(reverse("careers:archive", args=[pk])).status_code == status
    if status == HTTPStatus.NOT_FOUND:
        assert client.get(reverse("careers:archive_pdf", args=[pk])).status_code == status


def test_archive_page_works_with_no_sources(client, people):
    login(client, people["employee"])
    response = client.get(reverse("careers:archive", args=[people["employee"].pk]))
    assert response.status_code == HTTPStatus.OK
    assert response.context["entries"] == []


def test_archive_page_filters_by_year(client, people):
    login(client, people["hr"])
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, fake_source(10)):
        response = client.get(
            reverse("careers:archive", args=[people["employee"].pk]), {"year": 2025}
        )
    entries = response.context["entries"]
    assert len(entries) == 5 and {e.date.year for e in entries} == {2025}
    assert response.context["ledger_year"] == 2025


@pytest.mark.parametrize("count", [10, 100])
def test_archive_page_query_count(client, people, django_assert_num_queries, count, monkeypatch):
    """Careers' own work: the other apps' archive sources each cost their own fixed queries."""
    from careers import wagtail_hooks as careers_hooks
    from lms import hooks as lms_hooks

    real = lms_hooks.hooks.get_hooks
    source = fake_source(count)
    monkeypatch.setattr(
        lms_hooks.hooks,
        "get_hooks",
        lambda name: (
            [careers_hooks.register_careers_archive_source, source]
            if name == ARCHIVE_SOURCE_HOOK
            else real(name)
        ),
    )
    login(client, people["hr"])
    url = reverse("careers:archive", args=[people["employee"].pk])
    client.get(url)
    with django_assert_num_queries(with_session(5)):
        response = client.get(url)
    assert len(response.context["entries"]) == count


def test_archive_page_with_every_source_costs_the_same_at_n_and_10n(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, people["hr"])
    url = reverse("careers:archive", args=[people["employee"].pk])
    counts = []
    for size in (10, 100):
        with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, fake_source(size)):
            client.get(url)
            with CaptureQueriesContext(connection) as context:
                client.get(url)
        counts.append(len(context))
    assert counts[0] == counts[1]


# The portal page: permissions (2) of the user (its roles and employee profile come with the
# cached account, lms.auth); departments in scope, the count and the page of employees
# (careers.views.archive_search). The admin screen runs the same, plus the admin's furniture:
# locales, page and collection permissions.
ARCHIVE_LIST_QUERIES = {"careers:archive_index": 3, "careers_admin_archives": 8}


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("name", sorted(ARCHIVE_LIST_QUERIES))
def test_archive_index_query_count(client, people, company, django_assert_num_queries, count, name):
    for _ in range(count):
        f.employee(department=company["team_a"])
    login(client, people["hr"])
    url = reverse(name)
    client.get(url)
    with django_assert_num_queries(with_session(ARCHIVE_LIST_QUERIES[name])):
        response = client.get(url, {"department": company["team_a"].pk})
    assert len(response.context["page"].object_list) == min(count + 1, 50)
    assert response.content.decode().count('href="/careers/archive/') >= min(count + 1, 50)


def test_archive_index_scope(client, people):
    login(client, people["manager"])
    response = client.get(reverse("careers:archive_index"))
    numbers = {e.number for e in response.context["page"]}
    assert numbers == {"E1", "E2", "M1"}
    login(client, people["employee"])
    response = client.get(reverse("careers:archive_index"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("careers:archive", args=[people["employee"].pk])


def test_archive_pdf_is_chinese_and_paginated(client, people, caplog):
    login(client, people["employee"])
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, fake_source(120)):
        with caplog.at_level("WARNING", logger="weasyprint"):
            response = client.get(reverse("careers:archive_pdf", args=[people["employee"].pk]))
    # WeasyPrint found nothing in our stylesheets to warn about (a screen-only media query in
    # the PDF's stylesheet once cost two log lines per archive, 600 per department zip).
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    text = reader.pages[0].extract_text()
    assert "员工甲" in text and "配网运维培训" in text
    # The page footer numbers every page: "1 / N".
    assert f"1 / {len(reader.pages)}" in text


def test_department_zip_is_built_in_the_background_with_progress(
    client, people, company, django_capture_on_commit_callbacks
):
    login(client, people["manager"])
    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, fake_source(3)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("careers:archive_zip"), {"department": company["branch"].pk}
            )
    assert response.status_code == HTTPStatus.FOUND
    export = BackgroundJob.objects.get()
    assert response.url == reverse("lms_jobs:detail", args=[export.pk])
    assert (export.kind, export.status, export.total, export.done) == (
        "careers.archive_zip",
        "done",
        3,
        3,
    )
    status = client.get(response.url)
    assert status.context["job"].percent == 100
    download = client.get(reverse("lms_jobs:download", args=[export.pk]))
    content = b"".join(download.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sorted(names) == sorted(
        f"{e.number}-{e.name}.pdf"
        for e in (people["employee"], people["colleague"], people["manager"])
    )
    # Someone else's export is not theirs to see (HR sees every job).
    login(client, people["other_manager"])
    assert client.get(status.request["PATH_INFO"]).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("who", ["employee", "other_manager", "trainer"])
def test_department_zip_refused_outside_scope(client, people, company, who):
    login(client, people[who])
    response = client.post(reverse("careers:archive_zip"), {"department": company["branch"].pk})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not BackgroundJob.objects.exists()


def test_portal_archive_panel_shows_ledger(client, people):
    login(client, people["employee"])
    response = client.get(reverse("portal:section", args=["archive"]))
    html = response.content.decode()
    assert 'data-testid="ledger-total"' in html
    assert reverse("careers:archive_pdf", args=[people["employee"].pk]) in html


# --- every counted hour on a row, and which results earn hours ------------------------------


def _sat(employee, *, kind, passed, timed_out):
    """A graded attempt: right or wrong, submitted by the employee or when time ran out."""
    from django.utils import timezone

    from assessments import services as exam_services
    from assessments.models import QuestionType
    from tests.factories import assessments as af

    exam = af.exam(
        questions=[af.question(type=QuestionType.SINGLE, answer=["B"])],
        audience=[employee],
        kind=kind,
        time_limit_minutes=5,
        pass_mark=Decimal(60),
    )
    started = timezone.now() - datetime.timedelta(minutes=30 if timed_out else 1)
    attempt = exam_services.attempt_start(exam=exam, employee=employee, now=started)
    item = attempt.items.get()
    exam_services.attempt_save_answers(
        attempt=attempt,
        answers=[{"item": item.pk, "response": ["B" if passed else "A"], "seq": 1}],
        now=started,
    )
    if timed_out:
        exam_services.attempts_submit_overdue()
    else:
        exam_services.attempt_submit(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.auto_submitted == timed_out and attempt.passed == passed
    return attempt


def _page_rows_and_ledger(client, employee):
    import re

    page = client.get(reverse("careers:archive", args=[employee.pk]))
    html = page.content.decode()
    year = str(page.context["ledger_year"])
    rows = [
        Decimal(hours)
        for hours, row_year in re.findall(r'data-hours="([^"]+)" data-year="(\d{4})"', html)
        if row_year == year
    ]
    return html, rows, page.context["ledger"][0].hours


def test_archive_rows_add_up_to_the_ledger_and_failed_practice_earns_nothing(client, people):
    """Exam and drill hours are credited by the rules without hours of their own: each row says
    what it earned, the rows of the year add up to the ledger's total, and a failed practice
    attempt (timed out or not) earns none by default."""
    employee = people["employee"]
    _sat(employee, kind="practice", passed=False, timed_out=True)
    _sat(employee, kind="practice", passed=False, timed_out=False)
    _sat(employee, kind="practice", passed=True, timed_out=False)
    _sat(employee, kind="formal", passed=True, timed_out=False)
    login(client, people["hr"])
    html, rows, total = _page_rows_and_ledger(client, employee)
    assert sum(rows) == total
    # Default rules: a passed practice or formal exam earns 2 h (exams carry no hours of their
    # own), the two failures nothing, and each says so on its row.
    assert sorted(rows) == [0, 0, 2, 2]
    assert html.count("不计学时") == 2 and html.count("2 学时 · 必修") == 2
    assert total == Decimal(4)


def test_hr_reads_and_changes_which_results_earn_hours(client, people):
    from careers.models import TrainingHoursRule

    employee = people["employee"]
    _sat(employee, kind="practice", passed=False, timed_out=True)
    rule = TrainingHoursRule.objects.get(category="exam")
    login(client, people["hr"])
    listing = client.get(reverse("careers_hours_rules:index")).content.decode()
    assert "练习未通过（超时自动交卷）" in listing
    response = client.post(
        reverse("careers_hours_rules:edit", args=[rule.pk]),
        {
            "category": "exam",
            "counts_as": "compulsory",
            "factor": "1",
            "default_hours": "2",
            "no_hours_for": ["practice_failed"],  # a timed-out failure now earns its hours
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert TrainingHoursRule.objects.get(pk=rule.pk).no_hours_for == ["practice_failed"]
    _html, rows, total = _page_rows_and_ledger(client, employee)
    assert rows == [Decimal(2)] and total == Decimal(2)


def test_admin_archive_list_scope(client, people):
    login(client, people["manager"])
    response = client.get(reverse("careers_admin_archives"))
    assert {e.number for e in response.context["page"]} == {"E1", "E2", "M1"}


def test_archive_rows_are_plain_text_on_two_lines(people):
    """A record's detail is a second line of plain text, not a <br> and a <span>: WeasyPrint
    lays out a 300-record archive in about 40 % less time so (bench/archive_pdf.py)."""
    import datetime
    from decimal import Decimal

    from django.template.loader import render_to_string
    from wagtail import hooks

    from careers.archive import archive_context
    from lms.hooks import ARCHIVE_SOURCE_HOOK, ArchiveEntry

    def source(employee, *, year=None):
        return [
            ArchiveEntry(
                date=datetime.date(2026, 3, 1),
                category="training",
                title="《电力安全工作规程》配电部分培训",
                detail="城关供电所 · 集中培训",
                hours=Decimal(4),
                score=Decimal(90),
                url="/x/",
                source="test",
            )
        ]

    with hooks.register_temporarily(ARCHIVE_SOURCE_HOOK, source):
        html = render_to_string("careers/pdf/archive.html", archive_context(people["employee"]))
    records = html[html.index('<table class="records">') :]
    assert "《电力安全工作规程》配电部分培训\n城关供电所 · 集中培训</td>" in records
    assert "<br>" not in records and "<span" not in records
