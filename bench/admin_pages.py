"""Benchmark: the Wagtail back-office pages a trainer works in, with the demo data ×N (issue 20).

Seeds the demo into its own PostgreSQL database, multiplies what these pages list or offer to
choose (course pages, plan items, questions, exams, employees) by ``--scale``, then requests each
page in-process through Django's test client as the demo's trainer, with the production settings
(``DEBUG=0``, Redis cache and sessions), and prints per page the server time (median and worst of
``--runs``), its CPU time and its SQL queries. ``--profile NAME`` prints the cProfile of one page.

.venv/bin/python bench/admin_pages.py [--scale 10] [--runs 7] [--profile exam_edit]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_day  # noqa: E402  (the production environment and the database helpers)

PAGES = ("course_edit", "page_explorer", "plan_edit", "question_list", "exam_edit")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="the demo data ×N")
    parser.add_argument("--runs", type=int, default=7, help="requests per page (after one warm-up)")
    parser.add_argument("--profile", choices=PAGES, help="print the cProfile of this page")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/grid_admin_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--fresh", action="store_true", help="seed again from an empty database")
    return parser.parse_args(argv)


def prepare(args, log):
    """The demo ×scale in its own database, seeded once (``--fresh`` starts over)."""
    from django.core.management import call_command

    from courses.models import CoursePage

    if args.fresh:
        _drop_database(args.database_url)
    exam_day.ensure_database(args.database_url)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if exam_day.static_is_stale():
        call_command("collectstatic", verbosity=0, interactive=False)
    if not CoursePage.objects.exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        log(f"demo seeded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        multiply(args.scale)
        log(f"demo ×{args.scale} in {time.perf_counter() - started:.0f} s")


def _drop_database(url):
    from urllib.parse import urlsplit

    import psycopg

    split = urlsplit(url)
    name = split.path.lstrip("/")
    admin = split._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def multiply(scale: int):
    """Copies of what the five pages list or offer to choose, ``scale - 1`` of each row."""
    from django.db import transaction

    from assessments.models import AssemblyRule, Exam, ExamQuestion, Question
    from courses.models import CoursePage, TrainingPlanPage
    from lms.models import Employee
    from lms.services import employees_bulk_create

    copies = range(1, scale)
    with transaction.atomic():
        # Ten times the courses, and the plans, each as long as the demo's (a plan page lists
        # its own items).
        for page in [
            *CoursePage.objects.live().specific(),
            *TrainingPlanPage.objects.live().specific(),
        ]:
            parent = page.get_parent()
            for n in copies:
                page.copy(
                    to=parent,
                    update_attrs={
                        "title": f"{page.title}（{n + 1}）",
                        "slug": f"{page.slug}-{n + 1}",
                    },
                    copy_revisions=False,
                    keep_live=True,
                    log_action=None,
                )
        questions = list(Question.objects.all())
        Question.objects.bulk_create([_copy(q) for q in questions for n in copies])
        employees = list(Employee.objects.all())
        employees_bulk_create(
            employees=[
                _copy(e, number=f"{e.number}X{n + 1}", user_id=None, email="")
                for e in employees
                for n in copies
            ]
        )
        for exam in list(Exam.objects.all()):
            rules = list(exam.rules.all())
            fixed = list(exam.fixed_questions.all())
            for n in copies:
                twin = _copy(exam, title=f"{exam.title}（{n + 1}）", is_published=False)
                twin.save()
                AssemblyRule.objects.bulk_create([_copy(r, exam=twin) for r in rules])
                ExamQuestion.objects.bulk_create([_copy(q, exam=twin) for q in fixed])


def _copy(instance, **changes):
    twin = instance.__class__()
    for field in instance._meta.concrete_fields:
        if not field.primary_key:
            setattr(twin, field.attname, getattr(instance, field.attname))
    for name, value in changes.items():
        setattr(twin, name, value)
    return twin


def page_urls() -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from assessments.models import Exam
    from courses.models import CourseIndexPage, CoursePage, TrainingPlanPage

    course = CoursePage.objects.live().order_by("pk").first()
    plan = TrainingPlanPage.objects.annotate(n=Count("items")).order_by("-n", "pk").first()
    exam = Exam.objects.filter(rules__isnull=False).order_by("pk").first() or Exam.objects.first()
    index = CourseIndexPage.objects.first()
    return {
        "course_edit": reverse("wagtailadmin_pages:edit", args=[course.pk]),
        "page_explorer": reverse("wagtailadmin_explore", args=[index.pk]),
        "plan_edit": reverse("wagtailadmin_pages:edit", args=[plan.pk]),
        "question_list": reverse("questions:index"),
        "exam_edit": reverse("exams:edit", args=[exam.pk]),
    }


def trainer():
    from lms.models import Employee
    from lms.roles import Role

    employee = (
        Employee.objects.filter(user__groups__name=Role.TRAINER, user__is_active=True)
        .select_related("user")
        .order_by("number")
        .first()
    )
    return employee.user


def sizes() -> dict[str, int]:
    from assessments.models import Exam, Question
    from courses.models import CoursePage, PlanItem, TrainingPlanPage
    from lms.models import Employee

    return {
        "course pages": CoursePage.objects.count(),
        "plans": TrainingPlanPage.objects.count(),
        "plan items": PlanItem.objects.count(),
        "questions": Question.objects.count(),
        "exams": Exam.objects.count(),
        "employees": Employee.objects.count(),
    }


def measure(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, secure=True)  # warm-up: caches, templates, connections
    assert response.status_code == 200, (url, response.status_code)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, secure=True)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return {
        "median_ms": statistics.median(walls) * 1000,
        "best_ms": min(walls) * 1000,
        "worst_ms": max(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "queries": len(queries),
        "bytes": len(response.content),
    }


def reference_ms() -> float:
    """A fixed piece of pure Python (best of 5), printed beside the figures: this VM's speed
    drifts by half within minutes, and pages are only comparable at a similar reference."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.process_time() - started)
    return best * 1000


def main(argv=None):
    args = parse_args(argv)
    os.environ.update(exam_day.server_environment(args))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()

    def log(message):
        print(message, file=sys.stderr, flush=True)

    prepare(args, log)
    from django.test import Client

    client = Client()
    client.force_login(trainer())
    urls = page_urls()
    print(f"reference loop: {reference_ms():.0f} ms (before)")
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in sizes().items()))
    print(
        f"{'page':<15} {'best ms':>8} {'median ms':>10} {'worst ms':>9} {'CPU ms':>7} "
        f"{'queries':>8} {'KB':>6}"
    )
    for name, url in urls.items():
        figures = measure(client, url, args.runs)
        print(
            f"{name:<15} {figures['best_ms']:>8.0f} {figures['median_ms']:>10.0f} "
            f"{figures['worst_ms']:>9.0f} "
            f"{figures['cpu_ms']:>7.0f} {figures['queries']:>8} {figures['bytes'] / 1024:>6.0f}"
        )
    print(f"reference loop: {reference_ms():.0f} ms (after)")
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        client.get(urls[args.profile], secure=True)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
