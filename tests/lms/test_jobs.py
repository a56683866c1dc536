"""Background jobs (lms.jobs): progress, result, errors and access, on both task backends."""

import os
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from assessments import services as assessment_services
from assessments.models import Attempt, QuestionType
from lms.jobs import JobError, job_run, job_start
from lms.models import BackgroundJob, Employee, Position
from lms.scheduling import schedule_due_jobs
from tests import factories as f
from tests.conftest import login, with_session
from tests.factories import assessments as af
from tests.factories import careers as cf
from tests.factories.spreadsheets import xlsx_upload

HEADERS = ["工号", "姓名", "部门编码", "岗位编码"]
IMPORT_URL = "/admin/employees/import/"
SCHEDULED_KINDS = {
    "assessments.remind_expiring_certificates",
    "courses.refresh_required_training",
    "courses.send_training_reminders",
    "drills.remind_overdue_actions",
}


def rows(count):
    return [[f"QC{i:04d}", f"员工{i}", "C-A-1", "P12"] for i in range(1, count + 1)]


@pytest.fixture
def org(company, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    return f.position(code="P12", name="配电线路工")


def preview(client, data):
    response = client.post(IMPORT_URL, {"import_file": xlsx_upload(HEADERS, data)})
    assert response.status_code == HTTPStatus.OK and response.context["token"]
    return {"confirm": "1", "token": response.context["token"], "file_format": "xlsx"}


def pending_files():
    folder = "imports/pending"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


# --- every kind of long job reports progress and result -----------------------------------------


def test_a_large_import_runs_as_a_job_and_lands_on_its_page(
    client, people, org, django_capture_on_commit_callbacks
):
    login(client, people["hr"])
    confirm = preview(client, rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, confirm)
    job = BackgroundJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("lms_jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.done, job.total) == ("lms.spreadsheet_import", "done", 3, 3)
    assert job.message == "导入完成：新增 3 条，更新 0 条，未变 0 条。"
    assert Employee.objects.filter(number__startswith="QC").count() == 3
    assert pending_files() == []  # the worker removed the upload
    page = client.get(response.url).content.decode()
    assert 'value="100"' in page and job.message in page


def test_a_small_import_still_runs_in_the_request(client, people, org):
    login(client, people["hr"])
    response = client.post(IMPORT_URL, preview(client, rows(2)))
    assert response.url == reverse("employees:index")
    assert not BackgroundJob.objects.exists()
    assert Employee.objects.filter(number__startswith="QC").count() == 2
    assert pending_files() == []


def test_a_failing_import_job_names_the_rows_saves_nothing_in_the_owners_language(
    client, people, org, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(people["hr"].user)
    profile.preferred_language = "en"
    profile.save()
    login(client, people["hr"])
    confirm = preview(client, rows(3))
    # Between preview and confirmation the position is removed: every row is now bad.
    Position.objects.filter(code="P12").delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, confirm)
    job = BackgroundJob.objects.get()
    assert job.status == "failed" and job.finished_at
    assert job.error.startswith("Nothing was imported.")
    assert "Row 2:" in job.error and "Row 4:" in job.error and "P12" in job.error
    assert not Employee.objects.filter(number__startswith="QC").exists()
    page = client.get(reverse("lms_jobs:detail", args=[job.pk])).content.decode()
    assert "Row 3:" in page
    assert 'http-equiv="refresh"' not in page  # a finished job stops refreshing


def test_appraisal_calculation_runs_as_a_job(client, people, django_capture_on_commit_callbacks):
    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    login(client, people["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("careers_periods:run", args=[period.pk]), {"action": "calculate"}
        )
    assert response.status_code == HTTPStatus.FOUND
    job = BackgroundJob.objects.get(kind="careers.appraisal_calculation")
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    assert "条结果" in job.message or "results" in job.message
    period.refresh_from_db()
    assert period.status == "calculated"


def test_an_illegal_calculation_fails_with_the_reason(people, django_capture_on_commit_callbacks):
    from careers import services as careers_services

    period = cf.period()
    cf.value(period=period, code="KPI-TRAIN", value="90", employee=people["employee"])
    cf.complete(period)
    careers_services.appraisal_period_calculate(period=period)
    careers_services.appraisal_period_freeze(period=period)
    with django_capture_on_commit_callbacks(execute=True):
        job = careers_services.appraisal_calculation_request(
            period=period, acting_user=people["hr"].user
        )
    job.refresh_from_db()
    assert job.status == "failed" and job.error.endswith("不能重新计算，请改为更正数值。")


def test_scheduled_runs_are_jobs_with_progress_and_outcome(
    people, django_capture_on_commit_callbacks
):
    now = timezone.now()
    exam = af.exam(
        questions=[af.question(), af.question(type=QuestionType.TRUE_FALSE)],
        audience=[people["employee"], people["colleague"]],
        time_limit_minutes=5,
    )
    for who in ("employee", "colleague"):
        assessment_services.attempt_start(exam=exam, employee=people[who], now=now - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        due = schedule_due_jobs(now=now)
    assert SCHEDULED_KINDS | {"assessments.submit_overdue_attempts"} <= set(due)
    jobs = {job.kind: job for job in BackgroundJob.objects.all()}
    assert SCHEDULED_KINDS <= set(jobs)
    overdue = jobs["assessments.submit_overdue_attempts"]
    assert (overdue.status, overdue.done, overdue.total) == ("done", 2, 2)
    assert overdue.message == "已提交 2 份答卷。"
    assert overdue.owner is None and overdue.title == "提交已超时的答卷"
    assert not Attempt.objects.open().exists()
    for kind in SCHEDULED_KINDS:
        assert jobs[kind].status == "done" and jobs[kind].message, kind
    # A minute later nothing is overdue: that run leaves no row behind.
    with django_capture_on_commit_callbacks(execute=True):
        schedule_due_jobs(now=now + timedelta(minutes=2))
    assert BackgroundJob.objects.filter(kind="assessments.submit_overdue_attempts").count() == 1


# --- failures -----------------------------------------------------------------------------------


@task()
def failing_job(job_id):
    with job_run(job_id) as job:
        job.progress(1, 4)
        if job.params.get("expected"):
            raise JobError("清单里没有可处理的内容。")
        raise RuntimeError("disk on fire")


@pytest.mark.parametrize(
    ("expected", "error"),
    [(True, "清单里没有可处理的内容。"), (False, "任务因意外错误停止：RuntimeError: disk on fire")],
)
def test_a_failure_is_recorded_translated_with_progress_kept(
    people, django_capture_on_commit_callbacks, expected, error
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="test.failing",
            task=failing_job,
            owner=people["trainer"].user,
            params={"expected": expected},
        )
    job.refresh_from_db()
    assert (job.status, job.error, job.done, job.total) == ("failed", error, 1, 4)
    assert job.finished_at is not None and not job.result


def test_a_queue_that_is_down_fails_the_job_instead_of_leaving_it_queued(
    people, django_capture_on_commit_callbacks
):
    class Unreachable:
        """A task whose backend cannot be reached (Redis down)."""

        def enqueue(self, *args, **kwargs):
            raise ConnectionError("queue unreachable")

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test.failing", task=Unreachable(), owner=people["trainer"].user)
    job.refresh_from_db()
    assert job.status == "failed" and "queue unreachable" in job.error


# --- access --------------------------------------------------------------------------------------


@pytest.fixture
def finished_job(people, django_capture_on_commit_callbacks):
    """A department archive zip the manager asked for."""
    from careers import services as careers_services

    with django_capture_on_commit_callbacks(execute=True):
        job = careers_services.archive_export_request(
            department=people["manager"].department, acting_user=people["manager"].user
        )
    job.refresh_from_db()
    assert job.status == "done" and job.result
    return job


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", HTTPStatus.OK),  # the owner
        ("hr", HTTPStatus.OK),
        ("other_manager", HTTPStatus.NOT_FOUND),
        ("trainer", HTTPStatus.NOT_FOUND),
        ("colleague", HTTPStatus.FOUND),  # no admin access: sent to sign in
    ],
)
def test_job_page_and_download_are_scoped(client, people, finished_job, who, status):
    login(client, people[who])
    page = client.get(reverse("lms_jobs:detail", args=[finished_job.pk]))
    download = client.get(reverse("lms_jobs:download", args=[finished_job.pk]))
    assert page.status_code == status and download.status_code == status
    if status == HTTPStatus.OK:
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content)[:2] == b"PK"


def test_superuser_sees_every_job(client, superuser, finished_job):
    login(client, superuser)
    response = client.get(reverse("lms_jobs:index"))
    assert list(response.context["jobs"]) == [finished_job]


def make_jobs(owner, count):
    for number in range(count):
        job_start(kind="careers.archive_zip", task=failing_job, owner=owner, title=f"j{number}")


# Permissions (2), the jobs (count + page), and Wagtail's admin furniture (locales, page and
# collection permissions); the user, their profile, roles and employee profile come from the
# cache (lms.auth).
QUERIES_INDEX = (
    9  # the Pages menu: the manager approves emergency plans (library made by migration)
)


@pytest.mark.parametrize("count", [3, 30])
def test_listing_shows_own_jobs_in_fixed_queries(client, people, django_assert_num_queries, count):
    make_jobs(people["manager"].user, count)
    make_jobs(people["other_manager"].user, 2)
    login(client, people["manager"])
    client.get(reverse("lms_jobs:index"))  # warm the per-user caches Wagtail keeps
    with django_assert_num_queries(with_session(QUERIES_INDEX)):
        response = client.get(reverse("lms_jobs:index"))
    assert len(response.context["jobs"]) == count
    assert {job.owner_id for job in response.context["jobs"]} == {people["manager"].user.pk}
    login(client, people["hr"])
    assert len(client.get(reverse("lms_jobs:index")).context["jobs"]) == count + 2
    running = client.get(reverse("lms_jobs:detail", args=[response.context["jobs"][0].pk]))
    assert 'http-equiv="refresh"' in running.content.decode()


# --- both task backends execute an enqueued job ---------------------------------------------------


def run_jobs_through(run_worker, client, people, django_capture_on_commit_callbacks=None):
    """A large import and the scheduled runs, enqueued on the configured backend, stay queued
    until ``run_worker`` runs them."""
    from contextlib import nullcontext

    capture = (
        django_capture_on_commit_callbacks(execute=True)
        if django_capture_on_commit_callbacks
        else nullcontext()
    )
    login(client, people["hr"])
    confirm = preview(client, rows(3))
    with capture:
        client.post(IMPORT_URL, confirm)
    capture = (
        django_capture_on_commit_callbacks(execute=True)
        if django_capture_on_commit_callbacks
        else nullcontext()
    )
    with capture:
        schedule_due_jobs()
    assert set(BackgroundJob.objects.values_list("status", flat=True)) == {"queued"}
    assert not Employee.objects.filter(number__startswith="QC").exists()
    run_worker()
    statuses = dict(BackgroundJob.objects.values_list("kind", "status"))
    assert statuses["lms.spreadsheet_import"] == "done"
    assert all(statuses[kind] == "done" for kind in SCHEDULED_KINDS), statuses
    assert Employee.objects.filter(number__startswith="QC").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_enqueued_jobs(client, people, org):
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=backend):
        run_jobs_through(
            lambda: call_command(
                "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0
            ),
            client,
            people,
        )


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="RQ needs REDIS_URL")
def test_an_rq_worker_runs_enqueued_jobs(client, people, org, django_capture_on_commit_callbacks):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    backend = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queues = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 600}}
    with override_settings(TASKS=backend, RQ_QUEUES=queues):
        queue = django_rq.get_queue("default", job_class=Job)
        queue.empty()

        def burst():
            worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
            worker.work(burst=True)

        run_jobs_through(burst, client, people, django_capture_on_commit_callbacks)


