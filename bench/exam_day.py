"""Exam day: a load and fault benchmark of one timed formal exam on the production stack.

    .venv/bin/python bench/exam_day.py --users 2000
    .venv/bin/python bench/exam_day.py --users 500 --kill-worker        # or --cut-clients,
    .venv/bin/python bench/exam_day.py --users 50 --think-scale 0.2 --check   # --restart-app

What it does, bounded in users and time and on loopback only:

1. Prepares a PostgreSQL database (``--database-url``, created and migrated when missing): N
   examinee accounts in one department (``lms.services.employees_bulk_create``, the import
   path, then one PBKDF2 hash of the shared password set on the accounts as HR would), a bank of
   questions of five types (``assessments.services.question_create``) and one formal timed exam
   assembled by rules, shuffled, with a certificate (``assessments.services.exam_create``), opening
   after the sign-in window.
2. Starts the production server configuration: gunicorn with ``lms/gunicorn.conf.py``, DEBUG=0,
   PostgreSQL, Redis for cache and sessions, whitenoise with collected static files. Requests
   carry ``X-Forwarded-Proto: https`` as a TLS proxy in front would set it.
3. Simulated employees arrive over a sign-in window before the exam opens (PBKDF2 with Django's
   default iterations costs ~0.4 s of CPU per sign-in here, so arrivals are spread as people
   arrive before an exam; sign-in is reported on its own line). At the opening they start the
   exam within ``--ramp`` seconds, read the exam page (and its static files once), answer every
   question through the autosave endpoint with a think time of 5–30 s (``--think-scale``
   shortens it for short runs), now and then change an earlier answer, and submit. Every answer
   carries the sequence number the exam page's JS sends: the server owns the order, so it is
   one more than the item's number as the page last read it back (``data-seq`` on the page,
   then every save's ``seqs``), never the device clock. Answers wait in a queue until the server
   acknowledges them, are re-sent every 3 s while the network or the server is away, and submit
   waits for the queue to empty, as the page does. A save the server answers "stale" (the
   answer was replaced since, by a save whose response was lost in a fault) shows the stored
   answer, as the page does; the simulated examinee then answers that question again.
4. Reports p50/p95/p99 per endpoint, errors, throughput, the CPU used by the load generator and
   the server, and the number of acknowledged answers missing from the database afterwards: for
   every item the last acknowledged (seq, answer) must be the stored one, or a later answer the
   same client sent.

Fault flags (each must end with 0 lost acknowledged answers):
  --kill-worker   kill -9 one gunicorn worker mid-run (the master starts another);
  --cut-clients   10 % of the clients lose the network for 60 s mid-run; they keep answering
                  into their queue (responses in flight when the cut comes are lost) and resend
                  when back;
  --restart-app   stop gunicorn (SIGTERM, graceful) mid-run and start it again; clients retry.

``--servers 2`` runs a second gunicorn master on the next port against the same PostgreSQL and
Redis, with half of the examinees sent to each (faults strike the first); on this one machine it
shows what a second app server changes when the cores are shared, not what a second machine adds.

``--check`` exits non-zero on any error outside a fault, any lost answer or any unfinished
examinee (never on timing): CI runs it with about 50 examinees for about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench" / "output"
sys.path.insert(0, str(ROOT))

PASSWORD = "exam-day-2026"
NUMBER_PREFIX = "BX"
DEPARTMENT_CODE = "BENCH-EXAM"
CATEGORY_PATH = "压测/考试日"
# A constant, public key: sessions must survive an app restart and carry over between runs of
# the bench; it signs nothing outside this benchmark's own database.
BENCH_SECRET_KEY = "exam-day-benchmark-key-not-secret-" + "x" * 32
TYPES = ["single", "multiple", "truefalse", "fill", "short"]
ENDPOINTS = [
    "login page",
    "sign-in",
    "portal home",
    "exam detail",
    "start",
    "exam page",
    "static",
    "autosave",
    "submit",
    "result",
]


def add_server_arguments(parser, *, port: int):
    """The database, Redis and gunicorn options every exam bench shares."""
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/grid_examday"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (WEB_CONCURRENCY)"
    )
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads (WEB_THREADS)")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="examinees (≤ 5000)")
    parser.add_argument("--questions", type=int, default=10, help="questions per attempt")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 30.0), metavar=("MIN", "MAX"))
    parser.add_argument(
        "--think-scale", type=float, default=1.0, help="multiply think times (short runs)"
    )
    parser.add_argument(
        "--revise", type=float, default=0.15, help="chance of changing an earlier answer"
    )
    parser.add_argument(
        "--signin-window",
        type=float,
        default=None,
        help="seconds over which examinees arrive and sign in before the exam opens "
        "(default 0.3 s per examinee, at least 10 s)",
    )
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which starts come")
    parser.add_argument("--time-limit", type=int, default=60, help="exam time limit (minutes)")
    add_server_arguments(parser, port=8100)
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        choices=(1, 2),
        help="app servers (gunicorn masters on --port and the next port, one database and Redis;"
        " examinees are shared between them as a load balancer with sticky sessions would)",
    )
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--cut-clients", action="store_true")
    parser.add_argument("--restart-app", action="store_true")
    parser.add_argument(
        "--fault-at",
        type=float,
        default=None,
        help="seconds after the exam opens when the fault comes (default: mid-run)",
    )
    parser.add_argument("--cut-seconds", type=float, default=60.0)
    parser.add_argument("--cut-share", type=float, default=0.10)
    parser.add_argument(
        "--signed-in",
        action="store_true",
        help="examinees signed in earlier: their sessions are made in the shared session store "
        "(as django.contrib.auth.login makes them) and the run starts at the exam's opening; "
        "sign-in is then measured by another run",
    )
    parser.add_argument("--max-minutes", type=float, default=None, help="hard bound on the run")
    parser.add_argument("--check", action="store_true", help="exit 1 on errors or lost answers")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--prepare-only", action="store_true", help="prepare the database, stop")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 5000:
        parser.error("--users must be between 1 and 5000")
    if not 1 <= args.questions <= 50:
        parser.error("--questions must be between 1 and 50")
    if args.signin_window is None:
        args.signin_window = max(10.0, 0.3 * args.users)
    split = urlsplit(args.database_url)
    if split.scheme not in ("postgres", "postgresql"):
        parser.error("--database-url must be a PostgreSQL URL")
    if urlsplit(args.redis_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--redis-url must be on loopback")
    if split.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--database-url must be on loopback")
    return args


# -- preparation (Django, in this process) ----------------------------------------------------


def server_environment(args) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "STATIC_ROOT": str(OUTPUT / "static"),
        "MEDIA_ROOT": str(OUTPUT / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(url: str):
    import psycopg

    split = urlsplit(url)
    name = split.path.lstrip("/")
    admin = split._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def django_setup(args):
    os.environ.update(server_environment(args))
    import django

    django.setup()


def prepare(args, log):
    """Database, examinee accounts and question bank; returns the employee numbers."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    ensure_database(args.database_url)
    started = time.perf_counter()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)
        log(f"migrate: {time.perf_counter() - started:.1f} s")
    if static_is_stale():
        started = time.perf_counter()
        call_command("collectstatic", verbosity=0, interactive=False)
        log(f"collectstatic: {time.perf_counter() - started:.1f} s")
    assert not settings.DEBUG and settings.SESSION_ENGINE.endswith(".cache")
    numbers = ensure_examinees(args.users, log)
    ensure_bank(max(8, args.questions))
    return numbers


