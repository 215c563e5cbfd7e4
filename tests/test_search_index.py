"""Search follows every change of what it reads: on PostgreSQL because each change refreshes
the project's stored vector in its own transaction, on SQLite because the word match reads
the rows themselves. Each test runs on both; the ones about the stored vector itself need
PostgreSQL."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.importers import import_agenda
from projects.models import Output, Project
from projects.search import fill_search_vectors, refresh_search_vector
from tests.factories import AgendaFactory, CommentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    """The slugs of every project (public or not) that ``query`` finds."""
    return set(Project.objects.search(query).values_list("slug", flat=True))


@pytest.fixture
def project():
    return ProjectFactory(slug="the-project", title="Alpha", description="Beta.")


# Projects created


def test_a_project_added_in_the_admin_is_found_by_its_words(client, curating):
    response = client.post(
        reverse("admin:projects_project_add"),
        {
            "agenda": AgendaFactory().pk,
            "number": 1,
            "title": "Zebrafish neurons",
            "slug": "zebrafish",
            "kind": Project.Kind.PAPER,
            "description": "Localized concepts in larval brains.",
            "summary": "",
            "claim_limit": "",
        },
    )

    assert response.status_code == 302
    assert found("zebrafish") == found("larval") == {"zebrafish"}


def test_imported_projects_are_found_by_their_words(multi_line_agenda):
    import_agenda(multi_line_agenda)

    assert found("lazily unindented") == {Project.objects.get(number=2).slug}


def test_a_re_import_that_changes_a_description_changes_what_finds_it(multi_line_agenda):
    import_agenda(multi_line_agenda)
    slug = Project.objects.get(number=3).slug

    import_agenda(multi_line_agenda.replace("An investigation, short.", "An investigation, long."))

    assert found("long") == {slug}
    assert found("short") == set()


def test_a_proposal_is_found_once_approved_and_only_public_ones_are_listed(curator, researcher):
    proposal = services.project_propose(
        by=researcher, agenda=None, title="Zebrafish", description="Larval brains.", kind="paper"
    )
    assert not Project.objects.live().search("larval").exists()

    services.proposal_approve(proposal=proposal, by=curator)

    assert list(Project.objects.live().search("larval")) == [proposal.project]


# A curator's edits


def test_a_new_title_is_found_and_the_old_one_no_longer(project, curator):
    project.rename(title="Gamma", by=curator)

    assert found("gamma") == {"the-project"}
    assert found("alpha") == set()


def test_a_new_description_is_found_and_the_old_one_no_longer(project, curator):
    project.edit_description(text="Delta.", by=curator)

    assert found("delta") == {"the-project"}
    assert found("beta") == set()


def test_the_summary_is_found(project, curator):
    project.edit_summary(text="Agreed scope: epsilon only.", by=curator)

    assert found("epsilon") == {"the-project"}


def test_restoring_an_earlier_version_brings_its_words_back(project, curator):
    project.edit_description(text="Delta.", by=curator)
    first = project.versions.get(note="Before the first edit")
    assert found("beta") == set()

    project.restore_version(first, by=curator)

    assert found("beta") == {"the-project"}
    assert found("delta") == set()


# The discussion


def test_a_word_in_a_new_comment_or_reply_finds_the_project(project, researcher):
    comment = project.add_comment(author=researcher, body="Compare the *zebrafish* study.")
    project.add_comment(author=researcher, body="And larval brains.", parent=comment)

    assert found("zebrafish") == found("larval") == {"the-project"}


def test_an_edited_comment_is_found_by_its_new_words_only(project, researcher):
    comment = project.add_comment(author=researcher, body="zebrafish")

    comment.edit(body="larval")

    assert found("larval") == {"the-project"}
    assert found("zebrafish") == set()


def test_a_comment_its_author_deleted_no_longer_finds_the_project(project, researcher):
    comment = project.add_comment(author=researcher, body="zebrafish")
    assert found("zebrafish") == {"the-project"}

    comment.delete_by_author()

    assert found("zebrafish") == set()


def test_a_hidden_comment_no_longer_finds_the_project_until_it_is_unhidden(
    project, researcher, curator
):
    comment = project.add_comment(author=researcher, body="zebrafish")
    assert found("zebrafish") == {"the-project"}

    comment.hide(by=curator)
    assert found("zebrafish") == set()

    comment.unhide(by=curator)
    assert found("zebrafish") == {"the-project"}


# Outputs


def test_an_output_is_found_while_linked_or_accepted_and_not_once_rejected(
    project, researcher, curator
):
    output = project.link_output(
        by=researcher, url="https://example.org/z", title="Zebrafish results", kind="paper"
    )
    assert found("zebrafish") == {"the-project"}

    output = output.accept(by=curator)
    assert found("zebrafish") == {"the-project"}

    output = output.reject(by=curator)
    assert found("zebrafish") == set()

    output.accept(by=curator)
    assert found("zebrafish") == {"the-project"}


# Merges


def test_after_a_merge_the_kept_project_is_found_by_the_duplicates_discussion(curator):
    kept = ProjectFactory(slug="kept", title="Kept")
    duplicate = ProjectFactory(slug="duplicate", title="Duplicate")
    CommentFactory(project=duplicate, body="zebrafish")
    author = UserFactory()
    duplicate.link_output(by=author, url="https://example.org/l", title="Larval", kind="paper")

    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")

    assert found("zebrafish") == found("larval") == {"kept"}
    assert found("duplicate") == {"duplicate"}


# The stored vector (PostgreSQL)


def weights(project: Project) -> dict[str, str]:
    """Lexeme -> weight letter, from the project's stored vector."""
    project.refresh_from_db(fields=["search_vector"])
    pairs = (item.rsplit(":", 1) for item in project.search_vector.split())
    return {lexeme.strip("'"): positions[-1] for lexeme, positions in pairs}


