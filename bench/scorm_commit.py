"""SCORM commits: how many the commit endpoint sustains on the production configuration.

    .venv/bin/python bench/scorm_commit.py --learners 1000 --interval 30 --duration 120

The goal (issue #19): 1,000 learners each committing every 30 s (about 33 commits/s) with p95
≤ 300 ms. Bounded in learners and time, on loopback only:

1. Prepares a PostgreSQL database (``--database-url``, default ``ga_scorm_bench``; created and
   migrated when missing): N learner accounts (bench/exam_day.py's import path), a published
   course whose lesson holds the demo SCORM 1.2 package (``courses.scorm.services``), and one
   attempt per learner (``attempt_launch``, as opening the player does).
2. Starts gunicorn with ``lms/gunicorn.conf.py`` as ``make serve-prod`` runs it (DEBUG=0,
   PostgreSQL, Redis ``--redis-url`` for cache and sessions) through bench/exam_day.py's
   ``Server``.
3. Every learner's player commits what scorm-again sends for a SCORM 1.2 SCO in the flattened
   format with a full commit (about 40 elements, ``suspend_data`` of ``--suspend-chars``,
   interactions), every ``--interval`` seconds from a random start, with a sequence number one
   above its last, the session cookie, the CSRF token and the Origin a browser sends. A second
   phase (``--max-rate``) sends as fast as ``--clients`` connections allow, for the ceiling.
4. Prints commits/s, p50/p95/p99 latency, errors and refusals, and checks that every learner's
   stored sequence number is the last one acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_day  # noqa: E402  (the server, accounts and sessions of the exam-day benchmark)

COURSE_CODE = "BENCH-SCORM"
SUSPEND = "2B1a0b0c0d0e0f0g0h0i0j0k0l0m0n0o0p0q0r0s0t0u0v0w0x0y0z~2k1001a1b1c~201r2"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000, help="learners (≤ 5000)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between commits")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of steady load")
    parser.add_argument("--suspend-chars", type=int, default=4000)
    parser.add_argument(
        "--max-rate",
        type=float,
        default=20.0,
        help="then this many seconds as fast as --clients allow (0: skip)",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/ga_scorm_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)  # fmt: skip
    if not 1 <= args.learners <= 5000:
        parser.error("--learners must be between 1 and 5000")
    if args.duration > 900 or args.max_rate > 300:
        parser.error("a run is bounded: --duration ≤ 900, --max-rate ≤ 300")
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("the database and Redis must be on loopback")
    return args


def prepare(args, log) -> tuple[dict[str, int], dict[str, int]]:
    """Accounts, the course with its package, one attempt each: {number: attempt id} and
    {number: the attempt's stored sequence number} (a later run goes on from there)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from courses.models import CourseIndexPage, CoursePage, Lesson
    from courses.scorm import services
    from courses.scorm.demo import scorm12_package
    from courses.scorm.models import ScormAttempt, ScormPackage
    from lms.models import Employee

    exam_day.ensure_database(args.database_url)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)
    if exam_day.static_is_stale():
        call_command("collectstatic", verbosity=0, interactive=False)
    numbers = exam_day.ensure_examinees(args.learners, log)
    course = CoursePage.objects.filter(code=COURSE_CODE).first()
    if course is None:
        course = CoursePage(
            title="SCORM 压测课程", code=COURSE_CODE, category="safety", summary="压测",
            hours=1, lessons=[Lesson(title="SCORM 课时", minutes=30, body=[])],
        )  # fmt: skip
        CourseIndexPage.objects.get().add_child(instance=course)
        course.save_revision().publish()
    lesson = course.lessons.get()
    package = ScormPackage.objects.filter(lesson=lesson).first()
    if package is None:
        package = services.package_upload(
            upload=SimpleUploadedFile("bench12.zip", scorm12_package()), lesson=lesson
        )
    sco = package.scos.get()
    employees = Employee.objects.filter(number__in=numbers)
    have = set(ScormAttempt.objects.filter(sco=sco).values_list("employee__number", flat=True))
    for employee in employees:
        if employee.number not in have:
            services.attempt_launch(employee=employee, sco=sco)
    rows = ScormAttempt.objects.filter(sco=sco, employee__number__in=numbers).values_list(
        "employee__number", "pk", "seq"
    )
    return {n: pk for n, pk, _seq in rows}, {n: seq for n, _pk, seq in rows}


