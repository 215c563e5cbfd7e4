"""``ensure_local_admin`` points at the admin where ``make run`` serves the site."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import BASE_DIR

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("ensure_local_admin", *args, stdout=out)
    return out.getvalue()


def test_the_new_admins_message_names_the_address_it_was_given(settings):
    settings.DEBUG = True

    created = run("--url", "http://0.0.0.0:8101/")
    existing = run("--url", "http://localhost:9000")

    assert "->  http://0.0.0.0:8101/admin/" in created and "8000" not in created
    assert "sign in at http://localhost:9000/admin/" in existing


def test_without_an_address_it_names_the_default_development_server(settings):
    settings.DEBUG = True

    assert "->  http://127.0.0.1:8000/admin/" in run()


def test_it_says_how_the_admins_two_factor_rule_stands(settings):
    settings.DEBUG = True
    settings.STAFF_MFA_REQUIRED = False
    off = run()
    settings.STAFF_MFA_REQUIRED = True
    on = run("--url", "http://localhost:8000/")

    assert "Two-factor authentication for staff is off here (STAFF_MFA_REQUIRED=false" in off
    assert "`make run STAFF_MFA_REQUIRED=true` turns it on" in off
    assert "set up an authenticator app at http://localhost:8000/accounts/2fa/" in on


def test_make_run_turns_the_rule_off_for_the_local_admin_only():
    makefile = (BASE_DIR / "Makefile").read_text()

    assert "run: export STAFF_MFA_REQUIRED ?= false\n" in makefile
    assert makefile.count("STAFF_MFA_REQUIRED ?=") == 1
