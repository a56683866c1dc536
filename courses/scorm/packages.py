"""Checking an uploaded SCORM zip and unpacking it into the default storage.

Everything is judged before a byte is stored: the upload's size, the zip's central directory
(member count, unpacked size, compression ratio, encryption — ``lms.uploads.inspect_zip``), every
member's path (no absolute path, no ``..``, no link, no executable) and the manifest. Members
are then written one by one through the storage API (so S3-compatible storage works); if any
write fails, what was written is removed again.
"""

import posixpath
import re
import stat
import uuid
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from lms.uploads import UploadRefused, check_size, extension_of, inspect_zip

from .manifest import Manifest, ManifestError, parse_manifest

MANIFEST = "imsmanifest.xml"
MANIFEST_MAX_BYTES = 5 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def member_path_problem(name: str) -> str | None:
    """Why a member's path may not be unpacked, or None."""
    if not name or "\x00" in name or "\\" in name:
        return _("a file in it has an unusable name (“%(path)s”).") % {"path": name[:200]}
    if name.startswith("/") or _DRIVE.match(name):
        return _("a file in it has an absolute path (“%(path)s”).") % {"path": name[:200]}
    if ".." in name.split("/"):
        return _("a file in it points outside the package (“%(path)s”).") % {"path": name[:200]}
    forbidden = {e.lower() for e in settings.SCORM_FORBIDDEN_EXTENSIONS}
    if not name.endswith("/") and extension_of(name) in forbidden:
        return _("it contains a program (“%(path)s”), which packages may not carry.") % {
            "path": name[:200]
        }
    return None


def clean_package_path(path: str) -> str | None:
    """A requested file's path inside a package, normalised, or None if it leaves it."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return None
    normal = posixpath.normpath(path)
    if normal.startswith("../") or normal in ("..", ".") or normal.startswith("/"):
        return None
    return normal


def read_package(upload, *, name: str) -> tuple[Manifest, list[zipfile.ZipInfo]]:
    """Check the uploaded zip and return its manifest and the members to store."""
    check_size(name, upload.size, settings.SCORM_MAX_UPLOAD_SIZE)
    head = upload.read(4)
    upload.seek(0)
    if head[:2] != b"PK":
        raise UploadRefused(name, _("it is not a ZIP file."))
    with zipfile.ZipFile(upload) as archive:
        count = len(archive.infolist())
    upload.seek(0)
    if count > settings.SCORM_MAX_MEMBERS:
        raise UploadRefused(
            name,
            _("it holds %(count)s files; at most %(limit)s are allowed.")
            % {"count": count, "limit": settings.SCORM_MAX_MEMBERS},
        )
    members = inspect_zip(upload, name=name, max_uncompressed=settings.SCORM_MAX_UNCOMPRESSED)
    names = set()
    for member in members:
        problem = member_path_problem(member.filename)
        if problem is None and stat.S_ISLNK(member.external_attr >> 16):
            problem = _("it contains a link (“%(path)s”).") % {"path": member.filename[:200]}
        if problem:
            raise UploadRefused(name, problem)
        names.add(member.filename)
    if MANIFEST not in names:
        raise UploadRefused(
            name, _("it has no imsmanifest.xml at its top level: it is not a SCORM package.")
        )
    with zipfile.ZipFile(upload) as archive:
        info = archive.getinfo(MANIFEST)
        if info.file_size > MANIFEST_MAX_BYTES:
            raise UploadRefused(name, _("its imsmanifest.xml is too large."))
        content = archive.read(info)
    upload.seek(0)
    try:
        manifest = parse_manifest(content)
    except ManifestError as error:
        raise UploadRefused(name, str(error)) from None
    for sco in manifest.scos:
        launch = clean_package_path(sco.href.split("?", 1)[0].split("#", 1)[0])
        if launch is None:
            raise UploadRefused(
                name,
                _("the SCO “%(sco)s” launches a file outside the package.") % {"sco": sco.title},
            )
        if launch not in names:
            raise UploadRefused(
                name,
                _("the SCO “%(sco)s” launches “%(path)s”, which is not in the package.")
                % {"sco": sco.title, "path": launch[:200]},
            )
    return manifest, [member for member in members if not member.is_dir()]


def store_package(upload, members: list[zipfile.ZipInfo]) -> tuple[str, int]:
    """Unpack the members under a new folder; return the folder and the bytes written."""
    folder = f"scorm/{uuid.uuid4().hex}"
    written = []
    total = 0
    try:
        with zipfile.ZipFile(upload) as archive:
            for member in members:
                target = f"{folder}/{member.filename}"
                with archive.open(member) as source:
                    data = source.read(member.file_size + 1)
                if len(data) != member.file_size:
                    raise UploadRefused(upload.name, _("it does not unpack as it declares."))
                saved = default_storage.save(target, ContentFile(data))
                written.append(saved)
                if saved != target:
                    raise UploadRefused(
                        upload.name,
                        _("a file in it cannot be stored under its own name (“%(path)s”).")
                        % {"path": member.filename[:200]},
                    )
                total += len(data)
    except BaseException:
        remove_files(written)
        raise
    return folder, total


def remove_files(names):
    for stored in names:
        try:
            default_storage.delete(stored)
        except Exception:  # noqa: BLE001 - best effort: the refusal that brought us here matters
            pass
