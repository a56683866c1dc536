"""Every upload path refuses files that are too big, of the wrong type, disguised, zip bombs,
hostile SVG and XML entity bombs, with a message naming the file and the reason; nothing is
half saved."""

import base64
import io
import struct
import zipfile
import zlib
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from lms.importing import ImportFileError, read_dataset
from lms.uploads import UploadRefused, check_svg, inspect_zip
from tests.conftest import login
from tests.factories.spreadsheets import xlsx_bytes


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


# --- files to throw at the uploads ---------------------------------------------------------------


def zip_with(members: dict, base: bytes | None = None) -> bytes:
    """A ZIP (deflated) holding ``members``, appended to the members of ``base`` if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if base:
            with zipfile.ZipFile(io.BytesIO(base)) as original:
                for info in original.infolist():
                    archive.writestr(info, original.read(info))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb_xlsx() -> bytes:
    """A real workbook carrying 30 MB of zeros that deflate to ~30 KB (a 1000:1 member)."""
    return zip_with({"xl/media/padding.bin": bytes(30 * 1024 * 1024)}, base=workbook())


def workbook(headers=("工号", "姓名"), rows=(("QC0001", "张三"),)) -> bytes:
    return xlsx_bytes(list(headers), [list(r) for r in rows])


def png(size=(20, 20), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return buffer.getvalue()


def png_header_only(width, height) -> bytes:
    """A PNG whose header claims width × height pixels (Pillow refuses it on open)."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="essay"><questiontext><text>&lol3;</text></questiontext></question></quiz>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><questiontext><text>&secret;</text></questiontext></question></quiz>"""

HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "event handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    "foreign object": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject>'
    b'<iframe xmlns="http://www.w3.org/1999/xhtml" src="http://x"/></foreignObject></svg>',
    "external link": b'<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://x/y.png"/></svg>',
    "javascript link": b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">'
    b"<text>x</text></a></svg>",
    "entity bomb": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
    "css import": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x/a.css);'
    b"</style></svg>",
}
CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/></svg>'
)


# --- ZIP containers ---------------------------------------------------------------------------


def test_zip_bomb_is_refused_from_its_directory(settings):
    with pytest.raises(UploadRefused, match="zip bomb") as refused:
        inspect_zip(bomb_xlsx(), name="bomb.xlsx")
    assert "bomb.xlsx" in refused.value.messages[0]


def test_zip_member_count_and_total_size_limits(settings):
    many = zip_with({f"f{n}.txt": b"x" for n in range(6)})
    settings.UPLOAD_ZIP_MAX_MEMBERS = 5
    with pytest.raises(UploadRefused, match="holds 6 files"):
        inspect_zip(many, name="many.zip")
    settings.UPLOAD_ZIP_MAX_MEMBERS = 5000
    with pytest.raises(UploadRefused, match="unpacks to"):
        inspect_zip(zip_with({"a.txt": b"a" * 5000}), name="a.zip", max_uncompressed=1000)
    assert len(inspect_zip(many, name="many.zip")) == 6


def test_xlsx_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    from import_export.formats.base_formats import XLSX

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr(XLSX, "create_dataset", never)
    with pytest.raises(ImportFileError, match="zip bomb") as refused:
        read_dataset(bomb_xlsx(), name="员工.xlsx")
    assert "员工.xlsx" in str(refused.value)


def test_xlsx_that_unpacks_too_far_is_refused(settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED = 2000
    with pytest.raises(ImportFileError, match="unpacks to"):
        read_dataset(workbook(rows=[("QC0001", "张" * 2000)]), name="big.xlsx")


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"\xef\xbb\xbf\xe5\xb7\xa5\xe5\x8f\xb7\nQC1\n", "csv-in-disguise.xlsx", "not an .xlsx"),
        (b"%PDF-1.7 ...", "pdf-in-disguise.xlsx", "not an .xlsx"),
        (zip_with({"word/document.xml": b"<w/>"}), "docx-in-disguise.xlsx", "not an .xlsx"),
        (b"MZ\x90\x00", "program.exe", "not a spreadsheet"),
        (b"\x00\x01\x02\xff\xfe" * 20, "binary.csv", "neither UTF-8 nor GB18030"),
    ],
)
def test_disguised_and_wrong_type_imports_are_refused(content, name, reason):
    with pytest.raises(ImportFileError, match=reason) as refused:
        read_dataset(content, name=name)
    assert name in str(refused.value)


# --- admin imports: every path, nothing saved --------------------------------------------------

IMPORTS = [
    ("employees:import", "hr", "lms.Employee"),
    ("training_completions:import", "hr", "courses.Completion"),
    ("questions:import", "trainer", "assessments.Question"),
    ("careers_values:import", "hr", "careers.IndicatorValue"),
]


def _count(label):
    from django.apps import apps

    return apps.get_model(label).objects.count()


