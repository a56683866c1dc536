"""The exam-day benchmark's simulated page (bench/exam_day.py) orders saves as the exam page
does (issue #14, 5 and 9): by the server's sequence numbers, never the device clock.

Two devices of one examinee against a live server: a laptop answers every question, then a
phone whose clock is ten minutes behind opens the exam and answers every question again, then
the laptop (its page not reloaded) changes one answer. The phone loses nothing to its clock;
the laptop's late change comes back "stale", is shown the stored answer and answered again, as
a person at the page would. With the clock-made sequence numbers the benchmark sent before, the
phone's saves were all stale and never left its queue."""

import asyncio
import importlib.util
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from assessments.models import AttemptItem, QuestionType
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db(transaction=True)
pytest.importorskip("aiohttp")

BENCH = Path(__file__).resolve().parents[2] / "bench" / "exam_day.py"


@pytest.fixture(scope="module")
def exam_day():
    spec = importlib.util.spec_from_file_location("exam_day_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


class ClockBehind:
    """The ``time`` module as a device whose clock is ``seconds`` behind sees it."""

    def __init__(self, seconds):
        self.seconds = seconds

    def time(self):
        return time.time() - self.seconds

    def __getattr__(self, name):
        return getattr(time, name)


def device(exam_day, run, cookies, index):
    examinee = exam_day.Examinee(run, index, "QC1001")
    examinee.cookies = dict(cookies)
    return examinee


async def with_session(examinee, work):
    import aiohttp

    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        examinee.session = session
        return await work()


def test_a_device_whose_clock_is_behind_loses_nothing(exam_day, live_server, people,
                                                      monkeypatch):  # fmt: skip
    employee = people["employee"]
    category = af.category()
    questions = [af.question(type=QuestionType.SINGLE, category=category, answer=["A"])
                 for _ in range(3)] + [af.question(type=QuestionType.SHORT, category=category)
                                       for _ in range(3)]  # fmt: skip
    exam = af.exam(questions=questions, audience=[employee], time_limit_minutes=60)
    client = Client()
    client.force_login(employee.user)
    cookies = {"sessionid": client.cookies["sessionid"].value}
    host = live_server.url.split("://", 1)[1]
    server = SimpleNamespace(base=live_server.url, origin=f"https://{host}")
    run = SimpleNamespace(
        servers=[server], exam_id=exam.pk, seed=14,
        stats=exam_day.Stats(), refused_saves=0, stale_saves=0, queued_batches=0,
        queued_answers=0, assets_of=lambda html: [],
    )  # fmt: skip

    laptop = device(exam_day, run, cookies, 0)

    async def answer_everything(examinee):
        await examinee.start()
        for item in examinee.items:
            examinee.edit(item["id"], examinee.answer(item))
        await examinee.flush()

    asyncio.run(with_session(laptop, lambda: answer_everything(laptop)))
    assert not laptop.queue and len(laptop.acked) == 6

    # The phone: the same account, its clock ten minutes behind the laptop's.
    monkeypatch.setattr(exam_day, "time", ClockBehind(600))
    phone = device(exam_day, run, laptop.cookies, 1)
    phone.rng.seed(99)
    asyncio.run(with_session(phone, lambda: answer_everything(phone)))
    stored = dict(AttemptItem.objects.filter(attempt__exam=exam).values_list("pk", "response"))
    assert not phone.queue, "the phone's answers never left its queue"
    assert {item: response for item, (_seq, response) in phone.acked.items()} == stored

    # The laptop, its page as it was, changes the first answer: stale, shown, answered again.
    first = laptop.items[0]["id"]
    intended = ["B"] if stored[first] != ["B"] else ["C"]

    async def change_first():
        laptop.edit(first, intended)
        await laptop.flush()

    asyncio.run(with_session(laptop, change_first))
    assert run.stale_saves == 1 and not laptop.queue
    stored = dict(AttemptItem.objects.filter(attempt__exam=exam).values_list("pk", "response"))
    assert stored[first] == intended
    assert {i: r for i, (_s, r) in phone.acked.items() if i != first} == {
        i: r for i, r in stored.items() if i != first
    }