def static_is_stale() -> bool:
    """Whether collectstatic must run: no manifest yet, or a project static file is newer."""
    from django.conf import settings

    manifest = OUTPUT / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    if not set(settings.STATIC_BUNDLES) <= set(json.loads(manifest.read_text())["paths"]):
        return True  # a bundle the templates link is not collected yet
    built = manifest.stat().st_mtime
    return any(
        path.stat().st_mtime > built
        for app in ("lms", "courses", "assessments", "drills", "careers")
        for path in (ROOT / app / "static").rglob("*")
        if path.is_file()
    )


def ensure_examinees(count: int, log) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from lms import services
    from lms.models import Department, Employee, Position

    User = get_user_model()
    numbers = [f"{NUMBER_PREFIX}{i:05d}" for i in range(1, count + 1)]
    department = Department.objects.filter(code=DEPARTMENT_CODE).first()
    if department is None:
        root = Department.get_root_nodes().first()
        department = services.department_create(
            code=DEPARTMENT_CODE, name="考试日压测部", kind=Department.Kind.BRANCH, parent=root
        )
    position = Position.objects.filter(code=DEPARTMENT_CODE).first() or services.position_create(
        code=DEPARTMENT_CODE, name="压测岗位", category=Position.Category.SKILLED
    )
    existing = set(Employee.objects.filter(number__in=numbers).values_list("number", flat=True))
    missing = [n for n in numbers if n not in existing]
    if missing:
        started = time.perf_counter()
        services.employees_bulk_create(
            employees=[
                Employee(number=n, name=f"考生{n[-5:]}", department=department, position=position)
                for n in missing
            ]
        )
        # HR sets the password: one PBKDF2 hash (Django's default hasher and iterations) for
        # all of them, since hashing it per account would take minutes and measure nothing.
        User.objects.filter(username__in=missing).update(password=make_password(PASSWORD))
        log(f"created {len(missing)} examinee accounts in {time.perf_counter() - started:.1f} s")
    return numbers


def ensure_bank(per_type: int):
    from decimal import Decimal

    from assessments import services
    from assessments.models import Question

    category = services.category_for_path(CATEGORY_PATH)
    answers = {
        "single": ["B"],
        "multiple": ["A", "C"],
        "truefalse": False,
        "fill": [["验电", "验明无电压"]],
        "short": ["停电", "验电", "接地"],
    }
    for kind in TYPES:
        have = Question.objects.filter(category=category, type=kind).count()
        for n in range(have, per_type):
            services.question_create(
                category=category,
                type=kind,
                stem=f"<p>《电力安全工作规程》考试日压测题（{kind} {n + 1}）："
                "在停电的设备上工作前，应当完成哪些保证安全的技术措施？</p>",
                options=["停电", "验电", "装设接地线", "悬挂标示牌和装设遮栏"]
                if kind in ("single", "multiple")
                else [],
                answer=answers[kind],
                points=Decimal(10),
                difficulty=3,
            )
    return category


