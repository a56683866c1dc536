import os
import subprocess
import sys

from django.conf import settings


def _manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "TESTING",
            "SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DATABASE_URL",
            "REDIS_URL",
        }
    }
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


def test_missing_secret_key_fails_the_deploy_check_with_a_clear_error():
    result = _manage("check", "--deploy", env={"DEBUG": "0", "TESTING": "0", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "lms.E001" in result.stderr
    assert "SECRET_KEY" in result.stderr


def _redis_reachable():
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_redis_url_moves_cache_sessions_and_tasks_to_redis():
    import pytest

    if not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = (
        "from django.conf import settings;"
        "from lms import views;"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.SESSION_ENGINE);"
        "print(settings.TASKS['default']['BACKEND']);"
        "views._probe_cache(); views._probe_tasks(); print('reachable')"
    )
    result = _manage(
        "shell",
        "-c",
        script,
        env={"DEBUG": "1", "TESTING": "0", "REDIS_URL": "redis://127.0.0.1:6379/15"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert "lms.cache.RedisCache" in lines
    assert "django.contrib.sessions.backends.cache" in lines
    assert "django_tasks_rq.RQBackend" in lines
    assert "reachable" in lines


def test_with_directory_sign_in_on_wagtail_keeps_no_passwords():
    """Wagtail's password change screen and its user forms' password fields follow SSO."""
    probe = (
        "from django.conf import settings as s; "
        "print(s.WAGTAIL_PASSWORD_MANAGEMENT_ENABLED, s.WAGTAILUSERS_PASSWORD_ENABLED)"
    )
    for env, expected in (
        ({}, "True True"),
        ({"DIRECTORY_LDAP_URI": "ldap://127.0.0.1:9"}, "False False"),
        ({"OIDC_RP_CLIENT_ID": "grid-academy"}, "False False"),
    ):
        result = _manage("shell", "-c", probe, env={"DEBUG": "1", **env})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected
