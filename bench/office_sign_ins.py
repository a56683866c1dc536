"""Benchmark: an office of N people behind one address signs in on exam morning, 5 % of them
mistyping their password once first (what tests/lms/test_login_protection.py checks with 20).

Prints sign-ins per second and how many accounts ended up paused (the goal is none).

    .venv/bin/python bench/office_sign_ins.py [PEOPLE]      # default 500

Uses a throw-away SQLite database unless DATABASE_URL is set (then point it at an empty database
made for the run: it migrates it and adds N employees). Passwords are hashed as in production.
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.mkdtemp(prefix="bench-office-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.lms.office import office_of, sign_in_morning  # noqa: E402


def main():
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    setup_test_environment()
    call_command("migrate", verbosity=0)
    staff = office_of(people, prefix="BO")
    started = time.perf_counter()
    signed_in, paused, tries = sign_in_morning(Client(), staff, random.Random(7))
    elapsed = time.perf_counter() - started
    print(f"people: {people}, sign-in requests: {tries}, signed in: {signed_in}")
    print(f"elapsed: {elapsed:.1f} s, {tries / elapsed:.1f} requests/s")
    print(f"accounts paused: {paused} (goal 0)")
    return 0 if signed_in == people and paused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
