"""Issue #14, findings 1 and 5: one examinee cannot tie up the server with one huge autosave,
and the server, not a device clock, orders saves (a stale save is answered "stale")."""

import json
import re
import time
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import AttemptItem, QuestionType
from tests.conftest import login
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def short_exam(employee, count):
    category = af.category()
    questions = [af.question(type=QuestionType.SHORT, category=category) for _ in range(count)]
    return af.exam(questions=questions, audience=[employee], time_limit_minutes=60)


def post(client, attempt, answers):
    return client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        json.dumps({"answers": answers}),
        content_type="application/json",
    )


def page_seqs(client, attempt):
    """What the exam page hands the browser: each item's stored sequence number."""
    html = client.get(reverse("assessments:attempt_page", args=[attempt.pk])).content.decode()
    return {
        int(i): int(s) for i, s in re.findall(r'data-item="(\d+)"[^>]*data-seq="(-?\d+)"', html)
    }


@pytest.fixture
def attempt(people):
    exam = short_exam(people["employee"], 5)
    return services.attempt_start(exam=exam, employee=people["employee"])


def test_twenty_thousand_answers_are_refused_before_the_database(client, people, attempt):
    """The finding's request: 20,000 answers (1.2 MB). Refused on its size, nothing locked."""
    login(client, people["employee"])
    answers = [
        {"item": 10_000_000 + n, "response": "x", "seq": 1_765_000_000_000 + n}
        for n in range(20_000)
    ]
    assert len(json.dumps({"answers": answers})) > 1_000_000
    with CaptureQueriesContext(connection) as queries:
        response = post(client, attempt, answers)
    # The session and the signed-in user at most; the attempt is neither read nor locked.
    assert not [q for q in queries.captured_queries if "assessments_attempt" in q["sql"]]
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["ok"] is False and response.json()["error"]


def test_a_batch_may_name_each_item_once(client, people, attempt, settings):
    login(client, people["employee"])
    item = attempt.items.first()
    twice = [{"item": item.pk, "response": f"v{n}", "seq": n} for n in range(1, 3)]
    response = post(client, attempt, twice)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "once" in response.json()["error"] or "一次" in response.json()["error"]
    item.refresh_from_db()
    assert item.response is None
    # More entries than the setting allows are refused before the lock is taken.
    settings.ASSESSMENTS_SAVE_MAX_ANSWERS = 3
    many = [{"item": i.pk, "response": "a", "seq": 1} for i in attempt.items.all()]
    response = post(client, attempt, many)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "3" in response.json()["error"]
    # Items of another attempt (or none) count as not part of this one: nothing is stored.
    other = [{"item": i.pk + 100_000, "response": "a", "seq": 1} for i in attempt.items.all()[:2]]
    assert post(client, attempt, other).status_code == HTTPStatus.CONFLICT
    # So do ids no database column can hold (the fuzzer's 2**70 was a server error on SQLite).
    for huge in (2**63, 2**70, -1, 0):
        answer = [{"item": huge, "response": "a", "seq": 1}]
        assert post(client, attempt, answer).status_code == HTTPStatus.CONFLICT


def test_saves_per_attempt_are_rate_limited(client, people, attempt, settings):
    settings.ASSESSMENTS_SAVE_RATE_PER_MINUTE = 5
    login(client, people["employee"])
    item = attempt.items.first()
    # A minute boundary in the middle would reset the count: start just after one.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    codes = [
        post(client, attempt, [{"item": item.pk, "response": f"v{n}", "seq": n}]).status_code
        for n in range(1, 8)
    ]
    assert codes == [HTTPStatus.OK] * 5 + [HTTPStatus.TOO_MANY_REQUESTS] * 2
    refused = post(client, attempt, [{"item": item.pk, "response": "late", "seq": 9}])
    assert int(refused["Retry-After"]) >= 1 and refused.json()["error"]
    item.refresh_from_db()
    assert item.response == "v5"


def test_the_largest_autosave_is_accepted(client, people, settings):
    """Every item of a 200-question attempt in one save, just under the body limit."""
    settings.ASSESSMENTS_SAVE_MAX_ANSWERS = 200
    exam = short_exam(people["employee"], 200)
    attempt = services.attempt_start(exam=exam, employee=people["employee"])
    login(client, people["employee"])
    items = list(attempt.items.all())
    answers = [{"item": i.pk, "response": "答" * 400, "seq": 1} for i in items]
    size = len(json.dumps({"answers": answers}, ensure_ascii=False).encode())
    assert 240_000 < size < settings.ASSESSMENTS_SAVE_MAX_BYTES
    response = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        json.dumps({"answers": answers}, ensure_ascii=False).encode(),
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.OK
    assert sorted(response.json()["saved"]) == sorted(i.pk for i in items)
    assert AttemptItem.objects.filter(attempt=attempt, response="答" * 400).count() == 200


def test_two_devices_lose_nothing_and_a_stale_save_gets_the_truth(client, people, attempt):
    """Finding 5. The phone's clock is ten minutes behind the laptop's: the old page sent
    Date.now() and the phone's answers, older by the clock, were acknowledged and dropped. Now
    each page sends the server's sequence number plus one and no clock is involved."""
    login(client, people["employee"])
    items = list(attempt.items.all())
    laptop = page_seqs(client, attempt)
    now_ms = int(time.time() * 1000)
    # What the old page sent: the laptop at its clock, the phone ten minutes behind.
    old_laptop, old_phone = now_ms, now_ms - 600_000
    assert old_phone < old_laptop  # the phone would have lost everything
    saved = post(client, attempt, [
        {"item": i.pk, "response": "laptop", "seq": laptop[i.pk] + 1} for i in items
    ])  # fmt: skip
    assert saved.json()["stale"] == [] and len(saved.json()["saved"]) == 5
    # The examinee moves to the phone, which opens the page now and answers everything again.
    phone = page_seqs(client, attempt)
    response = post(client, attempt, [
        {"item": i.pk, "response": "phone", "seq": phone[i.pk] + 1} for i in items
    ])  # fmt: skip
    assert response.json()["ok"] and response.json()["stale"] == []
    assert {i.response for i in AttemptItem.objects.filter(attempt=attempt)} == {"phone"}
    # The laptop, still open, sends an edit made on top of what it last read: stale. The reply
    # carries the stored answer, so the page shows the truth; nothing is overwritten.
    first = items[0]
    stale = post(client, attempt, [{"item": first.pk, "response": "laptop again",
                                    "seq": laptop[first.pk] + 2}])  # fmt: skip
    body = stale.json()
    assert body["saved"] == [] and body["message"]
    assert body["stale"] == [{"item": first.pk, "seq": phone[first.pk] + 1, "response": "phone"}]
    first.refresh_from_db()
    assert first.response == "phone"
    # A retry of a save that was stored (its reply lost) is acknowledged, not stale.
    retry = post(client, attempt, [{"item": first.pk, "response": "phone",
                                    "seq": phone[first.pk] + 1}])  # fmt: skip
    assert retry.json()["saved"] == [first.pk] and retry.json()["stale"] == []
