"""Management commands: import_agenda and ensure_local_admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from projects.models import Agenda
from tests.conftest import DEMO_AGENDA

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_agenda_imports_the_demo_agenda_and_says_what_it_did():
    first = run("import_agenda", str(DEMO_AGENDA))
    second = run("import_agenda", str(DEMO_AGENDA))

    assert "26 created" in first
    assert "0 created; 0 updated; 26 unchanged" in second


def test_import_agenda_dry_run_saves_nothing():
    assert "Dry run, nothing saved" in run("import_agenda", "--dry-run", str(DEMO_AGENDA))
    assert not Agenda.objects.exists()


def test_import_agenda_fails_clearly_on_a_missing_or_bad_file(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("just some text\n")

    with pytest.raises(CommandError, match="Cannot read"):
        run("import_agenda", str(tmp_path / "missing.md"))
    with pytest.raises(CommandError, match="no front matter.*Nothing was imported"):
        run("import_agenda", str(bad))
    assert not Agenda.objects.exists()


def test_ensure_local_admin_makes_one_admin_once(settings):
    settings.DEBUG = True

    first = run("ensure_local_admin")
    second = run("ensure_local_admin")

    assert "username admin, password " in first
    assert "An admin account exists" in second
    admin = User.objects.get(is_superuser=True)
    assert admin.emailaddress_set.get().verified


def test_ensure_local_admin_refuses_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG off"):
        run("ensure_local_admin")
