#!/usr/bin/env bash
# Back up Grid Academy: the PostgreSQL database (pg_dump, custom format) and every media file
# (through the storage API, so MEDIA_ROOT and S3 alike) into DIR/<UTC stamp>/.
#
#   deploy/backup.sh DIR
#
# Reads the same environment as the application (DATABASE_URL, MEDIA_STORAGE, MEDIA_ROOT,
# AWS_*; see docs/deployment.md). Prints the folder it wrote. PYTHON defaults to .venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: deploy/backup.sh DIR}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *)
  echo "backup.sh backs up PostgreSQL; DATABASE_URL is not a postgres:// URL" >&2; exit 2 ;;
esac
python=${PYTHON:-.venv/bin/python}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$dir/$stamp"
mkdir -p "$out"
# --no-owner/--no-privileges: the dump restores under whatever role the target uses.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$out/database.dump"
"$python" manage.py media_backup "$out/media.tar" >&2
(cd "$out" && sha256sum database.dump media.tar > SHA256SUMS)
echo "$out"