def commit_body(seq: int, suspend_chars: int, started: float) -> bytes:
    """What scorm-again's flattened full commit of a SCORM 1.2 SCO carries mid-way."""
    from courses.scorm.services import format_scorm12_time

    elapsed = int(time.monotonic() - started)
    cmi = {
        # Authoring tools keep suspend_data compact and ASCII (Storyline's is base64-like).
        "cmi.suspend_data": (SUSPEND * (suspend_chars // len(SUSPEND) + 1))[:suspend_chars],
        "cmi.launch_data": "",
        "cmi.comments": "",
        "cmi.comments_from_lms": "",
        "cmi.core.student_id": "BX00001",
        "cmi.core.student_name": "考生",
        "cmi.core.lesson_location": str(seq % 3 + 1),
        "cmi.core.credit": "credit",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.entry": "resume",
        "cmi.core.lesson_mode": "normal",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": format_scorm12_time(elapsed),
        "cmi.core.score.raw": "",
        "cmi.core.score.min": "",
        "cmi.core.score.max": "100",
        "cmi.objectives": {},
        "cmi.student_data.mastery_score": "80",
        "cmi.student_data.max_time_allowed": "",
        "cmi.student_data.time_limit_action": "",
        "cmi.student_preference.audio": "0",
        "cmi.student_preference.language": "",
        "cmi.student_preference.speed": "0",
        "cmi.student_preference.text": "0",
    }  # fmt: skip
    for index in range(4):
        base = f"cmi.interactions.{index}."
        cmi.update({base + "id": f"q{index}", base + "type": "choice",
                    base + "student_response": "b", base + "result": "correct",
                    base + "latency": "0000:00:05", base + "weighting": "1"})  # fmt: skip
    return json.dumps({"seq": seq, "cmi": cmi}, ensure_ascii=False).encode()


class Load:
    def __init__(self, args, cookies, attempts, seqs):
        self.args = args
        self.cookies = cookies
        self.attempts = attempts
        self.base = f"http://127.0.0.1:{args.port}"
        self.origin = f"https://127.0.0.1:{args.port}"
        self.latencies: list[float] = []
        self.statuses: dict[int | str, int] = {}
        self.acknowledged: dict[str, int] = {}
        self.seq: dict[str, int] = dict(seqs)
        self.started = time.monotonic()
        self.last_done = self.started

    async def commit(self, session, number):
        self.seq[number] += 1
        seq = self.seq[number]
        cookie = self.cookies[number]
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": cookie["csrftoken"],
            "X-Forwarded-Proto": "https",
            "Origin": self.origin,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookie.items()),
        }
        body = commit_body(seq, self.args.suspend_chars, self.started)
        url = f"{self.base}/learning/scorm/attempts/{self.attempts[number]}/commit/"
        begun = time.perf_counter()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
        except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
            status = type(error).__name__
        self.latencies.append(time.perf_counter() - begun)
        self.last_done = time.monotonic()
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.acknowledged[number] = max(self.acknowledged.get(number, 0), seq)

    async def learner(self, session, number, until):
        await asyncio.sleep(random.uniform(0, self.args.interval))
        while time.monotonic() < until:
            await self.commit(session, number)
            await asyncio.sleep(self.args.interval)

    async def steady(self):
        import aiohttp

        until = time.monotonic() + self.args.duration
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(self.learner(session, n, until) for n in self.attempts))

    async def flat_out(self):
        import aiohttp

        until = time.monotonic() + self.args.max_rate
        numbers = list(self.attempts)

        async def client(offset):
            index = offset
            while time.monotonic() < until:
                await self.commit(session, numbers[index % len(numbers)])
                index += self.args.clients

        connector = aiohttp.TCPConnector(limit=self.args.clients)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(client(i) for i in range(self.args.clients)))