@pytest.mark.parametrize(("url_name", "who", "model"), IMPORTS)
@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (bomb_xlsx(), "bomb.xlsx", "zip bomb"),
        (b"%PDF-1.4 not a workbook", "report.xlsx", "not an .xlsx workbook"),
        (b"GIF89a", "picture.gif", "not a spreadsheet"),
    ],
)
def test_admin_imports_refuse_bad_files_and_save_nothing(
    client, people, url_name, who, model, content, name, reason
):
    before = _count(model)
    login(client, people[who])
    response = client.post(reverse(url_name), {"import_file": SimpleUploadedFile(name, content)})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert name in page and reason in page
    assert _count(model) == before


@pytest.mark.parametrize(("url_name", "who", "model"), IMPORTS)
def test_admin_imports_refuse_oversized_files(client, people, settings, url_name, who, model):
    settings.IMPORT_MAX_FILE_SIZE = 1000
    before = _count(model)
    login(client, people[who])
    upload = SimpleUploadedFile("huge.csv", b"a,b\n" + b"1,2\n" * 1000)
    page = client.post(reverse(url_name), {"import_file": upload}).content.decode()
    assert "huge.csv" in page and "largest file this import takes" in page
    assert _count(model) == before


# --- question files (import_questions) ----------------------------------------------------------


@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_moodle_xml_with_entities_is_refused(tmp_path, db, content):
    from assessments.models import Question

    path = tmp_path / "bomb.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="declares a DTD or entities"):
        call_command("import_questions", str(path), category="安全")
    assert not Question.objects.exists()


def _moodle_with_image(data_b64: str, name: str) -> bytes:
    return (
        '<?xml version="1.0"?><quiz><question type="essay"><questiontext format="html">'
        f'<text><![CDATA[<p>看图作答</p><img src="@@PLUGINFILE@@/{name}">]]></text>'
        f'<file name="{name}" encoding="base64">{data_b64}</file></questiontext></question></quiz>'
    ).encode()


@pytest.mark.parametrize(
    ("data_b64", "name", "reason"),
    [
        ("@@not base64!!", "a.png", "not valid base64"),
        (base64.b64encode(b"<html><script>alert(1)</script></html>").decode(), "a.png",
         "not an image of an allowed type"),
        (base64.b64encode(HOSTILE_SVGS["script"]).decode(), "a.svg",
         "not an image of an allowed type"),
        (base64.b64encode(png_header_only(30000, 30000)).decode(), "big.png",
         "decompression bomb"),
    ],
)  # fmt: skip
def test_moodle_images_are_checked_and_nothing_is_stored(tmp_path, db, data_b64, name, reason):
    from assessments.models import Question

    path = tmp_path / "q.xml"
    path.write_bytes(_moodle_with_image(data_b64, name))
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), category="安全")
    assert not Question.objects.exists()
    assert not get_image_model().objects.exists()


def test_moodle_image_is_stored_under_its_real_type_and_a_dry_run_stores_no_file(
    tmp_path, db, settings
):
    from assessments.models import Question

    path = tmp_path / "q.xml"
    path.write_bytes(_moodle_with_image(base64.b64encode(png()).decode(), "photo.html"))
    call_command("import_questions", str(path), category="安全", dry_run=True)
    media = settings.MEDIA_ROOT
    assert not list(media.rglob("*.*")) if media.exists() else True
    call_command("import_questions", str(path), category="安全")
    image = get_image_model().objects.get()
    assert image.file.name.endswith("photo.png")
    assert f'id="{image.pk}"' in Question.objects.get().stem


def test_moodle_images_of_a_refused_import_are_removed(tmp_path, db, settings):
    from assessments.models import Question

    good = base64.b64encode(png()).decode()
    xml = _moodle_with_image(good, "ok.png").replace(
        b"</quiz>", b'<question type="nonsense"><questiontext><text>x</text></questiontext>'
        b"</question></quiz>"
    )  # fmt: skip
    path = tmp_path / "q.xml"
    path.write_bytes(xml)
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), category="安全")
    assert not Question.objects.exists() and not get_image_model().objects.exists()
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_question_file_past_the_limit_is_refused(tmp_path, db, settings):
    settings.IMPORT_MAX_FILE_SIZE = 100
    path = tmp_path / "big.gift"
    path.write_text("题干 {=答案}\n\n" * 50, encoding="utf-8")
    with pytest.raises(CommandError, match="big.gift"):
        call_command("import_questions", str(path), category="安全")


# --- Wagtail documents ----------------------------------------------------------------------


