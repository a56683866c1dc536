"""Papers drawn ahead (assessments.services.papers): a formal exam opening soon gets a pool of
drawn, shuffled papers; a start takes one and never the same one twice; a change to the bank
makes the pool stale; the pool is topped up in the background."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import ExamPaper, QuestionType
from assessments.services import papers
from lms.scheduling import scheduled_jobs
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_margin(settings):
    settings.EXAM_PAPERS_MARGIN_PERCENT = 0


@pytest.fixture
def exam(people):
    """Two of the audience; a fixed question and three drawn of six, shuffled."""
    category = af.category()
    singles = [af.question(type=QuestionType.SINGLE, category=category) for _ in range(6)]
    assert len(singles) == 6
    return af.exam(
        questions=[af.question(type=QuestionType.TRUE_FALSE, category=category)],
        audience=[people["employee"], people["colleague"]],
        rules=[{"count": 3, "type": QuestionType.SINGLE, "category": category}],
        shuffle_questions=True,
        shuffle_options=True,
    )


def test_a_pool_holds_the_audience_and_a_margin_at_least_the_floor(exam, settings):
    settings.EXAM_PAPERS_MIN = 5
    settings.EXAM_PAPERS_MARGIN_PERCENT = 50
    assert papers.audience_size(exam) == 2
    assert services.papers_wanted(exam) == 5  # 2 × 1.5 = 3, below the floor
    settings.EXAM_PAPERS_MIN = 1
    assert services.papers_wanted(exam) == 3
    settings.EXAM_PAPERS_MAX = 2
    assert services.papers_wanted(exam) == 2
    settings.EXAM_PAPERS_MAX = 5000
    assert services.papers_fill(exam) == 3
    assert services.pool_size(exam) == 3
    assert services.papers_fill(exam) == 0  # full already
    paper = ExamPaper.objects.filter(exam=exam).first()
    assert len(paper.items) == 4
    assert {item["snapshot"]["type"] for item in paper.items} == {"single", "truefalse"}
    assert all("response" not in item for item in paper.items)  # no answers, nobody's


def test_a_start_takes_a_paper_once_and_copies_it(exam, people, settings):
    settings.EXAM_PAPERS_MIN = 2
    services.papers_fill(exam)
    waiting = {p.pk: p.items for p in ExamPaper.objects.filter(exam=exam)}
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    other = services.attempt_start(exam=exam, employee=people["colleague"])
    assert services.pool_size(exam) == 0
    served = []
    for started in (attempt, other):
        items = [
            {"question": i.question_id, "version": i.question_version, "snapshot": i.snapshot}
            for i in started.items.order_by("position")
        ]
        assert items in waiting.values()
        served.append(items)
    assert served[0] != served[1] or len(waiting) == 1
    # The items are ordinary attempt items: answered and graded as any other.
    item = attempt.items.get(position=1)
    response = [item.snapshot["options"][0]["key"]] if item.snapshot["type"] == "single" else True
    services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": response, "seq": 1}]
    )
    services.attempt_submit(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.score is not None


def test_a_start_with_an_empty_pool_draws_and_asks_for_a_refill(
    exam, people, settings, django_capture_on_commit_callbacks
):
    settings.EXAM_PAPERS_MIN = 5
    services.papers_fill(exam, wanted=1)
    services.attempt_start(exam=exam, employee=people["employee"])
    assert services.pool_size(exam) == 0
    # The next start finds none: it draws as before, and asks the task queue (in-process in
    # tests) to draw the pool up again: the floor of 5, less the two attempts started.
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(exam=exam, employee=people["colleague"])
    assert attempt.items.count() == 4
    assert services.pool_size(exam) == 3
    # Asked once a minute at most.
    ExamPaper.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.paper_take(exam) is None
    assert not callbacks


def test_a_change_to_the_bank_makes_the_pool_stale(exam, people, settings):
    settings.EXAM_PAPERS_MIN = 3
    services.papers_fill(exam)
    question = af.question(type=QuestionType.SINGLE, category=exam.rules.get().category)
    assert services.pool_size(exam) == 0  # drawn under the old generation: never served
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    assert attempt.items.count() == 4
    services.papers_fill(exam)
    assert ExamPaper.objects.filter(exam=exam).count() == services.pool_size(exam) == 2
    assert question  # a paper drawn now may hold it


def test_a_caller_with_its_own_random_source_draws(exam, people, settings):
    import random

    settings.EXAM_PAPERS_MIN = 2
    services.papers_fill(exam)
    services.attempt_start(exam=exam, employee=people["employee"], rng=random.Random(7))
    assert services.pool_size(exam) == 2


def test_practice_and_unpublished_exams_get_no_pool(exam, people):
    practice = af.exam(kind="practice", questions=[af.question()], audience=[people["employee"]])
    later = af.exam(questions=[af.question()], audience=[people["employee"]])
    later.opens_at = timezone.now() + timedelta(days=3)
    later.save()
    hidden = af.exam(questions=[af.question()], audience=[people["employee"]])
    hidden.is_published = False
    hidden.save()
    due = set(services.exams_due_for_papers())
    assert exam in due
    assert not due & {practice, later, hidden}


def test_the_scheduled_fill_draws_for_due_exams_and_clears_the_rest(exam, people, settings):
    settings.EXAM_PAPERS_MIN = 2
    closed = af.exam(questions=[af.question()], audience=[people["employee"]])
    services.papers_fill(closed)
    closed.closes_at = timezone.now() - timedelta(minutes=1)
    closed.opens_at = closed.closes_at - timedelta(hours=1)
    closed.save()
    job = scheduled_jobs()["assessments.fill_exam_papers"]
    assert job.every == timedelta(minutes=settings.EXAM_PAPERS_EVERY_MINUTES)
    drawn = services.papers_fill_due()
    assert drawn == 2
    assert services.pool_size(exam) == 2
    assert not ExamPaper.objects.filter(exam=closed).exists()


def test_publishing_an_exam_draws_its_papers(people, settings, django_capture_on_commit_callbacks):
    settings.EXAM_PAPERS_ON_PUBLISH = True
    settings.EXAM_PAPERS_MIN = 3
    with django_capture_on_commit_callbacks(execute=True):
        exam = af.exam(questions=[af.question()], audience=[people["employee"]])
    assert services.pool_size(exam) == 3


def test_papers_are_off_when_switched_off(exam, people, settings):
    settings.EXAM_PAPERS_MIN = 2
    services.papers_fill(exam)
    settings.EXAM_PAPERS_AHEAD_HOURS = 0
    services.attempt_start(exam=exam, employee=people["employee"])
    assert ExamPaper.objects.filter(exam=exam).count() == 2
    assert not services.exams_due_for_papers().exists()


def test_a_start_from_the_pool_reads_less(client, people, exam, settings):
    """The start request with a paper waiting: no draw plan, no questions read, no snapshot;
    one statement takes the paper."""
    settings.EXAM_PAPERS_MIN = 2
    login(client, people["employee"])
    url = reverse("assessments:attempt_start", args=[exam.pk])
    services.papers_fill(exam)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response.status_code == 302
    statements = [q["sql"] for q in queries.captured_queries]
    assert sum("assessments_exampaper" in sql for sql in statements) == 1
    assert not any('FROM "assessments_question"' in sql for sql in statements)


@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked, reason="PostgreSQL: SKIP LOCKED"
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_never_share_a_paper(settings, company):
    """Twelve examinees start at once from six threads: every paper served at most once."""
    import threading

    from django.db import close_old_connections

    from tests.factories import employee as make_employee

    settings.EXAM_PAPERS_MIN = 12
    people = [make_employee(department=company["root"]) for _ in range(12)]
    category = af.category()
    for _ in range(8):
        af.question(type=QuestionType.SINGLE, category=category, points=Decimal(5))
    exam = af.exam(
        audience=people,
        rules=[{"count": 5, "type": QuestionType.SINGLE, "category": category}],
        shuffle_questions=True,
    )
    services.papers_fill(exam)
    pending = list(people)
    lock = threading.Lock()
    errors = []

    def work():
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    person = pending.pop()
                services.attempt_start(exam=exam, employee=person)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert services.pool_size(exam) == 0
    drawn = [
        tuple(exam.attempts.get(employee=p).items.order_by("position").values_list(
            "question_id", flat=True
        ))
        for p in people
    ]  # fmt: skip
    assert len(drawn) == 12 and all(len(items) == 5 for items in drawn)


def test_the_attempt_page_shares_unanswered_questions_from_the_cache(
    client, people, settings, monkeypatch
):
    """Two attempts that show the same questions render them once: the fragment holds the
    question, not the attempt (its item id and position are filled in per page), and an
    answered question is rendered with its answer, never from the cache."""
    from assessments import fragments

    rendered = []
    render = fragments.render_to_string
    monkeypatch.setattr(
        fragments, "render_to_string", lambda *a, **k: rendered.append(1) or render(*a, **k)
    )

    question = af.question(type=QuestionType.SINGLE)
    other = af.question(type=QuestionType.TRUE_FALSE)
    exam = af.exam(questions=[question, other], audience=[people["employee"], people["colleague"]])
    first = services.attempt_start(exam=exam, employee=people["employee"])
    second = services.attempt_start(exam=exam, employee=people["colleague"])
    pages = {}
    for person, attempt in ((people["employee"], first), (people["colleague"], second)):
        login(client, person)
        pages[attempt.pk] = client.get(
            reverse("assessments:attempt_page", args=[attempt.pk])
        ).content.decode()
    assert len(rendered) == 2  # two questions, rendered once, shared by both attempts
    for attempt in (first, second):
        page = pages[attempt.pk]
        assert fragments.ID_MARK not in page and fragments.POSITION_MARK not in page
        for item in attempt.items.all():
            assert f'data-item="{item.pk}"' in page
            assert f'name="q{item.pk}"' in page
    # Rendered straight, the page is the same.
    settings.ASSESSMENTS_QUESTION_HTML_SECONDS = 0

    def questions(page):
        return page[page.index("<fieldset") : page.index('id="submit-button"')]

    straight = client.get(reverse("assessments:attempt_page", args=[second.pk])).content.decode()
    assert questions(straight) == questions(pages[second.pk])
    # An answer is the examinee's own: that question is rendered, not shared.
    settings.ASSESSMENTS_QUESTION_HTML_SECONDS = 3600
    item = second.items.get(question=other)
    services.attempt_save_answers(
        attempt=second, answers=[{"item": item.pk, "response": True, "seq": 1}]
    )
    page = client.get(reverse("assessments:attempt_page", args=[second.pk])).content.decode()
    assert 'value="true" checked' in page
    assert len(rendered) == 2 + 2 + 1  # two straight, then only the answered one
