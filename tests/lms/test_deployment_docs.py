"""docs/deployment.md stays true: every environment variable the settings and the gunicorn
configuration read is documented, and every unit file and script it names exists."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READERS = re.compile(
    r"""(?:os\.environ\.get|env_bool|env_int|env_list)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
)


def variables_read():
    names = set()
    for source in ("lms/settings.py", "lms/gunicorn.conf.py"):
        for match in READERS.finditer((ROOT / source).read_text()):
            names.add(match.group(1) or match.group(2))
    names.add("DATABASE_URL")  # read by dj_database_url.config()
    return names


def documented_variables():
    text = (ROOT / "docs/deployment.md").read_text()
    section = text.split("## Environment variables", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_the_settings_read_is_documented():
    read = variables_read()
    assert len(read) > 60  # the pattern still finds the settings' readers
    assert sorted(read - documented_variables()) == []


def test_every_documented_variable_is_read():
    assert sorted(documented_variables() - variables_read()) == []


def test_the_files_the_guide_names_exist():
    text = (ROOT / "docs/deployment.md").read_text()
    named = set(re.findall(r"\]\(\.\./([^)#]+)\)", text))
    named |= {"deploy/backup.sh", "deploy/restore.sh", "deploy/backup_roundtrip.py"}
    for unit in ("web", "worker@", "scheduler", "backup"):
        named.add(f"deploy/systemd/grid-academy-{unit}.service")
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
