"""Two app servers on loopback sharing PostgreSQL and Redis: one attempt moves between them.

Real gunicorn processes (``lms/gunicorn.conf.py``, DEBUG off) read the pytest test database, so
the data is committed (``transactional_db``). The candidate signs in on server A, starts the exam
there, autosaves alternately on A and B, submits on B; the session made by A works on B (sessions
live in the shared Redis cache) and the stored answers and grade are the ones acknowledged.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import connection

from assessments.models import Attempt, QuestionType
from tests import factories as f
from tests.factories import assessments as af

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 40  # seconds for a server to answer /healthz
REQUEST_TIMEOUT = 20

pytestmark = [
    pytest.mark.multiserver,
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="two app servers need PostgreSQL and Redis to share",
    ),
]


def free_ports(count, start=8150, end=8199) -> list[int]:
    """``count`` ports nobody listens on, held open together while they are chosen."""
    held = []
    try:
        for port in range(start, end + 1):
            probe = socket.socket()
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                probe.close()
                continue
            held.append(probe)
            if len(held) == count:
                return [s.getsockname()[1] for s in held]
    finally:
        for probe in held:
            probe.close()
    raise RuntimeError(f"no {count} free ports between {start} and {end}")


class AppServer:
    """One gunicorn process on the pytest test database; always killed at the end."""

    def __init__(self, name, port, log_dir):
        self.name = name
        self.port = port
        self.log = log_dir / f"server-{name}.log"
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings",
            "DEBUG": "0",
            # Test mode: the test accounts' fast password hashes, no HTTPS redirect.
            "TESTING": "1",
            "SECRET_KEY": "two-servers-share-this-key-" + "k" * 30,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": (
                f"postgres://{database['USER'] or 'postgres'}"
                f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
                f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "TASK_BACKEND": "immediate",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "2",
            "ACCESS_LOG": str(self.log.with_suffix(".access.log")),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [str(gunicorn), "-c", "lms/gunicorn.conf.py", "lms.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == HTTPStatus.OK:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"server {self.name} did not start: {self.log.read_text()[-2000:]}")

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(10)


class Browser:
    """One candidate's cookies, sent to whichever server a request goes to."""

    def __init__(self):
        self.cookies = {}

    def request(self, server, method, path, *, form=None, payload=None, accept_json=False):
        headers = {}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Origin"] = f"http://127.0.0.1:{server.port}"
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if payload is not None:
            body = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        if accept_json:
            headers["Accept"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, content


@pytest.fixture
def servers(transactional_db, tmp_path):
    started = []
    try:
        for name, port in zip(("A", "B"), free_ports(2), strict=True):
            started.append(AppServer(name, port, tmp_path))
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.kill()


def test_an_attempt_moves_between_two_servers(people, servers):
    server_a, server_b = servers
    assert server_a.port != server_b.port
    employee = people["employee"]
    questions = [
        af.question(type=QuestionType.SINGLE, answer=["B"], points=Decimal(10)),
        af.question(type=QuestionType.TRUE_FALSE, answer=False, points=Decimal(10)),
        af.question(type=QuestionType.MULTIPLE, answer=["A", "C"], points=Decimal(10)),
        af.question(type=QuestionType.FILL, answer=[["验电"]], points=Decimal(10)),
    ]
    exam = af.exam(questions=questions, audience=[employee], time_limit_minutes=30, pass_mark=50)
    browser = Browser()

    # Sign in on A; the session works on B.
    status, _headers, _content = browser.request(server_a, "GET", "/accounts/login/")
    assert status == HTTPStatus.OK
    status, headers, _content = browser.request(
        server_a,
        "POST",
        "/accounts/login/",
        form={"username": employee.number, "password": f.PASSWORD},
    )
    assert status == HTTPStatus.FOUND, "sign-in on server A failed"
    status, _headers, content = browser.request(server_b, "GET", f"/exams/{exam.pk}/")
    assert status == HTTPStatus.OK
    assert exam.title in content.decode()

    # Start on A.
    status, headers, _content = browser.request(
        server_a, "POST", f"/exams/{exam.pk}/start/", form={}
    )
    assert status == HTTPStatus.FOUND
    attempt_path = urlsplit(headers["Location"]).path
    attempt = Attempt.objects.get(exam=exam, employee=employee)
    assert attempt_path.endswith(f"/attempts/{attempt.pk}/")
    items = {item.snapshot["type"]: item for item in attempt.items.all()}

    # Autosave alternately on B and A; a late, older answer sent to the other server loses.
    answers = [
        (items["single"].pk, ["A"]),
        (items["single"].pk, ["B"]),  # changed: B is the right answer
        (items["truefalse"].pk, False),
        (items["multiple"].pk, ["A", "C"]),
        (items["fill"].pk, ["接地"]),
    ]
    acknowledged = {}
    for seq, (item_id, response) in enumerate(answers, start=1000):
        server = (server_b, server_a)[seq % 2]
        status, _headers, content = browser.request(
            server,
            "POST",
            attempt_path + "save/",
            payload={"answers": [{"item": item_id, "response": response, "seq": seq}]},
            accept_json=True,
        )
        assert status == HTTPStatus.OK, content
        assert json.loads(content)["saved"] == [item_id]
        acknowledged[item_id] = response
    status, _headers, content = browser.request(
        server_b,
        "POST",
        attempt_path + "save/",
        payload={"answers": [{"item": items["single"].pk, "response": ["D"], "seq": 999}]},
        accept_json=True,
    )
    assert status == HTTPStatus.OK  # acknowledged (idempotent), but the newer answer stays

    # The page on either server shows what the other saved.
    status, _headers, content = browser.request(server_a, "GET", attempt_path + "state/")
    state = json.loads(content)
    assert {i["id"]: i["response"] for i in state["items"]} == acknowledged

    # Submit on B (the other server than the start).
    status, _headers, content = browser.request(
        server_b, "POST", attempt_path + "submit/", form={}, accept_json=True
    )
    assert status == HTTPStatus.OK
    assert json.loads(content)["status"] == Attempt.Status.GRADED

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    stored = {item.pk: item.response for item in attempt.items.all()}
    assert stored == acknowledged
    assert attempt.score == Decimal(30)  # single, true/false and multiple right; the blank wrong
    assert attempt.passed is True

    # A save sent to A after the submit on B is refused, not acknowledged.
    status, _headers, content = browser.request(
        server_a,
        "POST",
        attempt_path + "save/",
        payload={"answers": [{"item": items["fill"].pk, "response": ["验电"], "seq": 5000}]},
        accept_json=True,
    )
    assert status == HTTPStatus.CONFLICT
    assert attempt.items.get(pk=items["fill"].pk).response == ["接地"]

    # The result shows on A; signing out on A ends the session on B too (the old cookie,
    # replayed, no longer signs anyone in).
    status, _headers, _content = browser.request(server_a, "GET", attempt_path + "result/")
    assert status == HTTPStatus.OK
    session = browser.cookies["sessionid"]
    status, _headers, _content = browser.request(server_a, "POST", "/accounts/logout/", form={})
    assert status == HTTPStatus.FOUND
    assert "sessionid" not in browser.cookies
    browser.cookies["sessionid"] = session
    status, headers, _content = browser.request(server_b, "GET", f"/exams/{exam.pk}/")
    assert status == HTTPStatus.FOUND
    assert "/accounts/login/" in headers["Location"]
