import os
import subprocess
import sys

from django.conf import settings


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "TESTING": "0",
            "SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "academy.example.com",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_stops_the_server_with_a_clear_error():
    result = _manage("check", env={"DEBUG": "0", "TESTING": "0", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "lms.E001" in result.stderr
    assert "SECRET_KEY" in result.stderr
