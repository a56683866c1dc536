from io import BytesIO

import pytest
from django.core import checks
from pypdf import PdfReader

from lms import pdf
from lms.checks import cjk_font_installed

CHINESE = "青川县供电公司安全生产培训档案"


def _fonts(reader):
    names = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object().get("/FontDescriptor") or descriptor
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            names.add((str(font["/BaseFont"]), embedded))
    return names


@pytest.mark.skipif(not pdf.cjk_font_files(), reason="no CJK font installed")
def test_chinese_renders_with_an_embedded_cjk_font():
    content = pdf.render_pdf("lms/pdf/sample.html", {"title": "培训档案", "body": CHINESE})
    assert content.startswith(b"%PDF")
    reader = PdfReader(BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert CHINESE in text.replace("\n", "").replace(" ", "")
    fonts = _fonts(reader)
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts


def test_pdf_response_is_a_download():
    response = pdf.pdf_response(b"%PDF-1.7", "档案.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_system_check_warns_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr("lms.checks.cjk_font_files", lambda: ())
    warnings = cjk_font_installed(None)
    assert [w.id for w in warnings] == ["lms.W001"]
    assert warnings[0].level == checks.WARNING
    assert "fonts-noto-cjk" in warnings[0].hint


def test_system_check_is_quiet_with_a_font(monkeypatch):
    monkeypatch.setattr("lms.checks.cjk_font_files", lambda: ("/fonts/NotoSansCJK-Regular.ttc",))
    assert cjk_font_installed(None) == []
