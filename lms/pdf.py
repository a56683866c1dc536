"""Render a template to PDF with WeasyPrint, with an embedded CJK font so Chinese renders.

Images and style sheets a PDF refers to are read through Django's storage API (media) and the
static files machinery, never from a path on this machine nor over HTTP from this very server:
so PDFs render the same with media on S3, on a worker without the web server's disk, and
without a request at all (background jobs).
"""

import functools
import mimetypes
import shutil
import subprocess
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
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
    context = {"pdf_font_family": settings.PDF_CJK_FONT_FAMILY, **(context or {})}
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, request=request)


def html_to_pdf(html: str, *, request=None) -> bytes:
    from weasyprint import HTML

    base_url = request.build_absolute_uri("/") if request is not None else "http://pdf.invalid/"
    return HTML(string=html, base_url=base_url, url_fetcher=_storage_url_fetcher()).write_pdf()


def _storage_url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StorageURLFetcher(URLFetcher):
        """data: URIs as WeasyPrint reads them; media from the default storage; static files
        from the static storage; anything else is refused (no network, no local files)."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            name, opener = _resolve(url)
            if opener is None:
                raise ValueError(f"PDF resources come from media or static files only: {url}")
            with opener(name) as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StorageURLFetcher(allowed_protocols={"data", "http", "https", "file"})


def _open_media(name):
    return default_storage.open(name, "rb")


def _open_static(name):
    if staticfiles_storage.exists(name):
        return staticfiles_storage.open(name, "rb")
    found = finders.find(name)  # development: straight from the apps' static folders
    if not found:
        raise FileNotFoundError(name)
    return open(found, "rb")  # a static asset of the release, not media


def _resolve(url):
    """The name behind a media or static URL and how to open it, or (None, None)."""
    storage_prefix = default_storage.url("__name__").split("__name__", 1)[0]
    if "://" in storage_prefix and url.startswith(storage_prefix):  # e.g. an S3 or CDN URL
        return unquote(url[len(storage_prefix) :].split("?", 1)[0]), _open_media
    path = unquote(urlsplit(url).path)
    if settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
        return path[len(settings.MEDIA_URL) :], _open_media
    if path.startswith(settings.STATIC_URL):
        return path[len(settings.STATIC_URL) :], _open_static
    return None, None


def pdf_response(pdf: bytes, filename: str, *, inline=False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
