"""Management commands: import_agenda, ensure_local_admin and rerender_markdown."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from projects.models import Agenda, Claim, Comment, Project
from tests.conftest import DEMO_AGENDA
from tests.factories import ClaimFactory, CommentFactory, ProjectFactory, UserFactory

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


def test_rerender_markdown_renders_every_stored_text_again_in_batches():
    """Texts saved before the renderer learnt math hold their old HTML until it runs."""
    project = ProjectFactory(description="Show $x^2$.", summary="See https://example.org.")
    comments = CommentFactory.create_batch(3, project=project, body="$a+b$")
    ClaimFactory(project=project, plan="$$\\int f$$")
    person = UserFactory(bio="www.example.org")
    old = "<p>as it was</p>"
    Project.objects.update(description_html=old, summary_html=old)
    Comment.objects.filter(pk=comments[0].pk).update(body_html=old)
    Claim.objects.update(plan_html=old)
    User.objects.filter(pk=person.pk).update(bio_html=old)
    updated_at = Project.objects.get().updated_at

    out = run("rerender_markdown", "--batch-size", "2")

    project.refresh_from_db()
    assert "<msup>" in project.description_html
    assert '<a href="https://example.org"' in project.summary_html
    assert all("<math" in c.body_html for c in Comment.objects.all())
    assert '<math display="block"' in Claim.objects.get().plan_html
    assert 'href="https://www.example.org"' in User.objects.get(pk=person.pk).bio_html
    assert project.updated_at == updated_at
    assert "comments: 1 of 3 re-rendered" in out
    assert "projects: 1 of 1 re-rendered" in out


def test_rerender_markdown_run_again_changes_nothing():
    CommentFactory(body="$x$")

    run("rerender_markdown")

    assert "comments: 0 of 1 re-rendered" in run("rerender_markdown")
