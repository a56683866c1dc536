#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the database and media storage that the
# environment names (DATABASE_URL, MEDIA_STORAGE, MEDIA_ROOT, AWS_*):
#
#   deploy/restore.sh DIR/<stamp>
#
# The database should be empty (a fresh CREATE DATABASE) or hold an older copy of the same
# schema: objects in the dump are dropped and recreated (pg_restore --clean --if-exists).
# Stop the web servers, task workers and scheduler first; start them after.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: deploy/restore.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
python=${PYTHON:-.venv/bin/python}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
  --dbname="$DATABASE_URL" "$src/database.dump"
"$python" manage.py media_restore "$src/media.tar" >&2
# Migrations newer than the backup (a restore onto a newer release) are applied here.
"$python" manage.py migrate --noinput >&2
echo "restored $src"
