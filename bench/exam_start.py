"""The CPU of one exam start, step by step, on the production stack.

    .venv/bin/python bench/exam_start.py --users 400 --questions 10

A start is what an examinee's phone does when the exam opens: the exam's page, the start
(POST), the attempt page and the page's static files. This bench prepares the database and
gunicorn exactly as ``bench/exam_day.py`` does (production configuration, PostgreSQL, Redis,
examinees signed in earlier), opens one exam, and then runs every examinee's start chain one
step at a time for all of them — first every exam page, then every start, then every attempt
page, then every static file — at a fixed concurrency (``--clients``). Around each step it
reads the CPU of gunicorn with its task worker and of PostgreSQL from /proc, so it prints the
CPU each step costs per examinee and the sum, against the goal of 15 ms for the whole start.

It also prints the queries of each step as the server ran them (counted in-process on the same
database with the test client, once) so that a figure can be read next to its cause.

Bounded: at most 5,000 examinees and ``--max-minutes``; loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import exam_day  # noqa: E402

GOAL_MS = 15.0
STEPS = ("exam page", "start", "attempt page", "static files")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=400, help="examinees (≤ 5000)")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8, help="requests in flight at once")
    exam_day.add_server_arguments(parser, port=8110)
    parser.add_argument(
        "--no-papers",
        dest="papers",
        action="store_false",
        help="start without papers drawn ahead (run with EXAM_PAPERS_AHEAD_HOURS=0)",
    )
    parser.add_argument("--max-minutes", type=float, default=20.0)
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 5000:
        parser.error("--users must be between 1 and 5000")
    # What exam_day's helpers read.
    args.signin_window = 0.0
    args.time_limit = 60
    return args


class Chain:
    def __init__(self, number, cookies):
        self.number = number
        self.cookies = dict(cookies)
        self.attempt_url = None
        self.assets: list[str] = []


async def _request(session, base, chain, method, path, *, data=None, expect=(200,)):
    headers = {
        "X-Forwarded-Proto": "https",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "User-Agent": "exam-start-bench",
        "Cookie": "; ".join(f"{k}={v}" for k, v in chain.cookies.items()),
    }
    if method == "POST":
        headers["Origin"] = base.replace("http://", "https://")
    async with session.request(
        method, base + path, data=data, headers=headers, allow_redirects=False
    ) as response:
        body = await response.read()
        for name, morsel in response.cookies.items():
            if morsel.value:
                chain.cookies[name] = morsel.value
        if response.status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        return response, body


async def run_step(step, chains, base, exam_id, clients):
    import aiohttp

    queue = asyncio.Queue()
    for chain in chains:
        queue.put_nowait(chain)
    latencies = []
    errors = []
    connector = aiohttp.TCPConnector(limit=clients)

    async def one(session, chain):
        started = time.perf_counter()
        if step == "exam page":
            await _request(session, base, chain, "GET", f"/exams/{exam_id}/")
        elif step == "start":
            response, _ = await _request(
                session, base, chain, "POST", f"/exams/{exam_id}/start/",
                data={"csrfmiddlewaretoken": chain.cookies.get("csrftoken", "")},
                expect=(302,),
            )  # fmt: skip
            location = response.headers.get("Location", "")
            if "/attempts/" not in location:
                raise RuntimeError(f"start went to {location!r}")
            chain.attempt_url = urlsplit(location).path
        elif step == "attempt page":
            _, body = await _request(session, base, chain, "GET", chain.attempt_url)
            html = body.decode()
            if not exam_day._parse_items(html):
                raise RuntimeError("the attempt page shows no questions")
            chain.assets = list(dict.fromkeys(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)))
        else:
            for asset in chain.assets:
                await _request(session, base, chain, "GET", asset)
        latencies.append(time.perf_counter() - started)

    async def worker(session):
        while True:
            try:
                chain = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await one(session, chain)
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors.append(f"{chain.number}: {error}")

    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(clients)))
    return latencies, errors


def draw_papers(exam, log):
    """Draw the exam's papers as the background job does before a real opening (in this
    process, after the bench has moved the opening to now, which starts a new generation)."""
    from assessments.services import papers_fill, pool_size

    started = time.perf_counter()
    drawn = papers_fill(exam)
    log(f"drew {drawn} papers in {time.perf_counter() - started:.1f} s; waiting: {pool_size(exam)}")


def main(argv=None):
    args = parse_args(argv)
    exam_day.OUTPUT.mkdir(parents=True, exist_ok=True)

    def log(message):
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    exam_day.django_setup(args)
    numbers = exam_day.prepare(args, log)
    sessions = exam_day.make_sessions(numbers)
    from datetime import timedelta

    from django.db import connections
    from django.utils import timezone

    server = exam_day.Server(args, log)
    deadline = time.monotonic() + args.max_minutes * 60
    try:
        server.start_worker()
        server.start()
        exam = exam_day.create_exam(args)
        log(f"gunicorn up ({len(server.workers())} workers); exam {exam.pk}")
        # Open it now (the bench does not wait for the clock).
        type(exam).objects.filter(pk=exam.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
        exam.refresh_from_db()
        if args.papers:
            draw_papers(exam, log)
        connections.close_all()
        chains = [Chain(n, sessions[n]) for n in numbers]
        base = server.base
        figures = {}
        for step in STEPS:
            if time.monotonic() > deadline:
                raise SystemExit("stopped: --max-minutes reached")
            time.sleep(1.0)
            app0, pg0 = server.cpu_seconds(), exam_day.postgres_cpu_seconds()
            wall0 = time.monotonic()
            latencies, errors = asyncio.run(run_step(step, chains, base, exam.pk, args.clients))
            wall = time.monotonic() - wall0
            time.sleep(0.5)  # work the queue took after the responses (audit entries)
            app1, pg1 = server.cpu_seconds(), exam_day.postgres_cpu_seconds()
            n = len(chains)
            figures[step] = {
                "app_ms": (app1 - app0) / n * 1000,
                "db_ms": (pg1 - pg0) / n * 1000,
                "p50": exam_day.pct(latencies, 50) or 0.0,
                "p95": exam_day.pct(latencies, 95) or 0.0,
                "errors": len(errors),
                "rate": n / wall if wall else 0,
            }
            if errors:
                log(f"{step}: {len(errors)} errors, e.g. {errors[:3]}")
    finally:
        server.stop()
        server.stop_worker()
        server.kill()
    print()
    print(f"Start chain CPU per examinee ({len(numbers)} examinees, {args.questions} questions, "
          f"{args.clients} clients)")  # fmt: skip
    print(f"{'step':<14} {'app ms':>8} {'db ms':>8} {'sum ms':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'per s':>7} {'errors':>6}")  # fmt: skip
    total_app = total_db = 0.0
    for step, f in figures.items():
        total_app += f["app_ms"]
        total_db += f["db_ms"]
        print(
            f"{step:<14} {f['app_ms']:8.1f} {f['db_ms']:8.1f} {f['app_ms'] + f['db_ms']:8.1f} "
            f"{f['p50'] * 1000:8.1f} {f['p95'] * 1000:8.1f} {f['rate']:7.0f} {f['errors']:6d}"
        )
    total = total_app + total_db
    print(f"{'start in all':<14} {total_app:8.1f} {total_db:8.1f} {total:8.1f}")
    print(f"goal ≤ {GOAL_MS:.0f} ms in all: {'met' if total <= GOAL_MS else 'not met'}")
    return 0 if not any(f["errors"] for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
