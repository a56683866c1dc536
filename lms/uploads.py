"""Checks for every file people upload: documents, images, spreadsheets, question files, photos.

Each check raises ``UploadRefused`` (a ``ValidationError``) whose message names the file and the
reason, before anything is stored or expanded:

* ``check_size``: the byte limit of that kind of upload.
* ``inspect_zip``: a ZIP container (XLSX, DOCX, PPTX, ZIP) is judged from its central directory
  alone: member count, total unpacked size and compression ratio (settings ``UPLOAD_ZIP_*``), so
  a zip bomb is refused before openpyxl or anyone else inflates a byte of it.
* ``check_document``: the extension is allowed and the content is what the extension claims
  (PDF, OLE2 Office, OOXML Office, ZIP, MP4 and text have cheap signatures).
* ``check_image``: a raster image of an allowed format, within byte and pixel limits (Pillow reads
  the header only; decompression bombs are refused).
* ``check_svg``: an SVG without script, event handlers, foreign objects, external references or a
  DTD (entities). SVG is refused altogether unless ``IMAGES_ALLOW_SVG`` is on.
"""

import os
import re
import zipfile
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _


class UploadRefused(ValidationError):
    """An uploaded file that is refused; the message names the file and the reason."""

    def __init__(self, name, reason):
        self.file_name = name
        self.reason = reason
        super().__init__(
            _("“%(name)s” was refused: %(reason)s") % {"name": name, "reason": reason},
            code="upload_refused",
        )


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def check_size(name: str, size: int, limit: int | None):
    if limit is not None and size > limit:
        raise UploadRefused(
            name,
            _("it is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


# --- ZIP containers ----------------------------------------------------------------------------


def inspect_zip(content, *, name: str, max_uncompressed: int | None = None):
    """Return the members of a ZIP (bytes or a file) after checking its central directory.

    Only the directory at the end of the file is read; no member is inflated.
    """
    source = BytesIO(content) if isinstance(content, bytes) else content
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(name, _("it is not a readable ZIP container.")) from None
    finally:
        source.seek(0)
    if len(members) > settings.UPLOAD_ZIP_MAX_MEMBERS:
        raise UploadRefused(
            name,
            _("it holds %(count)s files; at most %(limit)s are allowed.")
            % {"count": len(members), "limit": settings.UPLOAD_ZIP_MAX_MEMBERS},
        )
    limit = max_uncompressed or settings.UPLOAD_ZIP_MAX_UNCOMPRESSED
    total = sum(member.file_size for member in members)
    if total > limit:
        raise UploadRefused(
            name,
            _("it unpacks to %(size)s; at most %(limit)s is allowed.")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)},
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise UploadRefused(name, _("it is encrypted."))
        # Ordinary XML compresses 5–20 times; only a large member far past that is a bomb.
        if member.file_size >= settings.UPLOAD_ZIP_RATIO_MIN_SIZE and (
            member.file_size > settings.UPLOAD_ZIP_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise UploadRefused(
                name,
                _("a part of it is compressed %(ratio)s times, more than %(limit)s: a zip bomb?")
                % {
                    "ratio": member.file_size // max(member.compress_size, 1),
                    "limit": settings.UPLOAD_ZIP_MAX_RATIO,
                },
            )
    return members


# --- documents ---------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _head(file, size=64 * 1024) -> bytes:
    if isinstance(file, bytes):
        return file[:size]
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _file_size(file) -> int:
    if isinstance(file, bytes):
        return len(file)
    return file.size


# Every WebM (Matroska) file opens with the EBML header element's id.
EBML = b"\x1a\x45\xdf\xa3"


def check_document(file, *, name: str):
    """A Wagtail document: allowed extension, size limit, and content matching the extension."""
    extension = extension_of(name)
    allowed = [e.lower() for e in settings.WAGTAILDOCS_EXTENSIONS]
    if not extension:
        raise UploadRefused(
            name,
            _("it has no file extension, so its type is unknown; allowed: %(allowed)s.")
            % {"allowed": ", ".join(allowed)},
        )
    if extension not in allowed:
        raise UploadRefused(
            name,
            _("the file type .%(extension)s is not allowed; allowed: %(allowed)s.")
            % {"extension": extension, "allowed": ", ".join(allowed)},
        )
    check_size(name, _file_size(file), settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)
    head = _head(file)
    mismatch = UploadRefused(
        name,
        _("its content is not a .%(extension)s file.") % {"extension": extension},
    )
    if extension == "pdf":
        if b"%PDF-" not in head[:1024]:
            raise mismatch
    elif extension in ("doc", "xls", "ppt"):
        if not head.startswith(OLE2):
            raise mismatch
    elif extension in OOXML_PARTS or extension == "zip":
        if not head.startswith(b"PK"):
            raise mismatch
        members = inspect_zip(file, name=name)
        if extension in OOXML_PARTS:
            names = {member.filename for member in members}
            prefix = OOXML_PARTS[extension]
            if "[Content_Types].xml" not in names or not any(n.startswith(prefix) for n in names):
                raise mismatch
    elif extension == "mp4":
        if head[4:8] != b"ftyp":
            raise mismatch
    elif extension == "webm":
        if not head.startswith(EBML):
            raise mismatch
    elif extension in ("txt", "csv"):
        if b"\x00" in head or not _decodes(head):
            raise mismatch


def _decodes(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            # The 64 KB cut may split the last character.
            if error.start >= len(head) - 4:
                return True
    return False


# --- images ------------------------------------------------------------------------------------

PIL_FORMATS = {"jpeg": "jpeg", "jpg": "jpeg", "png": "png", "gif": "gif", "webp": "webp",
               "avif": "avif", "heic": "heif", "bmp": "bmp", "tiff": "tiff"}  # fmt: skip


def check_image(file, *, name: str, formats, max_bytes: int | None, max_pixels: int | None) -> str:
    """A raster image: return its format (``jpeg``, ``png``, …) or refuse it."""
    from PIL import Image, UnidentifiedImageError

    check_size(name, _file_size(file), max_bytes)
    allowed = {PIL_FORMATS.get(f.lower(), f.lower()) for f in formats}
    not_image = UploadRefused(
        name,
        _("it is not an image of an allowed type (%(allowed)s).")
        % {"allowed": ", ".join(sorted(allowed)).upper()},
    )
    stream = BytesIO(file) if isinstance(file, bytes) else file
    try:
        stream.seek(0)
        with Image.open(stream) as image:
            image_format = (image.format or "").lower()
            width, height = image.size
            if image_format not in allowed:
                raise not_image
            if max_pixels and width * height > max_pixels:
                raise UploadRefused(
                    name,
                    _("it has %(pixels)s pixels; at most %(limit)s are allowed.")
                    % {"pixels": width * height, "limit": max_pixels},
                )
            image.verify()
    except Image.DecompressionBombError:
        raise UploadRefused(
            name, _("it has more pixels than any image may have (a decompression bomb?).")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_image from None
    finally:
        stream.seek(0)
    return image_format


def stored_name(name: str, image_format: str, default: str = "image") -> str:
    """A safe file name whose extension is the detected format (never the uploader's)."""
    stem = get_valid_filename(os.path.splitext(os.path.basename(name or ""))[0])[:80]
    extension = {"jpeg": "jpg"}.get(image_format, image_format)
    return f"{stem or default}.{extension}"


# --- SVG ---------------------------------------------------------------------------------------

SVG_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler",
                          "listener", "audio", "video", "set", "animate"}  # fmt: skip
LINK_ATTRIBUTES = {"href", "src"}


def check_svg(content: bytes, *, name: str):
    """Refuse an SVG that can run script or reach outside itself."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise UploadRefused(
            name, _("it is not a plain SVG drawing (it cannot be read, or declares a DTD).")
        ) from None
    if _local(root.tag) != "svg":
        raise UploadRefused(name, _("it is not an SVG drawing."))
    for element in root.iter():
        tag = _local(element.tag)
        if tag in SVG_FORBIDDEN_ELEMENTS:
            raise UploadRefused(
                name, _("it contains a <%(element)s> element.") % {"element": element.tag}
            )
        if tag == "style" and re.search(r"@import|url\s*\(|javascript:", element.text or "", re.I):
            raise UploadRefused(name, _("its style sheet loads other files."))
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise UploadRefused(
                    name,
                    _("it has an event handler (%(attribute)s).") % {"attribute": local},
                )
            target = (value or "").strip().lower()
            if local in LINK_ATTRIBUTES and not (
                target.startswith("#") or target.startswith("data:image/")
            ):
                raise UploadRefused(name, _("it refers to another file or address."))
            if "javascript:" in target.replace(" ", "") or (
                local == "style" and re.search(r"url\s*\(\s*['\"]?(?!#)", target)
            ):
                raise UploadRefused(name, _("it refers to another file or address."))


def _local(tag) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()
