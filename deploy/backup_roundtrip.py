#!/usr/bin/env python3
"""Prove that deploy/backup.sh and deploy/restore.sh give back what they took.

Seeds the demo company into a fresh PostgreSQL database (with media made through the product:
a certificate zip, a document and an image), backs it up with deploy/backup.sh, restores it with
deploy/restore.sh into a second fresh database and an empty media folder, then compares the row
count of every table and the SHA-256 of every media file, and prints the figures. Exit status 0
only when everything matches. Both databases are dropped at the end (--keep keeps them).

    .venv/bin/python deploy/backup_roundtrip.py [--server postgres://postgres@127.0.0.1:5432]

Needs pg_dump, pg_restore and psql on PATH and a PostgreSQL role that may create databases.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON") or str(ROOT / ".venv" / "bin" / "python")

MAKE_MEDIA = """
import io
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from assessments import services
from assessments.certificates import certificate_pdf
from assessments.models import Certificate
from lms.models import BackgroundJob

certificate = Certificate.objects.select_related("exam").order_by("pk").first()
admin = get_user_model().objects.filter(is_superuser=True).first()
job = services.certificate_bundle_request(exam=certificate.exam, acting_user=admin)
job.refresh_from_db()
assert job.status == "done" and job.result, (job.status, job.error)
Document.objects.create(
    title="证书样本", file=ContentFile(certificate_pdf(certificate), name="certificate.pdf")
)
buffer = io.BytesIO()
PILImage.new("RGB", (64, 48), "orange").save(buffer, "PNG")
image = Image.objects.create(title="现场照片", file=ContentFile(buffer.getvalue(), name="site.png"))
image.get_rendition("fill-32x24")
"""


def run(command, env, *, capture=False):
    result = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, command))}")
    return result.stdout if capture else None


def psql(server, sql):
    subprocess.run(
        ["psql", f"{server}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def fresh_database(server, name):
    psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    psql(server, f'CREATE DATABASE "{name}"')
    # A scratch copy: commits need not wait for the disk (keeps the run to a minute or two).
    psql(server, f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def row_counts(url):
    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def app_env(database_url, media_root):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "TESTING", "MEDIA_STORAGE"} and not key.startswith("AWS_")
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "DEBUG": "1",
            "TASK_BACKEND": "immediate",  # the seed's and the media step's jobs run inline
            "PYTHON": PYTHON,
        }
    )
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server",
        default=os.environ.get("BACKUP_ROUNDTRIP_SERVER", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument("--prefix", default="grid_roundtrip", help="database name prefix")
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    args = parser.parse_args()
    server = args.server.rstrip("/")
    source_db, target_db = f"{args.prefix}_source", f"{args.prefix}_restored"
    timings = {}
    with tempfile.TemporaryDirectory(prefix="grid-roundtrip-") as scratch:
        scratch = Path(scratch)
        source = app_env(f"{server}/{source_db}", scratch / "media-source")
        target = app_env(f"{server}/{target_db}", scratch / "media-restored")
        try:
            started = time.monotonic()
            fresh_database(server, source_db)
            fresh_database(server, target_db)
            run([PYTHON, "manage.py", "migrate", "--noinput"], source)
            run([PYTHON, "manage.py", "seed_demo"], source)
            run([PYTHON, "manage.py", "shell", "-c", MAKE_MEDIA], source)
            timings["seed"] = time.monotonic() - started

            started = time.monotonic()
            folder = run(
                ["bash", "deploy/backup.sh", str(scratch / "backups")], source, capture=True
            ).strip()
            timings["backup"] = time.monotonic() - started
            started = time.monotonic()
            run(["bash", "deploy/restore.sh", folder], target)
            timings["restore"] = time.monotonic() - started

            before, after = row_counts(source["DATABASE_URL"]), row_counts(target["DATABASE_URL"])
            media_before = json.loads(
                run([PYTHON, "manage.py", "media_checksums"], source, capture=True)
            )
            media_after = json.loads(
                run([PYTHON, "manage.py", "media_checksums"], target, capture=True)
            )
            dump_bytes = (Path(folder) / "database.dump").stat().st_size
            media_bytes = sum(
                path.stat().st_size
                for path in (scratch / "media-source").rglob("*")
                if path.is_file()
            )
        finally:
            if not args.keep:
                for name in (source_db, target_db):
                    psql(server, f'DROP DATABASE IF EXISTS "{name}"')

    differing = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
    media_differing = sorted(
        n
        for n in media_before.keys() | media_after.keys()
        if media_before.get(n) != media_after.get(n)
    )
    print("Backup round-trip (pg_dump -Fc / pg_restore + media through the storage API)")
    print(f"  tables:        {len(before)} in the source, {len(after)} restored")
    print(f"  rows:          {sum(before.values())} in the source, {sum(after.values())} restored")
    busiest = sorted(before.items(), key=lambda item: -item[1])[:5]
    print("  largest:       " + ", ".join(f"{t} {n}" for t, n in busiest))
    print(f"  media files:   {len(media_before)} in the source, {len(media_after)} restored")
    print(f"  media bytes:   {media_bytes}; dump {dump_bytes} bytes")
    print(
        "  seconds:       "
        + ", ".join(f"{step} {seconds:.1f}" for step, seconds in timings.items())
    )
    if differing or media_differing or not media_before or not sum(before.values()):
        for table in differing:
            print(f"  MISMATCH table {table}: {before.get(table)} → {after.get(table)}")
        for name in media_differing:
            print(f"  MISMATCH media {name}")
        if not media_before:
            print("  MISMATCH: the source had no media files to compare")
        print("FAILED")
        return 1
    print("OK: every table's row count and every media checksum match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