def create_exam(args):
    from datetime import timedelta

    from django.utils import timezone

    from assessments import services
    from lms.models import Department

    category = ensure_bank(max(8, args.questions))  # enough to draw from
    counts = Counter(TYPES[i % len(TYPES)] for i in range(args.questions))
    opens_at = timezone.now() + timedelta(seconds=args.signin_window + 15)
    exam = services.exam_create(
        title=f"考试日压测 {timezone.localtime():%Y-%m-%d %H:%M:%S} · {args.users} 人",
        kind="formal",
        is_published=True,
        time_limit_minutes=args.time_limit,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(minutes=args.time_limit + 60),
        max_attempts=1,
        pass_mark=60,
        review_policy="score_after_submit",
        shuffle_questions=True,
        shuffle_options=True,
        certificate_title="电力安全工作规程考试合格证",
        certificate_valid_months=12,
        rules=[{"count": counts[kind], "type": kind, "category": category} for kind in counts],
        departments=[Department.objects.get(code=DEPARTMENT_CODE)],
    )
    return exam


def make_sessions(numbers) -> dict[str, dict[str, str]]:
    """Sessions of examinees who signed in earlier, written to the shared session store with
    the keys django.contrib.auth.login writes; their cookies, with a CSRF cookie each."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.utils.crypto import get_random_string

    engine = import_module(settings.SESSION_ENGINE)
    cookies = {}
    for user in get_user_model().objects.filter(username__in=numbers):
        session = engine.SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "lms.auth.EmployeeNumberBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[user.username] = {
            settings.SESSION_COOKIE_NAME: session.session_key,
            settings.CSRF_COOKIE_NAME: get_random_string(32),
        }
    return cookies


# -- the server -------------------------------------------------------------------------------


class Server:
    """gunicorn with the production configuration, as ``make serve-prod`` runs it."""

    def __init__(self, args, log, *, port=None):
        self.args = args
        self.log = log
        self.port = port or args.port
        self.process: subprocess.Popen | None = None
        suffix = "" if self.port == args.port else f"-{self.port}"
        self.logfile = OUTPUT / f"exam_day-{time.strftime('%Y%m%d-%H%M%S')}-gunicorn{suffix}.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.origin = f"https://127.0.0.1:{self.port}"
        self.cpu_of_stopped = 0.0

    def env(self):
        env = {**os.environ, **server_environment(self.args)}
        env["BIND"] = f"127.0.0.1:{self.port}"
        env["ACCESS_LOG"] = str(self.logfile.with_suffix(".access.log"))
        if self.args.workers:
            env["WEB_CONCURRENCY"] = str(self.args.workers)
        if self.args.threads:
            env["WEB_THREADS"] = str(self.args.threads)
        return env

    def start_worker(self):
        """The task worker of the production configuration (RQ on Redis), as a deployment
        runs it beside the app servers; its CPU is the server's too."""
        with open(self.logfile.with_suffix(".worker.log"), "ab") as out:
            self.worker = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "rqworker",
                    "--job-class",
                    "django_tasks_rq.Job",
                    "default",
                ],  # fmt: skip
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop_worker(self):
        worker = getattr(self, "worker", None)
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)

    def start(self, timeout=60.0):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.logfile, "ab") as out:
            self.process = subprocess.Popen(
                [str(gunicorn), "-c", "lms/gunicorn.conf.py", "lms.wsgi"],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}: {self.logfile}"
                )
            if self.healthy():
                self.warm_up()
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def healthy(self) -> bool:
        import http.client

        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except OSError:
            return False

    def warm_up(self):
        """A few rounds of requests so that every worker has loaded its code, as a server that
        has been up before the exam has (not measured)."""
        import http.client
        from concurrent.futures import ThreadPoolExecutor

        def get(path):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                connection.getresponse().read()
                connection.close()
            except OSError:
                pass

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(get, ["/accounts/login/", "/healthz", "/exams/"] * 16))

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def cpu_seconds(self) -> float:
        """CPU used so far by gunicorn (master, live workers and the workers it has reaped), the
        task worker (and its work horses) and what earlier gunicorns of this run used."""
        total = self.cpu_of_stopped
        for process in (self.process, getattr(self, "worker", None)):
            if process is not None and process.poll() is None:
                total += _proc_cpu(process.pid, children=True)
        for pid in self.workers():
            total += _proc_cpu(pid, children=False)
        return total

    def stop(self, timeout=30.0):
        if self.process is None or self.process.poll() is not None:
            return
        self.cpu_of_stopped += _proc_cpu(self.process.pid, children=True) + sum(
            _proc_cpu(pid, children=False) for pid in self.workers()
        )
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def kill(self):
        """Make sure nothing of ours is left (used on every way out)."""
        for process in (self.process, getattr(self, "worker", None)):
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(10)


# -- the simulated examinees --------------------------------------------------------------------


class NetworkDown(Exception):
    """The request did not get an answer: refused, reset, timed out, or the client is offline."""


class Refused(Exception):
    """The server answered with a status the page would not expect."""


