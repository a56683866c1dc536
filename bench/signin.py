"""Benchmark: CPU per sign-in on the app server, directory (LDAP) against a local password.

Starts Debian's slapd on a loopback port with N people (tests/slapd.py), points the
application at it, brings the accounts in with the directory sync (as on exam morning, when
everyone exists already), then signs each of them in once through the real sign-in page
(form, lockout check, backend, session) and measures this process's CPU time for those requests
only. Then signs in a few people with local passwords, hashed with PBKDF2 as in production.
Prints both figures, their ratio (the goal is at most 1/10) and what slapd spent meanwhile (the
CPU that moves from the app server to the directory).

    .venv/bin/python bench/signin.py [PEOPLE] [LOCAL]      # default 1000 and 20

Uses a throw-away SQLite database unless DATABASE_URL is set (then an empty database made for
the run: it migrates it and adds the employees).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import slapd  # noqa: E402


def clock_ticks(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    local = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    if slapd.MISSING:
        print(slapd.MISSING)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    staff = [
        slapd.Person(f"B{n:05d}", f"员工{n}", f"pass-{n}", department="BENCH")
        for n in range(1, people + 1)
    ]
    server = slapd.Slapd(folder / "slapd", staff, slapd.GROUPS_SEEDED).start()
    try:
        return run(server, staff, local, folder)
    finally:
        server.stop()


def run(server, staff, local, folder):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    import django
    from django.conf import settings

    django.setup()
    slapd.directory_settings(settings, server, default_department="BENCH", position="BENCH-P")

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from lms import services
    from lms.directory import directory_sync
    from lms.models import Position

    setup_test_environment()
    call_command("migrate", verbosity=0)
    department = services.department_create(code="BENCH", name="基准测试供电所")
    position = services.position_create(
        code="BENCH-P", name="供电服务员", category=Position.Category.SKILLED
    )
    report = directory_sync()
    print(f"directory sync: {report.describe().splitlines()[0]}")

    def sign_in_all(people):
        client = Client()
        cpu = 0.0
        refused = 0
        for number, password in people:
            started = time.process_time()
            response = client.post("/accounts/login/", {"username": number, "password": password})
            cpu += time.process_time() - started
            refused += response.status_code != 302
            client.post("/accounts/logout/")
        return cpu, refused

    slapd_before = clock_ticks(server.process.pid)
    wall = time.perf_counter()
    ldap_cpu, ldap_refused = sign_in_all([(p.number, p.password) for p in staff])
    wall = time.perf_counter() - wall
    slapd_cpu = clock_ticks(server.process.pid) - slapd_before

    settings.DIRECTORY_LDAP_URI = ""  # directory sign-in off: local passwords for everyone
    locals_ = [
        services.employee_create(
            number=f"L{n:04d}",
            name=f"本地{n}",
            department=department,
            position=position,
            password=f"local-pass-{n}",
        )
        for n in range(1, local + 1)
    ]
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[1]
    local_cpu, local_refused = sign_in_all(
        [(e.number, f"local-pass-{n}") for n, e in enumerate(locals_, 1)]
    )

    per_ldap = ldap_cpu / len(staff)
    per_local = local_cpu / len(locals_)
    print(f"directory sign-ins: {len(staff)} ({ldap_refused} refused), {wall:.1f} s wall")
    print(f"  app CPU per sign-in: {per_ldap * 1000:.1f} ms")
    print(f"  slapd CPU per sign-in: {slapd_cpu / len(staff) * 1000:.2f} ms (on the directory)")
    print(f"local password sign-ins ({hasher}): {len(locals_)} ({local_refused} refused)")
    print(f"  app CPU per sign-in: {per_local * 1000:.1f} ms")
    ratio = per_ldap / per_local
    print(f"directory / local CPU per sign-in: {ratio:.3f} (goal <= 0.100)")
    return 0 if ratio <= 0.1 and not ldap_refused and not local_refused else 1


if __name__ == "__main__":
    sys.exit(main())
