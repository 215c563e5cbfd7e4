"""``ensure_local_admin`` points at the admin where ``make run`` serves the site."""

from io import StringIO

import pytest
from django.core.management import call_command

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