@dataclass
class Stats:
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=lambda: defaultdict(Counter))
    fault_errors: dict = field(default_factory=lambda: defaultdict(Counter))
    fault_window: tuple = (float("inf"), float("-inf"))
    responses_lost_in_cut: int = 0

    def in_fault(self, at: float) -> bool:
        return self.fault_window[0] <= at <= self.fault_window[1]

    def error(self, endpoint, kind, at):
        (self.fault_errors if self.in_fault(at) else self.errors)[endpoint][kind] += 1


class Examinee:
    def __init__(self, run, index, number):
        self.run = run
        self.index = index
        self.number = number
        self.rng = random.Random(run.seed * 100_003 + index)
        self.cookies: dict[str, str] = {}
        # item → (response, the item's sequence number the edit builds on, edit revision)
        self.queue: dict[int, tuple[object, int, int]] = {}
        self.known: dict[int, int] = {}  # item → sequence number as last read from the server
        self.revision = 0
        self.acked: dict[int, tuple[int, object]] = {}
        self.sent: dict[int, dict[int, object]] = defaultdict(dict)
        self.sending = False
        self.offline_until = 0.0
        self.cut_at = None
        self.attempt_url = None
        self.items: list[dict] = []
        self.done = False
        self.submitted = False
        self.session = None
        # The app server this examinee's requests go to (sticky, as a load balancer keeps them).
        self.server = run.servers[index % len(run.servers)]

    # -- transport -------------------------------------------------------------------------

    def offline(self) -> bool:
        return time.monotonic() < self.offline_until

    async def request(self, endpoint, method, path, *, expect=(200,), data=None, body=None,
                      headers=None):  # fmt: skip
        import aiohttp

        run = self.run
        if self.offline():
            raise NetworkDown("offline")
        hdrs = {
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-CN,zh;q=0.9",
            "User-Agent": "exam-day-bench",
        }
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            hdrs["Origin"] = self.server.origin
        hdrs.update(headers or {})
        started = time.monotonic()
        t0 = time.perf_counter()
        try:
            async with self.session.request(
                method, self.server.base + path, data=data if body is None else body, headers=hdrs,
                allow_redirects=False,
            ) as response:  # fmt: skip
                content = await response.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            run.stats.error(endpoint, type(error).__name__, time.monotonic())
            raise NetworkDown(type(error).__name__) from None
        elapsed = time.perf_counter() - t0
        if self.cut_at is not None and started <= self.cut_at and self.offline():
            # The network went away while the answer was on its way: the page never sees it.
            run.stats.responses_lost_in_cut += 1
            raise NetworkDown("cut")
        run.stats.latencies[endpoint].append(elapsed)
        for name, morsel in response.cookies.items():
            if morsel.value and morsel.get("max-age") not in ("0",):
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        if response.status not in expect:
            run.stats.error(endpoint, f"HTTP {response.status}", time.monotonic())
            if response.status >= 500:
                raise NetworkDown(f"HTTP {response.status}")
            raise Refused(f"{endpoint}: HTTP {response.status}")
        return response.status, response.headers, content

    async def retrying(self, endpoint, method, path, *, until, **kwargs):
        """Repeat a request every 3 s while the network or the server is away (as the page
        and a person pressing reload would)."""
        while True:
            try:
                return await self.request(endpoint, method, path, **kwargs)
            except NetworkDown:
                if time.monotonic() > until:
                    raise
                await asyncio.sleep(3)

    # -- the day ---------------------------------------------------------------------------

    async def sign_in(self):
        run = self.run
        until = time.monotonic() + 300
        _s, _h, page = await self.retrying("login page", "GET", "/accounts/login/", until=until)
        token = self.cookies.get("csrftoken") or _form_token(page)
        status, headers, _c = await self.retrying(
            "sign-in",
            "POST",
            "/accounts/login/",
            until=until,
            expect=(302,),
            data={"username": self.number, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        await self.retrying("portal home", "GET", headers.get("Location", "/"), until=until)
        run.signed_in += 1

    async def start(self):
        run = self.run
        until = time.monotonic() + 600
        detail = f"/exams/{run.exam_id}/"
        await self.retrying("exam detail", "GET", detail, until=until)
        _s, headers, _c = await self.retrying(
            "start",
            "POST",
            f"/exams/{run.exam_id}/start/",
            until=until,
            expect=(302,),
            data={"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
        )
        location = headers.get("Location", "")
        if "/attempts/" not in location:
            raise Refused(f"start went to {location!r}")
        self.attempt_url = urlsplit(location).path
        _s, _h, page = await self.retrying("exam page", "GET", self.attempt_url, until=until)
        html = page.decode()
        self.items = _parse_items(html)
        if not self.items:
            raise Refused("the exam page shows no questions")
        self.known = {item["id"]: item["seq"] for item in self.items}
        for asset in run.assets_of(html):
            try:
                await self.request("static", "GET", asset)
            except NetworkDown:
                pass  # the page still works from what loaded

    def edit(self, item_id: int, response):
        """Queue an answer as the page does: on top of the sequence number the page knows, or
        of the one an earlier unsent edit of the same question was built on."""
        earlier = self.queue.get(item_id)
        base = earlier[1] if earlier else self.known[item_id]
        self.revision += 1
        self.queue[item_id] = (response, base, self.revision)

    def answer(self, item) -> object:
        rng = self.rng
        kind = item["type"]
        if kind == "single":
            return [rng.choice(item["options"])]
        if kind == "multiple":
            return sorted(rng.sample(item["options"], rng.randint(1, len(item["options"]))))
        if kind == "truefalse":
            return rng.random() < 0.5
        if kind == "fill":
            return [
                rng.choice(["验电", "接地", "停电", "验明无电压"]) for _ in range(item["blanks"])
            ]
        return rng.choice(["先停电，再验电，然后装设接地线", "停电、验电、接地、悬挂标示牌"]) + (
            "。" * rng.randint(0, 3)
        )

    async def flush(self):
        if self.sending or not self.queue or self.offline() or self.submitted:
            return
        self.sending = True
        batch = [(item, r, base + 1, rev) for item, (r, base, rev) in self.queue.items()]
        body = json.dumps(
            {"answers": [{"item": i, "response": r, "seq": s} for i, r, s, _rev in batch]},
            ensure_ascii=False,
        ).encode()
        for item, response, seq, _rev in batch:
            self.sent[item][seq] = response
        try:
            csrf = self.cookies.get("csrftoken", "")
            _s, _h, content = await self.request(
                "autosave",
                "POST",
                self.attempt_url + "save/",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "X-CSRFToken": csrf,
                },
            )
        except NetworkDown:
            return
        except Refused:
            self.run.refused_saves += 1
            return
        finally:
            self.sending = False
        data = json.loads(content)
        if not data.get("ok"):
            self.run.refused_saves += 1
            return
        if len(batch) > 1:  # answers that waited (offline, server away) went in one request
            self.run.queued_batches += 1
            self.run.queued_answers += len(batch)
        seqs = data.get("seqs", {})
        for item, response, _seq, rev in batch:
            seq = seqs.get(str(item))
            if not isinstance(seq, int):
                continue
            self.known[item] = seq
            if seq > self.acked.get(item, (-1, None))[0]:
                self.acked[item] = (seq, response)
            current = self.queue.get(item)
            if current and current[2] == rev:
                del self.queue[item]
            elif current:  # edited while this save was in flight: build on what is stored
                self.queue[item] = (current[0], seq, current[2])
        for stale in data.get("stale", []):
            # The page shows the stored answer; the examinee answers the question again.
            self.run.stale_saves += 1
            item = stale["item"]
            self.known[item] = stale["seq"]
            current = self.queue.pop(item, None)
            if current:
                self.edit(item, current[0])
        if self.queue:
            await self.flush()

    async def ticker(self):
        """The page's setInterval(flush, 3000), and its 'online' event."""
        while not self.done:
            await asyncio.sleep(3)
            if not self.offline():
                await self.flush()

    async def think(self):
        low, high = self.run.args.think
        await asyncio.sleep(self.rng.uniform(low, high) * self.run.args.think_scale)

    async def sit(self):
        run = self.run
        ticker = asyncio.create_task(self.ticker())
        try:
            for index, item in enumerate(self.items):
                await self.think()
                self.edit(item["id"], self.answer(item))
                await self.flush()
                if index and self.rng.random() < run.args.revise:
                    await self.think()
                    earlier = self.items[self.rng.randrange(index)]
                    self.edit(earlier["id"], self.answer(earlier))
                    await self.flush()
            # Submit waits until every queued answer is acknowledged (the client is back online
            # by then; the page would also submit while offline, leaving those answers unsent).
            give_up = time.monotonic() + 600
            while self.queue and time.monotonic() < give_up:
                await self.flush()
                if self.queue:
                    await asyncio.sleep(0.3)
            if self.queue:
                raise Refused("answers still unsent after 10 minutes")
            _s, _h, content = await self.retrying(
                "submit",
                "POST",
                self.attempt_url + "submit/",
                until=time.monotonic() + 600,
                headers={
                    "Accept": "application/json",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                },
            )
            self.submitted = True
            state = json.loads(content)
            if state.get("status") == "in_progress":
                raise Refused("the attempt is still open after submitting")
            await self.retrying(
                "result", "GET", self.attempt_url + "result/", until=time.monotonic() + 120
            )
        finally:
            self.done = True
            ticker.cancel()

    async def live(self, arrive_at: float, start_at: float):
        import aiohttp

        run = self.run
        connector = aiohttp.TCPConnector(limit=2, keepalive_timeout=4)  # server: keepalive 5 s
        self.session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=120),
        )
        try:
            stored = run.stored_sessions.get(self.number)
            if stored:
                self.cookies.update(stored)
            else:
                await asyncio.sleep(max(0.0, arrive_at - time.monotonic()))
                await self.sign_in()
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            await self.start()
            await self.sit()
            run.finished += 1
        except (NetworkDown, Refused, KeyError, ValueError) as error:
            run.failures[f"{type(error).__name__}: {error}"[:120]] += 1
        finally:
            self.done = True
            await self.session.close()