def _add_wagtail_file(client, url_name, name, content):
    """Post to Wagtail's own add screen for documents or images."""
    return client.post(
        reverse(url_name),
        {
            "title": name,
            "file": SimpleUploadedFile(name, content),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def _add_document(client, name, content):
    return _add_wagtail_file(client, "wagtaildocs:add", name, content)


OOXML_DOCX = zip_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("virus.exe", b"MZ\x90\x00", "file type .exe is not allowed"),
        ("page.html", b"<script>alert(1)</script>", "file type .html is not allowed"),
        ("README", b"plain words", "it has no file extension"),
        ("report.pdf", png(), "its content is not a .pdf file"),
        ("report.docx", b"%PDF-1.4", "its content is not a .docx file"),
        ("report.docx", zip_with({"a.txt": b"x"}), "its content is not a .docx file"),
        ("old.doc", b"PK\x03\x04", "its content is not a .doc file"),
        ("film.mp4", b"<html></html>", "its content is not a .mp4 file"),
        ("notes.txt", b"\x00\x01\x02binary", "its content is not a .txt file"),
        ("bomb.docx", zip_with({"word/padding.bin": bytes(30 * 1024 * 1024)}, OOXML_DOCX),
         "zip bomb"),
    ],
)  # fmt: skip
def test_document_uploads_are_refused(client, superuser, name, content, reason):
    login(client, superuser)
    response = _add_document(client, name, content)
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert reason in page and name in page
    # One message, the one that names the file: not a second 'File extension "" is not allowed'
    # from the model's own check of the file it no longer holds.
    assert response.context["form"].errors["file"] == [response.context["form"].errors["file"][0]]
    assert "File extension" not in page and "文件扩展" not in page
    assert not get_document_model().objects.exists()


def test_document_too_big_is_refused(client, superuser, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 100
    login(client, superuser)
    response = _add_document(client, "big.pdf", b"%PDF-1.4" + b" " * 200)
    assert "“big.pdf” was refused" in response.content.decode()
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("ok.pdf", b"%PDF-1.4\n%%EOF"), ("ok.docx", OOXML_DOCX), ("ok.txt", "安全规程".encode())],
)
def test_genuine_documents_are_accepted(client, superuser, name, content):
    login(client, superuser)
    response = _add_document(client, name, content)
    assert response.status_code == HTTPStatus.FOUND
    assert get_document_model().objects.get().title == name


def test_multiple_document_upload_is_checked_too(client, superuser):
    login(client, superuser)
    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("report.pdf", png())},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert "its content is not a .pdf file" in response.content.decode()
    assert not get_document_model().objects.exists()


# --- Wagtail images ---------------------------------------------------------------------------


def _add_image(client, name, content):
    return _add_wagtail_file(client, "wagtailimages:add", name, content)


def test_svg_is_not_an_image_type_by_default(client, superuser):
    assert "svg" not in django_settings.WAGTAILIMAGES_EXTENSIONS
    login(client, superuser)
    response = _add_image(client, "logo.svg", CLEAN_SVG)
    assert response.status_code == HTTPStatus.OK
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize("kind", list(HOSTILE_SVGS))
def test_hostile_svg_is_refused_when_svg_is_allowed(client, superuser, settings, kind):
    settings.WAGTAILIMAGES_EXTENSIONS = [*settings.WAGTAILIMAGES_EXTENSIONS, "svg"]
    login(client, superuser)
    response = _add_image(client, "evil.svg", HOSTILE_SVGS[kind])
    assert response.status_code == HTTPStatus.OK
    assert "evil.svg" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_clean_svg_is_accepted_when_svg_is_allowed(client, superuser, settings):
    settings.WAGTAILIMAGES_EXTENSIONS = [*settings.WAGTAILIMAGES_EXTENSIONS, "svg"]
    check_svg(CLEAN_SVG, name="logo.svg")
    login(client, superuser)
    assert _add_image(client, "logo.svg", CLEAN_SVG).status_code == HTTPStatus.FOUND
    assert get_image_model().objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "setting", "message"),
    [
        ("big.png", png(), ("WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10), "bytes"),
        ("wide.png", png((40, 40)), ("WAGTAILIMAGES_MAX_IMAGE_PIXELS", 1000), "too many pixels"),
        ("fake.png", b"<html>not an image</html>", None, "does not match the file format"),
        ("really-a-png.jpg", png(), None, "does not match the file format"),
    ],
)
def test_image_uploads_are_refused(client, superuser, settings, name, content, setting, message):
    if setting:
        setattr(settings, *setting)
    login(client, superuser)
    response = _add_image(client, name, content)
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert message in page and f"“{name}” was refused" in page
    assert not get_image_model().objects.exists()


# --- drill photo evidence ------------------------------------------------------------------------


def test_photo_evidence_refusals_name_the_file(settings):
    from drills.services import DrillError, validate_evidence

    cases = [
        (SimpleUploadedFile("bomb.png", png_header_only(30000, 30000)), "decompression bomb"),
        (SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), "not an image of an allowed type"),
        (SimpleUploadedFile("anim.gif", png(fmt="GIF")), "not an image of an allowed type"),
    ]
    for upload, reason in cases:
        with pytest.raises(DrillError, match=reason) as refused:
            validate_evidence(upload)
        assert upload.name in refused.value.messages[0]
    settings.DRILLS_EVIDENCE_MAX_PIXELS = 100
    with pytest.raises(DrillError, match="pixels"):
        validate_evidence(SimpleUploadedFile("photo.png", png((20, 20))))


def test_photo_evidence_is_stored_under_its_real_type(settings):
    from drills.services import validate_evidence

    upload = SimpleUploadedFile("evil.html", png())
    validate_evidence(upload)
    assert upload.name == "evil.png"
