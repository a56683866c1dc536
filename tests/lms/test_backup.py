"""Backup and restore: media through the storage API, and the whole round trip on PostgreSQL."""

import io
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from lms.backup import media_backup, media_restore, storage_checksums
from tests.lms.test_remote_storage import PathlessStorage


def test_media_round_trips_through_any_storage():
    source, target = PathlessStorage(), PathlessStorage()
    source.save("documents/预案.pdf", ContentFile(b"%PDF plan"))
    source.save("jobs/2026/11/bundle.zip", ContentFile(b"PK" + bytes(range(256)) * 100))
    source.save("top.txt", ContentFile(b"x"))
    buffer = io.BytesIO()
    assert media_backup(buffer, source) == (3, 9 + 2 + 25600 + 1)
    buffer.seek(0)
    target.save("top.txt", ContentFile(b"older copy"))  # a restore replaces what is there
    assert media_restore(buffer, target) == (3, 9 + 2 + 25600 + 1)
    assert storage_checksums(target) == storage_checksums(source)
    assert len(storage_checksums(source)) == 3


def test_a_backup_with_an_unsafe_name_is_refused():
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    buffer.seek(0)
    with pytest.raises(ValueError, match="Unsafe name"):
        media_restore(buffer, PathlessStorage())


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the backup round trip runs against PostgreSQL (DATABASE_URL)",
)
def test_backup_round_trip_of_the_demo_database():
    """deploy/backup_roundtrip.py: seed, back up, restore elsewhere, compare every table's row
    count and every media checksum."""
    url = urlsplit(os.environ["DATABASE_URL"])
    server = f"{url.scheme}://{url.netloc}"
    result = subprocess.run(
        [
            sys.executable,
            "deploy/backup_roundtrip.py",
            "--server",
            server,
            "--prefix",
            f"grid_roundtrip_{os.getpid()}",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every table's row count and every media checksum match" in result.stdout
