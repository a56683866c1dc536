"""Render a template to PDF with WeasyPrint, with an embedded CJK font so Chinese renders."""

import functools
import shutil
import subprocess

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header


@functools.cache
def cjk_font_files() -> tuple[str, ...]:
    """Font files that fontconfig knows can render Simplified Chinese."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ()
    try:
        output = subprocess.run(
            [fc_list, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(sorted(line.strip().rstrip(":") for line in output.splitlines() if line.strip()))


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render ``template_name`` (which should extend ``lms/pdf/base.html``) to PDF bytes."""
    from weasyprint import HTML

    context = {"pdf_font_family": settings.PDF_CJK_FONT_FAMILY, **(context or {})}
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else str(settings.BASE_DIR)
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, inline=False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
