"""Settings come from the environment, and refuse an unsafe production start."""

import os
import subprocess
import sys

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


def test_with_debug_off_staff_without_two_factor_is_a_warning():
    smtp = {"DEBUG": "false", "EMAIL_URL": "smtp://mail.example.org:25"}

    off = manage_check(STAFF_MFA_REQUIRED="false", **smtp)
    default = manage_check(**smtp)
    development = manage_check(DEBUG="true", STAFF_MFA_REQUIRED="false")

    assert (
        "board.W001" in off.stderr and "staff reach the admin with a password alone" in off.stderr
    )
    assert "board.W001" not in default.stderr + development.stderr