def _form_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1).decode() if match else ""


FIELDSET = re.compile(
    r'<fieldset class="question panel" data-item="(\d+)" data-type="(\w+)" data-seq="(-?\d+)"'
)


def _parse_items(html: str) -> list[dict]:
    """The questions as the page shows them: id, type, sequence number, option keys, number
    of blanks."""
    items = []
    starts = [m for m in FIELDSET.finditer(html)]
    for n, match in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(html)
        chunk = html[match.start() : end]
        item = {"id": int(match.group(1)), "type": match.group(2), "seq": int(match.group(3))}
        item["options"] = re.findall(r'name="q\d+" value="([A-H])"', chunk)
        item["blanks"] = len(re.findall(r'<input type="text"', chunk)) or 1
        items.append(item)
    return items


class Run:
    def __init__(self, args, exam, numbers, servers, stored_sessions, log):
        self.args = args
        self.exam_id = exam.pk
        self.exam_opens_at = exam.opens_at
        self.numbers = numbers
        self.servers = servers
        self.server = servers[0]  # the one the faults strike
        self.log = log
        self.seed = args.seed if args.seed is not None else secrets.randbelow(1 << 30)
        self.stats = Stats()
        self.signed_in = 0
        self.finished = 0
        self.refused_saves = 0
        self.stale_saves = 0
        self.queued_batches = self.queued_answers = 0
        self.failures = Counter()
        self.faults: list[str] = []
        self.examinees: list[Examinee] = []
        self.stored_sessions = dict(stored_sessions)
        self._assets: list[str] | None = None
        self.busy_start = self.busy_end = (0, 1)

    def assets_of(self, html: str) -> list[str]:
        if self._assets is None:
            found = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
            self._assets = list(dict.fromkeys(found))
        return self._assets

    def expected_answering(self) -> float:
        low, high = self.args.think
        mean = (low + high) / 2 * self.args.think_scale
        return mean * self.args.questions * (1 + self.args.revise)

    async def faults_task(self, opens_at: float):
        args = self.args
        if not (args.kill_worker or args.cut_clients or args.restart_app):
            return
        fault_at = args.fault_at
        if fault_at is None:
            fault_at = args.ramp + self.expected_answering() / 2
        await asyncio.sleep(max(0.0, opens_at + fault_at - time.monotonic()))
        begun = time.monotonic()
        # Errors the clients see while the fault lasts are the fault's (reported apart).
        self.stats.fault_window = (begun, float("inf"))
        window_end = begun + 20
        if args.kill_worker:
            workers = self.server.workers()
            if workers:
                victim = random.choice(workers)
                os.kill(victim, signal.SIGKILL)
                self.faults.append(
                    f"kill -9 worker {victim} at +{begun - opens_at:.0f} s after opening "
                    f"({len(workers)} workers)"
                )
        if args.cut_clients:
            active = [e for e in self.examinees if not e.done and e.attempt_url]
            cut = random.sample(active, max(1, round(len(active) * args.cut_share)))
            for examinee in cut:
                examinee.cut_at = begun
                examinee.offline_until = begun + args.cut_seconds
            self.faults.append(
                f"{len(cut)} of {len(active)} active clients offline for {args.cut_seconds:.0f} s "
                f"at +{begun - opens_at:.0f} s"
            )
            window_end = max(window_end, begun + args.cut_seconds + 5)
        if args.restart_app:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.server.stop)
            stopped = time.monotonic()
            await loop.run_in_executor(None, self.server.start)
            back = time.monotonic()
            self.faults.append(
                f"gunicorn restarted at +{begun - opens_at:.0f} s: stop {stopped - begun:.1f} s, "
                f"start {back - stopped:.1f} s, answering again after {back - begun:.1f} s"
            )
            window_end = max(window_end, back + 10)
        self.stats.fault_window = (begun, window_end)

    async def main(self):
        from datetime import datetime

        args = self.args
        now = time.monotonic()
        # The exam's opening on this process's clock (both read the same machine's clock).
        opens_at = now + (self.exam_opens_at - datetime.now(UTC)).total_seconds()
        signin_start = now
        window = max(0.0, min(args.signin_window, opens_at - 5 - now))
        rng = random.Random(self.seed)
        self.examinees = [Examinee(self, i, number) for i, number in enumerate(self.numbers)]
        tasks = []
        for examinee in self.examinees:
            arrive = signin_start + rng.uniform(0, window)
            start = opens_at + 0.5 + rng.uniform(0, args.ramp)
            tasks.append(asyncio.create_task(examinee.live(arrive, start)))
        fault = asyncio.create_task(self.faults_task(opens_at))
        bound = (
            args.max_minutes * 60
            if args.max_minutes
            else (opens_at - now) + args.ramp + self.expected_answering() * 2.5 + 600
        )
        self.opens_at = opens_at
        busy = asyncio.create_task(self._sample_busy(opens_at))
        _done, pending = await asyncio.wait(tasks, timeout=bound)
        self.busy_end = cpu_busy()
        for task in [*pending, fault, busy]:
            task.cancel()
        await asyncio.gather(*pending, fault, busy, return_exceptions=True)
        self.unfinished = len(pending)
        self.ended_at = time.monotonic()

    async def _sample_busy(self, opens_at):
        await asyncio.sleep(max(0.0, opens_at - time.monotonic()))
        self.busy_start = cpu_busy()


