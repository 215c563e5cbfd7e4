"""Settings come from the environment, and refuse an unsafe production start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_DIR

START = """
import django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(database["ENGINE"], database["CONN_HEALTH_CHECKS"], settings.DEBUG)
"""


def start(*, program: str = START, **environment: str) -> subprocess.CompletedProcess:
    """Run ``program`` (by default: start Django and print its database and DEBUG) in a
    fresh process with the given environment on top of a clean one."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="agenda_site.settings", **environment)
    return subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_the_app_refuses_the_development_secret_key():
    result = start()

    assert result.returncode != 0
    assert "SECRET_KEY is the development key while DEBUG is off" in result.stderr


def test_with_debug_off_and_a_real_secret_key_the_app_starts_on_sqlite():
    result = start(SECRET_KEY="a-long-random-production-value-0123456789")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "False"]


def test_development_mode_accepts_the_development_key():
    assert start(DEBUG="true").stdout.split()[-1] == "True"


def test_database_url_selects_postgresql_with_health_checks():
    result = start(DEBUG="true", DATABASE_URL="postgres://u:p@db.example.org:5432/board")

    assert result.stdout.split() == ["django.db.backends.postgresql", "True", "True"]


def manage_check(**environment: str) -> subprocess.CompletedProcess:
    """``manage.py check`` in a fresh process with the given environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "EMAIL_URL"}}
    env.update(SECRET_KEY="a-long-random-production-value-0123456789", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_mail_written_to_the_console_is_refused():
    result = manage_check(DEBUG="false")

    assert result.returncode != 0
    assert "board.E001" in result.stderr and "reset and verification links" in result.stderr


def test_with_debug_off_a_real_mail_server_passes_the_check():
    assert manage_check(DEBUG="false", EMAIL_URL="smtp://mail.example.org:25").returncode == 0
    assert manage_check(DEBUG="true").returncode == 0


# Rate limits: from the environment, and shared by the app servers in production.

RATE_LIMITS = """
import django
django.setup()
from django.conf import settings
print(settings.RATE_LIMITS["comment"], settings.RATE_LIMITS["check-in"])
print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)
"""


def test_rate_limits_and_trusted_proxies_come_from_the_environment():
    defaults = start(program=RATE_LIMITS, DEBUG="true").stdout.splitlines()
    assert defaults == [
        "10/m/user,100/h/user,30/m/ip,300/h/ip 10/m/user,100/h/user,30/m/ip",
        "0 None",
    ]

    result = start(
        program=RATE_LIMITS,
        DEBUG="true",
        RATE_LIMIT_COMMENT="5/m/user",
        RATE_LIMIT_CHECK_IN="",
        TRUSTED_PROXY_COUNT="2",
        TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
    )
    assert result.stdout.splitlines() == ["5/m/user ", "2 X-Real-IP"]


def test_a_rate_limit_that_does_not_parse_refuses_to_start():
    result = start(program=RATE_LIMITS, DEBUG="true", RATE_LIMIT_CHECK_IN="10 a minute")

    assert result.returncode != 0
    assert "RATE_LIMIT_CHECK_IN: '10 a minute' is not a rate such as 10/m/user" in result.stderr


def deploy_environment(**environment: str) -> dict[str, str]:
    """The environment `make check-config` checks a deploy under, with none of the tests'
    own settings (their cache above all), plus ``environment``."""
    return {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "board.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
        "EMAIL_URL": "smtp+tls://board@mail.example.org:587",
        **environment,
    }


def deploy_check(**environment: str) -> subprocess.CompletedProcess:
    """``manage.py check --deploy --fail-level WARNING`` under a deploy's environment."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=deploy_environment(**environment),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_rate_limits_in_each_processs_memory_are_a_deploy_warning():
    result = deploy_check()  # no CACHE_URL: the in-process default

    assert result.returncode != 0
    assert "board.W001" in result.stderr
    assert "each process counts alone" in result.stderr and "CACHE_URL" in result.stderr


def test_a_shared_redis_cache_passes_the_deploy_check():
    assert deploy_check(CACHE_URL="redis://redis.internal:6379/0").returncode == 0
    assert "board.W001" not in deploy_check(DEBUG="true").stderr


def test_make_check_config_is_clean_with_no_cache_url_of_its_own():
    """What CI runs: the target gives the deploy check a Redis URL (it connects to nothing).
    ``-o`` and ``BIN`` use this environment's Python instead of installing one."""
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", f"BIN={Path(sys.executable).parent}", "check-config"],
        env=deploy_environment(),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_with_debug_off_staff_without_two_factor_is_a_warning():
    smtp = {"DEBUG": "false", "EMAIL_URL": "smtp://mail.example.org:25"}

    off = manage_check(STAFF_MFA_REQUIRED="false", **smtp)
    default = manage_check(**smtp)
    development = manage_check(DEBUG="true", STAFF_MFA_REQUIRED="false")

    assert (
        "board.W002" in off.stderr and "staff reach the admin with a password alone" in off.stderr
    )
    assert "board.W002" not in default.stderr + development.stderr
