"""`make install` checks the Debian packages first: installs them as root, else names the command.

The machine's own dpkg-query, id and apt-get are replaced by small scripts on PATH, so the test
decides which packages are "missing" and who is running, and sees what apt-get was asked to do.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / "deploy" / "system-packages.sh"
LISTED = ["chromium", "fonts-noto-cjk", "fontconfig", "gettext"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _stub(folder: Path, name: str, body: str):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A PATH whose dpkg-query says fonts-noto-cjk is missing; `uid` decides who runs."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    log = tmp_path / "apt.log"
    _stub(
        stubs,
        "dpkg-query",
        'for last; do :; done\n[ "$last" = fonts-noto-cjk ] && exit 1\nprintf installed\n',
    )
    _stub(stubs, "apt-get", f'echo "$*" >> {log}\n')

    def run(uid: int, *command: str):
        _stub(stubs, "id", f"echo {uid}\n")
        env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}"}
        env.pop("SYSTEM_PACKAGES", None)
        return subprocess.run(
            command or ["sh", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True
        )

    run.log = log
    return run


def test_every_package_the_project_needs_is_listed():
    listed = [
        line.split("#")[0].strip()
        for line in (ROOT / "deploy" / "debian-packages.txt").read_text().splitlines()
    ]
    assert set(LISTED) <= {name for name in listed if name}


def test_non_root_stops_with_the_exact_command(machine):
    result = machine(1000)
    assert result.returncode == 1
    assert "system packages missing: fonts-noto-cjk" in result.stderr
    assert (
        "apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk"
        in result.stderr
    )
    assert not machine.log.exists()


def test_root_installs_only_what_is_missing(machine):
    result = machine(0)
    assert result.returncode == 0, result.stderr
    assert machine.log.read_text().splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends fonts-noto-cjk",
    ]


def test_make_install_stops_before_making_anything(machine, tmp_path):
    venv = tmp_path / "venv"
    result = machine(1000, "make", "--no-print-directory", "install", f"VENV={venv}")
    assert result.returncode != 0
    assert "apt-get install -y --no-install-recommends fonts-noto-cjk" in result.stderr
    assert not venv.exists()


def test_nothing_to_do_when_everything_is_there(machine, tmp_path):
    listing = tmp_path / "packages.txt"
    listing.write_text("# only present packages\nchromium\ngettext  # comment\n\n")
    result = machine(1000, "sh", str(SCRIPT), str(listing))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
