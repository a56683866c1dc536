"""Media backup and restore through the storage API, so the same commands serve a MEDIA_ROOT
folder and an S3 bucket (``manage.py media_backup`` / ``media_restore``, used by
``deploy/backup.sh`` and ``deploy/restore.sh``)."""

import hashlib
import os
import tarfile
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def _tar(file, mode):
    """A tar file from a path or from a binary file object."""
    if isinstance(file, str | os.PathLike):
        return tarfile.open(file, mode)
    return tarfile.open(fileobj=file, mode=mode)


def storage_files(storage=None, folder=""):
    """Every file name in the storage, depth first, sorted."""
    storage = storage or default_storage
    if folder and not storage.exists(folder):
        return
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from storage_files(storage, f"{folder}/{directory}" if folder else directory)


def storage_checksums(storage=None) -> dict[str, str]:
    """SHA-256 of every file in the storage, by name."""
    storage = storage or default_storage
    sums = {}
    for name in storage_files(storage):
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        sums[name] = digest.hexdigest()
    return sums


def media_backup(target, storage=None) -> tuple[int, int]:
    """Write every media file into the tar file ``target`` (a path or a binary file);
    return (files, bytes)."""
    storage = storage or default_storage
    files = size = 0
    with _tar(target, "w") as archive:
        for name in storage_files(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mtime = int(time.time())
            with storage.open(name, "rb") as handle:
                archive.addfile(info, handle)  # streamed: a large file is never held whole
            files += 1
            size += info.size
    return files, size


def media_restore(source, storage=None) -> tuple[int, int]:
    """Put every file of the tar ``source`` (a path or a binary file) back under its own
    name; return (files, bytes)."""
    storage = storage or default_storage
    files = size = 0
    with _tar(source, "r") as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = member.name
            if name.startswith("/") or ".." in name.split("/"):
                raise ValueError(f"Unsafe name in the media backup: {name}")
            content = archive.extractfile(member).read()
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(content))
            if saved != name:
                raise ValueError(f"{name} was stored as {saved}")
            files += 1
            size += len(content)
    return files, size
