"""Media goes through Django's storage API only: with a storage that has no local paths (as S3
has none), uploads, PDFs, zips and document downloads still work and nothing lands on disk."""

import io
import os
import zipfile
from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse
from PIL import Image as PILImage
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import Certificate, QuestionType
from lms.models import BackgroundJob, Employee
from lms.pdf import cjk_font_files, html_to_pdf
from tests import factories as f
from tests.conftest import login
from tests.factories import assessments as af
from tests.factories.spreadsheets import xlsx_upload

IMPORT_URL = "/admin/employees/import/"


class PathlessStorage(InMemoryStorage):
    """Django's in-memory storage without local paths, as S3 (django-storages) has none.

    (InMemoryStorage keeps its tree under virtual paths of its own; only callers outside the
    storage are refused a path.)"""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _virtual_path(self, name):
        return InMemoryStorage.path(self, name)

    def _relative_path(self, name):
        return os.path.relpath(self._virtual_path(name), self.location)


@pytest.fixture
def media(settings):
    """The default storage lives in memory for the test and has no ``.path``."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.PathlessStorage"},
    }
    yield default_storage
    assert isinstance(default_storage._wrapped, PathlessStorage)
    # Nothing was written to the machine's media folder.
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def png(color="red", size=(40, 20)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_storage_has_no_paths(media):
    name = media.save("probe.txt", ContentFile(b"x"))
    with pytest.raises(NotImplementedError):
        media.path(name)


def test_an_import_waits_for_confirmation_in_the_storage(client, people, company, media):
    f.position(code="P12", name="配电线路工")
    login(client, people["hr"])
    upload = xlsx_upload(
        ["工号", "姓名", "部门编码", "岗位编码"], [["QC0001", "员工", "C-A-1", "P12"]]
    )
    response = client.post(IMPORT_URL, {"import_file": upload})
    token = response.context["token"]
    assert media.listdir("imports/pending")[1] == [f"{people['hr'].user.pk}-{token}.xlsx"]
    client.post(IMPORT_URL, {"confirm": "1", "token": token, "file_format": "xlsx"})
    assert Employee.objects.filter(number="QC0001").exists()
    assert media.listdir("imports/pending")[1] == []


def test_a_background_import_reads_its_file_from_the_storage(
    client, people, company, media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    f.position(code="P12", name="配电线路工")
    login(client, people["hr"])
    rows = [[f"QC000{i}", "员工", "C-A-1", "P12"] for i in range(1, 4)]
    upload = xlsx_upload(["工号", "姓名", "部门编码", "岗位编码"], rows)
    token = client.post(IMPORT_URL, {"import_file": upload}).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"confirm": "1", "token": token, "file_format": "xlsx"})
    assert BackgroundJob.objects.get().status == "done"
    assert Employee.objects.filter(number__startswith="QC").count() == 3


def test_images_upload_and_render_from_the_storage(db, media):
    from wagtail.images.models import Image

    image = Image.objects.create(title="现场照片", file=ContentFile(png(), name="photo.png"))
    rendition = image.get_rendition("fill-20x10")
    assert media.exists(image.file.name) and media.exists(rendition.file.name)
    assert (rendition.width, rendition.height) == (20, 10)


def test_documents_are_served_from_the_storage(client, people, media):
    from wagtail.documents.models import Document

    document = Document.objects.create(
        title="应急预案", file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf")
    )
    login(client, people["employee"])
    response = client.get(document.url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.skipif(not cjk_font_files(), reason="no CJK font installed")
def test_pdf_images_come_from_the_storage_not_the_disk_or_network(db, media):
    name = media.save("seals/seal.png", ContentFile(png()))
    html = (
        f'<p>证书</p><img src="/media/{name}" style="width:2cm">'
        '<img src="http://192.0.2.1/tracker.png" style="width:2cm">'
    )
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    # The stored image is embedded; the remote one was never fetched.
    assert len(reader.pages[0].images) == 1


@pytest.fixture
def certified(people):
    exam = af.exam(
        questions=[af.question(type=QuestionType.SINGLE, answer=["A"])],
        audience=[people["employee"], people["colleague"]],
        pass_mark=60,
        certificate_title="安全规程考试合格证",
        certificate_valid_months=12,
        review_policy="after_submit",
    )
    for who in ("employee", "colleague"):
        attempt = assessment_services.attempt_start(exam=exam, employee=people[who])
        item = attempt.items.get()
        assessment_services.attempt_save_answers(
            attempt=attempt, answers=[{"item": item.pk, "response": ["A"], "seq": 1}]
        )
        assessment_services.attempt_submit(attempt=attempt)
    return exam


def test_certificate_pdf_and_bundle_zip_with_remote_storage(
    client, people, certified, media, django_capture_on_commit_callbacks
):
    certificate = Certificate.objects.get(employee=people["employee"])
    login(client, people["employee"])
    response = client.get(reverse("assessments:certificate_pdf", args=[certificate.code]))
    assert response.status_code == HTTPStatus.OK and response.content[:4] == b"%PDF"
    login(client, people["trainer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:certificate_bundle_start", args=[certified.pk]))
    job = BackgroundJob.objects.get()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert media.exists(job.result.name)
    download = client.get(reverse("lms_jobs:download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)


def test_archive_pdfs_and_zip_with_remote_storage(
    client, people, company, media, django_capture_on_commit_callbacks
):
    login(client, people["manager"])
    response = client.get(reverse("careers:archive_pdf", args=[people["employee"].pk]))
    assert response.status_code == HTTPStatus.OK and response.content[:4] == b"%PDF"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("careers:archive_zip"), {"department": company["branch"].pk})
    job = BackgroundJob.objects.get()
    assert job.status == "done" and media.exists(job.result.name)
    download = client.get(reverse("lms_jobs:download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert f"{people['employee'].number}-{people['employee'].name}.pdf" in archive.namelist()


def test_s3_storage_is_only_a_setting():
    """MEDIA_STORAGE=s3 puts media on any S3-compatible store; links are signed and expire."""
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup();"
        "from django.core.files.storage import default_storage as s;"
        "s._setup();"
        "print(s._wrapped.__class__.__name__, s.bucket_name, s.endpoint_url, s.querystring_expire);"
        "print(s.url('evidence/a b.png'))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "grid-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_REGION_NAME": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_QUERYSTRING_EXPIRE": "600",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "S3Storage grid-media http://127.0.0.1:9000 600"
    assert lines[1].startswith("http://127.0.0.1:9000/grid-media/evidence/a%20b.png?")
    assert "X-Amz-Signature=" in lines[1] and "X-Amz-Expires=600" in lines[1]


def test_s3_storage_needs_a_bucket():
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "MEDIA_STORAGE": "s3",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in result.stderr
