"""The zh_Hans catalogues are complete: every source string has a Chinese translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = ["courses", "assessments", "drills", "careers"]
CATALOGUES = [ROOT / "locale"] + [ROOT / app / "locale" for app in DOMAIN_APPS]


def _source_tree(tmp_path):
    """Copy the sources (not the virtualenv) so makemessages can run without touching them."""
    target = tmp_path / "src"

    def ignore(directory, names):
        return {n for n in names if n in {".venv", ".git", "media", "node_modules", "__pycache__"}}

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    return target


def _extract(tree: Path, cwd: Path, extra_args=()):
    subprocess.run(
        [
            sys.executable,
            str(tree / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            *extra_args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_source_string_is_translated(tmp_path):
    tree = _source_tree(tmp_path)
    _extract(
        tree,
        tree,
        ["--ignore=tests", "--ignore=bench", *[f"--ignore={app}" for app in DOMAIN_APPS]],
    )
    for app in DOMAIN_APPS:
        if (tree / app / "locale").exists():
            _extract(tree, tree / app)
    problems = []
    for catalogue in CATALOGUES:
        relative = catalogue.relative_to(ROOT)
        po_path = tree / relative / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete:
                continue
            translated = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if not translated or "fuzzy" in entry.flags:
                problems.append(f"{relative}: {entry.msgid!r}")
    assert not problems, "Untranslated strings:\n" + "\n".join(problems)


def test_chinese_is_the_default_language(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "工号" in response.content.decode()


def test_domain_app_names_are_translated():
    with translation.override("zh-hans"):
        from django.apps import apps

        for app in ["lms", *DOMAIN_APPS]:
            name = str(apps.get_app_config(app).verbose_name)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in name), f"{app}: {name}"