# -- verification and the report ----------------------------------------------------------------


def verify(run: Run) -> dict:
    """Every acknowledged answer must be stored as last acknowledged (or as a later answer the
    same client sent for that question)."""
    from django.db import close_old_connections

    from assessments.models import Attempt, AttemptItem

    close_old_connections()
    stored = {
        pk: (seq, response)
        for pk, seq, response in AttemptItem.objects.filter(attempt__exam_id=run.exam_id)
        .values_list("pk", "seq", "response")
        .iterator(chunk_size=5000)
    }
    acknowledged = lost = later = 0
    examples = []
    for examinee in run.examinees:
        for item, (seq, response) in examinee.acked.items():
            acknowledged += 1
            db_seq, db_response = stored.get(item, (-1, None))
            ok = db_seq == seq and db_response == response
            if not ok and db_seq > seq and examinee.sent[item].get(db_seq, object()) == db_response:
                later += 1
                ok = True
            if not ok:
                lost += 1
                if len(examples) < 5:
                    examples.append(
                        f"item {item}: acknowledged seq {seq} {response!r}, "
                        f"stored seq {db_seq} {db_response!r}"
                    )
    statuses = Counter(Attempt.objects.filter(exam_id=run.exam_id).values_list("status", flat=True))
    return {
        "acknowledged_answers": acknowledged,
        "lost_acknowledged_answers": lost,
        "stored_later_answer": later,
        "lost_examples": examples,
        "attempts": dict(statuses),
        "open_attempts": Attempt.objects.filter(exam_id=run.exam_id, status="in_progress").count(),
    }


