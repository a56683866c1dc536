import json
import random
import re
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Attempt, AttemptError, AttemptItem, QuestionType
from assessments.tasks import submit_overdue_attempts
from lms.roles import Role
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories import employee as make_employee

pytestmark = pytest.mark.django_db

SECRET = "ZQX密钥答案"


def bank():
    return [
        af.question(type=QuestionType.SINGLE, answer=["B"], points=Decimal(2)),
        af.question(type=QuestionType.MULTIPLE, answer=["A", "C"], points=Decimal(2)),
        af.question(type=QuestionType.TRUE_FALSE, answer=False),
        af.question(type=QuestionType.FILL, answer=[[SECRET, "备选"]], explanation="解析EXPLAIN"),
    ]


def start(exam, employee, **kwargs):
    return services.attempt_start(exam=exam, employee=employee, **kwargs)


def items_of(attempt):
    return {item.snapshot["type"]: item for item in attempt.items.all()}


def save(attempt, item, response, seq, now=None):
    return services.attempt_save_answers(
        attempt=attempt, answers=[{"item": item.pk, "response": response, "seq": seq}], now=now
    )


def test_start_snapshots_questions_and_returns_the_open_attempt_again(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    assert attempt.items.count() == 4
    assert start(exam, people["employee"]).pk == attempt.pk
    assert Attempt.objects.count() == 1


def test_deadline_is_the_earlier_of_limit_and_close_plus_override(people):
    now = timezone.now()
    employee = people["employee"]
    exam = af.exam(
        questions=bank(), audience=[employee], time_limit_minutes=60, closes_at=now + timedelta(30)
    )
    assert start(exam, employee, now=now).deadline == now + timedelta(minutes=60)
    closing = af.exam(
        questions=bank(),
        audience=[employee],
        time_limit_minutes=60,
        closes_at=now + timedelta(minutes=20),
    )
    services.exam_override_set(exam=closing, employee=employee, extra_minutes=15)
    assert start(closing, employee, now=now).deadline == now + timedelta(minutes=35)


def test_autosave_last_write_wins_and_is_idempotent(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    single = items_of(attempt)["single"]
    save(attempt, single, ["A"], 5)
    save(attempt, single, ["C"], 3)  # an older write arriving late
    save(attempt, single, ["A"], 5)  # a retry
    single.refresh_from_db()
    assert single.response == ["A"] and single.seq == 5
    save(attempt, single, ["B"], 6)
    single.refresh_from_db()
    assert single.response == ["B"]


def test_saves_after_deadline_plus_grace_are_refused(people, settings):
    settings.ASSESSMENTS_SAVE_GRACE_SECONDS = 60
    now = timezone.now()
    exam = af.exam(questions=bank(), audience=[people["employee"]], time_limit_minutes=10)
    attempt = start(exam, people["employee"], now=now)
    single = items_of(attempt)["single"]
    save(attempt, single, ["A"], 1, now=attempt.deadline + timedelta(seconds=59))
    with pytest.raises(AttemptError, match="Time is up|考试时间已到"):
        save(attempt, single, ["B"], 2, now=attempt.deadline + timedelta(seconds=61))
    single.refresh_from_db()
    assert single.response == ["A"]


def test_a_bad_response_is_refused(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    with pytest.raises(AttemptError):
        save(attempt, items_of(attempt)["single"], ["Z"], 1)
    with pytest.raises(AttemptError):
        save(attempt, items_of(attempt)["truefalse"], "maybe", 1)


def test_submit_grades_objective_items_once(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]], pass_mark=50)
    attempt = start(exam, people["employee"])
    items = items_of(attempt)
    save(attempt, items["single"], ["B"], 1)
    save(attempt, items["multiple"], ["A"], 1)
    save(attempt, items["truefalse"], False, 1)
    save(attempt, items["fill"], ["备选"], 1)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.score == Decimal(4) and attempt.max_score == Decimal(6)
    assert attempt.passed
    with pytest.raises(AttemptError):
        attempt.mark_submitted()
    with pytest.raises(AttemptError, match="submitted|交卷"):
        save(attempt, items["single"], ["A"], 9)


def test_partial_credit_policy(people):
    exam = af.exam(questions=bank()[1:2], audience=[people["employee"]], partial_credit=True)
    attempt = start(exam, people["employee"])
    save(attempt, items_of(attempt)["multiple"], ["C"], 1)
    assert services.attempt_submit(attempt=attempt).score == Decimal(1)


def test_grading_an_open_attempt_is_illegal(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    with pytest.raises(AttemptError):
        attempt.grade()


def test_auto_submit_on_next_access_finishes_at_the_deadline(client, people):
    now = timezone.now()
    exam = af.exam(questions=bank(), audience=[people["employee"]], time_limit_minutes=5)
    attempt = start(exam, people["employee"], now=now - timedelta(minutes=30))
    login(client, people["employee"])
    response = client.get(reverse("assessments:attempt_page", args=[attempt.pk]))
    assert response.status_code == HTTPStatus.FOUND
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.auto_submitted
    assert attempt.finished_at == attempt.deadline


def test_scheduled_task_submits_overdue_attempts(people):
    now = timezone.now()
    exam = af.exam(questions=bank(), audience=[people["employee"]], time_limit_minutes=5)
    overdue = start(exam, people["employee"], now=now - timedelta(minutes=30))
    fresh_exam = af.exam(questions=bank(), audience=[people["employee"]], time_limit_minutes=5)
    fresh = start(fresh_exam, people["employee"], now=now)
    submit_overdue_attempts.enqueue()
    overdue.refresh_from_db(), fresh.refresh_from_db()
    assert overdue.status == Attempt.Status.GRADED and overdue.finished_at == overdue.deadline
    assert fresh.is_open
    call_command("submit_overdue_attempts")


def test_a_question_edited_after_the_attempt_does_not_change_it(people):
    questions = bank()
    exam = af.exam(questions=questions, audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    single = items_of(attempt)["single"]
    save(attempt, single, ["B"], 1)
    services.question_update(
        question=questions[0], stem="<p>改过的题干</p>", answer=["A"], options=["甲", "乙"]
    )
    single.refresh_from_db()
    assert single.question_version == 1
    assert "改过" not in single.snapshot["stem"] and len(single.snapshot["options"]) == 4
    attempt = services.attempt_submit(attempt=attempt)
    single.refresh_from_db()
    assert single.score == Decimal(2)


def test_open_attempt_html_and_json_carry_no_answer_key(client, people):
    exam = af.exam(questions=bank(), audience=[people["employee"]], review_policy="after_submit")
    attempt = start(exam, people["employee"])
    login(client, people["employee"])
    page = client.get(reverse("assessments:attempt_page", args=[attempt.pk]))
    state = client.get(reverse("assessments:attempt_state", args=[attempt.pk]))
    saved = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        json.dumps(
            {"answers": [{"item": items_of(attempt)["fill"].pk, "response": ["x"], "seq": 1}]}
        ),
        content_type="application/json",
    )
    assert page.status_code == state.status_code == saved.status_code == HTTPStatus.OK
    bodies = [page.content.decode(), state.content.decode(), saved.content.decode()]
    # The random CSRF token could contain any short string; it is not part of the question.
    bodies = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", b) for b in bodies]
    for body in bodies:
        assert SECRET not in body and "备选" not in body and "EXPLAIN" not in body
        assert '"answer"' not in body and "score" not in body.lower().replace("seq", "")
    for item in state.json()["items"]:
        assert set(item) <= {"id", "position", "type", "stem", "options", "points", "response",
                             "seq", "blanks", "blank_values"}  # fmt: skip
    # After submitting, the review policy shows the key.
    services.attempt_submit(attempt=attempt)
    result = client.get(reverse("assessments:attempt_result", args=[attempt.pk]))
    assert SECRET in result.content.decode()


def test_review_policy_hides_score_and_key_until_close(client, people):
    exam = af.exam(
        questions=bank(),
        audience=[people["employee"]],
        review_policy="after_close",
        closes_at=timezone.now() + timedelta(days=1),
    )
    attempt = services.attempt_submit(attempt=start(exam, people["employee"]))
    login(client, people["employee"])
    body = client.get(reverse("assessments:attempt_result", args=[attempt.pk])).content.decode()
    assert SECRET not in body and 'id="score"' not in body


def test_rule_based_assembly_honours_every_rule_without_repeats(people):
    safety = services.category_for_path("安规")
    electric = services.category_for_path("安规/电气")
    lines = services.category_for_path("安规/线路")
    for difficulty in (1, 2, 3):
        for _ in range(6):
            af.question(category=electric, type=QuestionType.SINGLE, difficulty=difficulty)
            af.question(category=lines, type=QuestionType.SINGLE, difficulty=difficulty)
            af.question(category=lines, type=QuestionType.TRUE_FALSE, difficulty=difficulty)
    af.question(category=electric, type=QuestionType.SINGLE, difficulty=2, is_active=False)
    rules = [
        {"count": 4, "type": "single", "category": electric, "difficulty": 2, "points": 3},
        {"count": 10, "type": "single", "category": safety, "difficulty": None, "points": 1},
        {"count": 5, "type": "truefalse", "category": lines, "difficulty": 1, "points": 2},
    ]
    exam = af.exam(rules=rules, audience=[people["employee"]], shuffle_questions=True)
    for seed in range(15):
        drawn = services.exam_draw(exam, rng=random.Random(seed))
        ids = [q.pk for q, _ in drawn]
        assert len(ids) == len(set(ids)) == 19
        by_points = {}
        for question, points in drawn:
            assert question.is_active
            by_points.setdefault(points, []).append(question)
        assert (
            all(
                q.type == "single" and q.difficulty == 2 and q.category_id == electric.pk
                for q in by_points[Decimal(3)]
            )
            and len(by_points[Decimal(3)]) == 4
        )
        assert len(by_points[Decimal(1)]) == 10
        assert all(q.type == "single" and q.category.path.startswith(safety.path)
                   for q in by_points[Decimal(1)])  # fmt: skip
        assert len(by_points[Decimal(2)]) == 5
        assert all(q.type == "truefalse" and q.difficulty == 1 and q.category_id == lines.pk
                   for q in by_points[Decimal(2)])  # fmt: skip
    attempt = start(exam, people["employee"])
    positions = list(attempt.items.values_list("question_id", flat=True))
    assert len(positions) == len(set(positions)) == 19


def test_a_rule_the_bank_cannot_fill_is_an_error(people):
    category = af.category()
    af.question(category=category)
    exam = af.exam(
        rules=[{"count": 3, "type": "single", "category": category}], audience=[people["employee"]]
    )
    with pytest.raises(AttemptError, match="cannot fill|题量不足"):
        start(exam, people["employee"])
    assert not Attempt.objects.exists()


def test_audience_and_attempt_limits(people, company):
    exam = af.exam(questions=bank(), departments=[company["branch"]], max_attempts=1)
    with pytest.raises(AttemptError, match="not meant|不在"):
        start(exam, people["outsider"])
    attempt = start(exam, people["employee"])  # team_a is below the branch
    services.attempt_submit(attempt=attempt)
    with pytest.raises(AttemptError, match="all your attempts|次数已用完"):
        start(exam, people["employee"])
    services.exam_override_set(exam=exam, employee=people["employee"], extra_attempts=1)
    assert start(exam, people["employee"]).number == 2


def test_closed_exam_cannot_be_started(people):
    exam = af.exam(questions=bank(), audience=[people["employee"]], is_published=False)
    with pytest.raises(AttemptError, match="not open|未开放"):
        start(exam, people["employee"])


def test_someone_elses_attempt_is_not_found(client, people):
    exam = af.exam(questions=bank(), audience=[people["employee"]])
    attempt = start(exam, people["employee"])
    for who in ("colleague", "manager", "trainer"):
        login(client, people[who])
        for name in ("attempt_page", "attempt_state", "attempt_result"):
            assert client.get(reverse(f"assessments:{name}", args=[attempt.pk])).status_code == 404
        url = reverse("assessments:attempt_save", args=[attempt.pk])
        assert client.post(url, "{}", content_type="application/json").status_code == 404


def test_save_endpoint_refuses_after_grace_with_a_clear_message(client, people):
    now = timezone.now()
    exam = af.exam(questions=bank(), audience=[people["employee"]], time_limit_minutes=5)
    attempt = start(exam, people["employee"], now=now - timedelta(minutes=10))
    login(client, people["employee"])
    item = items_of(attempt)["single"]
    response = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        json.dumps({"answers": [{"item": item.pk, "response": ["A"], "seq": 1}]}),
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Time is up" in response.json()["error"] or "时间" in response.json()["error"]
    assert response.json()["status"] == "graded"
    item.refresh_from_db()
    assert item.response is None


def test_exam_pages_through_the_browser_flow(client, people):
    exam = af.exam(questions=bank(), audience=[people["employee"]], review_policy="after_submit")
    login(client, people["employee"])
    assert exam.title in client.get(reverse("assessments:exam_list")).content.decode()
    assert client.get(reverse("assessments:exam_detail", args=[exam.pk])).status_code == 200
    response = client.post(reverse("assessments:attempt_start", args=[exam.pk]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("assessments:attempt_page", args=[attempt.pk])
    response = client.post(reverse("assessments:attempt_submit", args=[attempt.pk]))
    assert response.url == reverse("assessments:attempt_result", args=[attempt.pk])
    login(client, people["outsider"])
    assert client.get(reverse("assessments:exam_detail", args=[exam.pk])).status_code == 404


def test_manual_grading_completes_the_attempt(client, people):
    essay = af.question(type=QuestionType.ESSAY, points=Decimal(10))
    exam = af.exam(questions=[essay, *bank()[:1]], audience=[people["employee"]], pass_mark=50)
    attempt = start(exam, people["employee"])
    save(attempt, items_of(attempt)["essay"], "两票三制是安全生产的基础。", 1)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is None
    item = items_of(attempt)["essay"]
    login(client, people["employee"])
    assert client.get(reverse("assessments:grading_queue")).status_code == 403
    login(client, people["trainer"])
    page = client.get(reverse("assessments:grading_queue"))
    assert "两票三制" in page.content.decode()
    client.post(reverse("assessments:grade_item", args=[item.pk]), {"score": "11"})
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    client.post(reverse("assessments:grade_item", args=[item.pk]), {"score": "8", "comment": "好"})
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.score == Decimal(8)
    assert AttemptItem.objects.get(pk=item.pk).comment == "好"


def test_practice_quiz_gives_feedback_at_once(client, people):
    exam = af.exam(
        questions=bank(), audience=[people["employee"]], kind="practice", review_policy="never"
    )
    attempt = services.attempt_submit(attempt=start(exam, people["employee"]))
    login(client, people["employee"])
    body = client.get(reverse("assessments:attempt_result", args=[attempt.pk])).content.decode()
    assert SECRET in body and 'id="score"' in body


def test_grading_queue_shows_the_trainers_own_exams_unless_all(client, people):
    other_trainer = make_employee(roles=[Role.TRAINER])
    essay = af.question(type=QuestionType.ESSAY, points=Decimal(10))
    exam = af.exam(questions=[essay], audience=[people["employee"]])
    exam.created_by = other_trainer.user
    exam.save()
    attempt = start(exam, people["employee"])
    save(attempt, items_of(attempt)["essay"], "论述安全生产责任制的落实办法。", 1)
    services.attempt_submit(attempt=attempt)
    login(client, people["trainer"])
    assert "论述安全生产" not in client.get(reverse("assessments:grading_queue")).content.decode()
    page = client.get(reverse("assessments:grading_queue") + "?all=1")
    assert "论述安全生产" in page.content.decode()
    login(client, other_trainer)
    assert "论述安全生产" in client.get(reverse("assessments:grading_queue")).content.decode()