@pytest.mark.postgresql
def test_the_vector_weighs_title_a_texts_b_discussion_c_and_stems_in_english(curator):
    project = ProjectFactory(title="Hacking", description="Gradients.")
    project.edit_summary(text="Studies.", by=curator)
    CommentFactory(project=project, body="Neurons")
    Output.objects.create(
        project=project, submitted_by=curator, url="https://e.org", title="Brains", kind="paper"
    )
    CommentFactory(project=project, body="Hidden", hidden_at="2024-01-01T00:00Z")
    refresh_search_vector(project.pk)

    assert weights(project) == {
        "hack": "A",
        "gradient": "B",
        "studi": "B",
        "neuron": "C",
        "brain": "C",
    }


@pytest.mark.postgresql
def test_a_refresh_is_a_row_lock_and_one_update(project, django_assert_num_queries):
    with django_assert_num_queries(2) as queries:
        refresh_search_vector(project.pk)

    assert "FOR NO KEY UPDATE" in queries[0]["sql"]
    assert queries[1]["sql"].startswith('UPDATE "projects_project" SET "search_vector"')


def test_on_sqlite_a_refresh_does_nothing(project, django_assert_num_queries):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL keeps a vector")
    with django_assert_num_queries(0):
        refresh_search_vector(project.pk)

    project.refresh_from_db()
    assert project.search_vector is None


def search_updates(queries) -> list[str]:
    """The statements among ``queries`` that wrote a search vector."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith('UPDATE "projects_project" SET "search_vector"')
    ]


@pytest.mark.postgresql
def test_claims_watches_and_tags_leave_the_vector_alone(project, researcher, curator):
    with CaptureQueriesContext(connection) as queries:
        project.claim(researcher=researcher)
        project.set_watch(user=researcher, watching=True)
        project.set_interest(researcher=researcher, interested=True)
        project.set_claim_limit(limit=3, by=curator)

    assert search_updates(queries) == []


@pytest.mark.postgresql
def test_an_import_indexes_all_its_new_projects_in_one_update(demo_agenda_bytes):
    with CaptureQueriesContext(connection) as queries:
        import_agenda(demo_agenda_bytes)

    assert len(search_updates(queries)) == 1
    assert not Project.objects.filter(search_vector__isnull=True).exists()


@pytest.mark.postgresql
def test_the_migration_fills_the_vectors_of_existing_projects(project):
    Project.objects.update(search_vector=None)
    migration = importlib.import_module("projects.migrations.0009_project_search_vector")

    with connection.schema_editor(atomic=False) as editor:
        migration.fill_search_vectors(apps, editor)

    assert found("alpha") == {"the-project"}


@pytest.mark.postgresql
def test_filling_every_vector_is_one_update(project, django_assert_num_queries):
    Project.objects.update(search_vector=None)

    with django_assert_num_queries(1):
        fill_search_vectors()

    assert found("beta") == {"the-project"}