def pct(values, q):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def cpu_busy():
    """Jiffies busy and total of the whole machine (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _proc_cpu(pid: int, *, children: bool) -> float:
    """utime + stime of a process (and of its reaped children) from /proc, in seconds."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL server on this machine (all its databases): the postmaster
    with the backends it has reaped, plus the live backends."""
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name.startswith("postgres"):
            parent = int(text[text.rindex(")") + 2 :].split()[1])
            processes[int(stat.parent.name)] = parent
    total = 0.0
    for pid, parent in processes.items():
        total += _proc_cpu(pid, children=parent not in processes)
    return total


def report(run: Run, verification: dict, resources: dict) -> dict:
    stats = run.stats
    args = run.args
    rows = []
    for endpoint in ENDPOINTS:
        values = stats.latencies.get(endpoint, [])
        errors = sum(stats.errors[endpoint].values())
        fault_errors = sum(stats.fault_errors[endpoint].values())
        if not values and not errors and not fault_errors:
            continue
        rows.append(
            {
                "endpoint": endpoint,
                "count": len(values),
                "p50_ms": _ms(pct(values, 50)),
                "p95_ms": _ms(pct(values, 95)),
                "p99_ms": _ms(pct(values, 99)),
                "max_ms": _ms(max(values) if values else None),
                "errors": errors,
                "error_kinds": dict(stats.errors[endpoint]),
                "fault_errors": fault_errors,
                "fault_error_kinds": dict(stats.fault_errors[endpoint]),
            }
        )
    exam_phase = run.ended_at - run.opens_at
    exam_requests = sum(
        len(stats.latencies.get(e, []))
        for e in ENDPOINTS
        if e not in ("login page", "sign-in", "portal home")
    )
    return {
        "users": args.users,
        "questions": args.questions,
        "think_seconds": [t * args.think_scale for t in args.think],
        "signin_window_s": args.signin_window,
        "ramp_s": args.ramp,
        "faults": run.faults,
        "seed": run.seed,
        "signed_in_now": run.signed_in,
        "signed_in_earlier": args.signed_in,
        "finished": run.finished,
        "unfinished": run.unfinished,
        "client_failures": dict(run.failures),
        "refused_saves": run.refused_saves,
        "stale_saves": run.stale_saves,
        "queued_batches": run.queued_batches,
        "queued_answers": run.queued_answers,
        "responses_lost_in_cut": stats.responses_lost_in_cut,
        "endpoints": rows,
        "errors_total": sum(r["errors"] for r in rows),
        "fault_errors_total": sum(r["fault_errors"] for r in rows),
        "exam_phase_s": round(exam_phase, 1),
        "exam_requests_per_s": round(exam_requests / exam_phase, 1) if exam_phase > 0 else None,
        "autosaves_per_s": round(len(stats.latencies.get("autosave", [])) / exam_phase, 1)
        if exam_phase > 0
        else None,
        "starts_spread_s": resources.get("starts_spread_s"),
        **verification,
        **resources,
    }


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def print_report(figures: dict, out=print):
    out("")
    out(
        f"exam day: {figures['users']} examinees, {figures['questions']} questions, think "
        f"{figures['think_seconds'][0]:.1f}–{figures['think_seconds'][1]:.1f} s, sign-in window "
        f"{figures['signin_window_s']:.0f} s, start ramp {figures['ramp_s']:.0f} s"
    )
    if figures["signed_in_earlier"]:
        out("examinees signed in earlier (sessions made in the session store before the run)")
    else:
        out(f"{figures['signed_in_now']} examinees signed in during the run")
    for fault in figures["faults"]:
        out(f"fault: {fault}")
    out(f"{'endpoint':<12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>7} {'in fault':>8}")  # fmt: skip
    for row in figures["endpoints"]:
        out(
            f"{row['endpoint']:<12} {row['count']:>7} {_f(row['p50_ms'])} {_f(row['p95_ms'])} "
            f"{_f(row['p99_ms'])} {_f(row['max_ms'])} {row['errors']:>7} {row['fault_errors']:>8}"
        )
        kinds = {
            **row["error_kinds"],
            **{f"{k} (fault)": v for k, v in row["fault_error_kinds"].items()},
        }
        if kinds:
            out(f"{'':<12} {kinds}")
    out(
        f"exam phase {figures['exam_phase_s']} s: {figures['exam_requests_per_s']} requests/s, "
        f"{figures['autosaves_per_s']} autosaves/s; starts completed within "
        f"{figures['starts_spread_s']} s of the opening"
    )
    out(
        f"examinees finished {figures['finished']}/{figures['users']}, unfinished "
        f"{figures['unfinished']}, failures {figures['client_failures'] or 0}, refused saves "
        f"{figures['refused_saves']}, stale saves answered again {figures['stale_saves']}, "
        f"responses lost in the cut {figures['responses_lost_in_cut']}"
    )
    out(
        f"answers that waited in a client's queue and went together: {figures['queued_answers']} "
        f"in {figures['queued_batches']} requests"
    )
    out(
        f"attempts {figures['attempts']}; acknowledged answers {figures['acknowledged_answers']}, "
        f"LOST {figures['lost_acknowledged_answers']} (stored a later answer of the same client: "
        f"{figures['stored_later_answer']})"
    )
    for example in figures["lost_examples"]:
        out(f"  lost: {example}")
    out(
        f"CPU: load generator {figures['client_cpu_s']:.0f} s ({figures['client_cpu_share']:.0%} "
        f"of one core over the run), gunicorn and task worker {figures['server_cpu_s']:.0f} s, "
        f"PostgreSQL {figures['postgres_cpu_s']:.0f} s, in {figures['wall_s']:.0f} s; machine "
        f"busy {figures['machine_busy']:.0%} during the exam phase; other pytest processes at "
        f"the start: {figures['other_pytest']}"
    )


def _f(value):
    return f"{value:>8.1f}" if value is not None else f"{'—':>8}"


def main(argv=None):
    args = parse_args(argv)
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def log(message):
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    django_setup(args)
    numbers = prepare(args, log)
    if args.prepare_only:
        return 0
    stored = {}
    if args.signed_in:
        stored = make_sessions(numbers)
        args.signin_window = 0.0
    from django.db import connections

    connections.close_all()
    servers = [Server(args, log, port=args.port + n) for n in range(args.servers)]
    server = servers[0]  # and its task worker
    other_pytest = subprocess.run(
        ["pgrep", "-f", "pytest"], capture_output=True, text=True
    ).stdout.split()
    run = None
    try:
        server.start_worker()
        for one in servers:
            one.start()
            log(f"gunicorn up on {one.base} ({len(one.workers())} workers); log {one.logfile}")
        exam = create_exam(args)
        connections.close_all()
        log(f"exam {exam.pk} opens at {exam.opens_at:%H:%M:%S} UTC for {len(numbers)} examinees")
        run = Run(args, exam, numbers, servers, stored, log)
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        postgres0 = postgres_cpu_seconds()
        server0 = sum(one.cpu_seconds() for one in servers)
        wall0 = time.monotonic()
        asyncio.run(run.main())
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        postgres1 = postgres_cpu_seconds()
        server1 = sum(one.cpu_seconds() for one in servers)
        wall = time.monotonic() - wall0
    finally:
        for one in servers:
            one.stop()
        server.stop_worker()
        for one in servers:
            one.kill()
    client_cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    (b0, t0), (b1, t1) = run.busy_start, run.busy_end
    resources = {
        "client_cpu_s": client_cpu,
        "client_cpu_share": client_cpu / wall if wall else 0,
        "server_cpu_s": server1 - server0,
        "postgres_cpu_s": postgres1 - postgres0,
        "wall_s": wall,
        "machine_busy": (b1 - b0) / (t1 - t0) if t1 > t0 else 0,
        "other_pytest": len(other_pytest),
        "starts_spread_s": verification_starts(exam.pk, exam.opens_at),
    }
    figures = report(run, verify(run), resources)
    print_report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.check:
        problems = []
        if figures["errors_total"]:
            problems.append(f"{figures['errors_total']} errors outside faults")
        if figures["lost_acknowledged_answers"]:
            problems.append(f"{figures['lost_acknowledged_answers']} acknowledged answers lost")
        if figures["unfinished"] or figures["client_failures"] or figures["finished"] != args.users:
            problems.append("examinees did not finish")
        if figures["open_attempts"]:
            problems.append(f"{figures['open_attempts']} attempts still open")
        if problems:
            print("CHECK FAILED: " + "; ".join(problems))
            return 1
        print("CHECK PASSED: no error, no lost answer, every examinee finished")
    return 0


def verification_starts(exam_id, opens_at):
    """Seconds from the exam's opening to the last attempt's start (server clock)."""
    from django.db.models import Max

    from assessments.models import Attempt

    last = Attempt.objects.filter(exam_id=exam_id).aggregate(last=Max("started_at"))["last"]
    return round((last - opens_at).total_seconds(), 1) if last else None


if __name__ == "__main__":
    sys.exit(main())