def figures(load: Load, seconds: float) -> dict:
    lat = load.latencies
    return {
        "commits": len(lat),
        "commits_per_s": round(len(lat) / seconds, 1) if seconds else None,
        "p50_ms": round(1000 * exam_day.pct(lat, 50), 1) if lat else None,
        "p95_ms": round(1000 * exam_day.pct(lat, 95), 1) if lat else None,
        "p99_ms": round(1000 * exam_day.pct(lat, 99), 1) if lat else None,
        "statuses": {str(k): v for k, v in sorted(load.statuses.items(), key=str)},
    }


def verify(load: Load) -> int:
    """Learners whose stored sequence number is not the last one the server acknowledged."""
    from courses.scorm.models import ScormAttempt

    stored = dict(
        ScormAttempt.objects.filter(pk__in=load.attempts.values()).values_list("pk", "seq")
    )
    return sum(
        1 for number, seq in load.acknowledged.items() if stored.get(load.attempts[number]) != seq
    )


def main(argv=None):
    args = parse_args(argv)
    exam_day.OUTPUT.mkdir(parents=True, exist_ok=True)

    def log(text):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    exam_day.django_setup(args)
    attempts, seqs = prepare(args, log)
    cookies = exam_day.make_sessions(list(attempts))
    server = exam_day.Server(args, log)
    server.start()
    log(f"gunicorn up on {server.base} ({len(server.workers())} workers); {len(attempts)} learners")
    try:
        steady = Load(args, cookies, attempts, seqs)
        begun, cpu_before = time.monotonic(), server.cpu_seconds()
        load_before = Path("/proc/loadavg").read_text().split()[0]
        asyncio.run(steady.steady())
        # The rate is over the span commits were made in (the learners' last sleep is not load).
        steady_figures = figures(steady, steady.last_done - begun)
        # Server CPU per commit: what the machine's other work cannot inflate much.
        steady_figures["server_cpu_ms_per_commit"] = round(
            1000 * (server.cpu_seconds() - cpu_before) / max(1, steady_figures["commits"]), 1
        )
        steady_figures["load_average_before"] = float(load_before)
        results = {
            "learners": args.learners,
            "interval_s": args.interval,
            "offered_per_s": round(args.learners / args.interval, 1),
            "steady": steady_figures,
        }
        if args.max_rate:
            ceiling = Load(args, cookies, attempts, steady.seq)
            begun = time.monotonic()
            asyncio.run(ceiling.flat_out())
            results["ceiling"] = figures(ceiling, ceiling.last_done - begun)
            results["ceiling"]["clients"] = args.clients
            steady.acknowledged.update(ceiling.acknowledged)
        results["stale_after_run"] = verify(steady)
    finally:
        server.stop()
    s = results["steady"]
    print(
        f"\nSCORM commits, {args.learners} learners every {args.interval:.0f} s "
        f"(offered {results['offered_per_s']}/s) for {args.duration:.0f} s: "
        f"{s['commits']} commits, {s['commits_per_s']}/s, p50 {s['p50_ms']} ms, "
        f"p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, statuses {s['statuses']}; "
        f"server CPU {s['server_cpu_ms_per_commit']} ms per commit; machine load average "
        f"{s['load_average_before']} on {os.cpu_count()} cores when the run began"
    )
    if "ceiling" in results:
        c = results["ceiling"]
        print(
            f"Ceiling with {args.clients} connections for {args.max_rate:.0f} s: "
            f"{c['commits_per_s']} commits/s, p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms, "
            f"p99 {c['p99_ms']} ms, statuses {c['statuses']}"
        )
    print(f"Learners whose stored seq is not their last acknowledged: {results['stale_after_run']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