@pytest.mark.django_db(transaction=True)
def test_progress_shows_while_an_all_or_nothing_transaction_is_still_open():
    from django.db import connection, connections, transaction

    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer at a time: its progress moves when the work commits")
    job = BackgroundJob.objects.create(kind="lms.spreadsheet_import", total=10)
    observer = connections.create_connection("default")
    try:
        with job_run(job.pk) as run:
            with pytest.raises(RuntimeError), transaction.atomic():
                run.progress(4)
                with observer.cursor() as cursor:
                    cursor.execute("SELECT done FROM lms_backgroundjob WHERE id = %s", [job.pk])
                    assert cursor.fetchone()[0] == 4  # seen from outside the open transaction
                raise RuntimeError("roll the work back")  # the progress row stays written
            job.refresh_from_db()
            assert job.done == 4
    finally:
        observer.close()


def test_every_download_checks_again_who_asks(client, people, finished_job):
    """HR fetches a manager's archive zip; once out of HR, the same link answers not found."""
    from lms import services as lms_services
    from lms.roles import Role

    url = reverse("lms_jobs:download", args=[finished_job.pk])
    login(client, people["hr"])
    assert client.get(url).status_code == HTTPStatus.OK
    lms_services.roles_set(user=people["hr"].user, roles={Role.EMPLOYEE, Role.TRAINER})
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    login(client, people["manager"])  # the owner keeps it
    assert client.get(url).status_code == HTTPStatus.OK


def test_behind_nginx_the_download_is_an_internal_redirect(client, people, finished_job, settings):
    """Production sends the bytes from nginx's internal location, never a public /media/ path."""
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    login(client, people["manager"])
    response = client.get(reverse("lms_jobs:download", args=[finished_job.pk]))
    assert response.status_code == HTTPStatus.OK and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + finished_job.result.name
    assert response["Content-Disposition"].startswith("attachment")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not finished_job.result.url.startswith("/media/") or (
        client.get(finished_job.result.url).status_code == HTTPStatus.NOT_FOUND
    )
