"""Links in markdown: bare addresses, and links to the board's projects that say where each
project stands, written into pages when they are served (one query a page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.markdown import LINK_REL, markdown_to_text, render_markdown
from projects.models import Project
from tests.factories import (
    AgendaFactory,
    CommentFactory,
    ProjectFactory,
    projects_of_every_standing,
)
from tests.html import Elements, text_of

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def links(html: str) -> list[dict]:
    """The attributes of every link in ``html``."""
    return [attrs for tag, attrs in Elements(html).found if tag == "a"]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("https://example.org/paper", "https://example.org/paper"),
        ("http://example.org/a?b=1#c", "http://example.org/a?b=1#c"),
        ("www.example.org", "https://www.example.org"),
        ("WWW.Example.org/path", "https://WWW.Example.org/path"),
    ],
)
def test_bare_addresses_link(text, href):
    html = render_markdown(f"See {text} for more.")

    assert links(html) == [{"href": href, "rel": LINK_REL}]
    assert f">{text}</a>" in html


@pytest.mark.parametrize(
    "text",
    [
        "example.org",
        "someone@example.org",
        "ftp://example.org/file",
        "//example.org/path",
        "javascript:alert(1)",
        "javascript://example.org/%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "`https://example.org/in-code`",
    ],
)
def test_other_forms_and_script_never_link(text):
    assert links(render_markdown(f"See {text} here.")) == []


@pytest.mark.parametrize(
    "source",
    ["[x](javascript:alert(1))", "<javascript:alert(1)>", "[x](JAVASCRIPT:alert(1))"],
)
def test_javascript_never_links_in_any_syntax(source):
    assert all(
        not a.get("href", "").lower().startswith("javascript")
        for a in links(render_markdown(source))
    )


def test_every_external_link_carries_nofollow_ugc_noopener():
    html = render_markdown(
        "[a](https://example.org/a) <https://example.org/b> https://example.org/c "
        "www.example.org [mail](mailto:a@example.org)"
    )

    assert [a["rel"] for a in links(html)] == ["nofollow ugc noopener"] * 5


@pytest.mark.parametrize(
    ("source", "classes"),
    [
        ("[the paper](/projects/a-paper/)", "board-link"),
        (f"{SITE}/projects/a-paper/", "board-link board-link-bare"),
        (f"<{SITE}/projects/a-paper/>", "board-link board-link-bare"),
        (f"[{SITE}/projects/a-paper/]({SITE}/projects/a-paper/)", "board-link board-link-bare"),
        ("https://127.0.0.1:8000/projects/a-paper/", "board-link board-link-bare"),
        ("[x](/projects/a-paper/#discussion)", "board-link"),
        ('[x](/projects/a-paper/ "A title")', "board-link"),
        (f"{SITE}/projects/a-paper/?discussion=2#comment-4", "board-link"),
    ],
)
def test_links_to_the_boards_projects_are_stored_relative_and_marked(source, classes):
    (link,) = links(render_markdown(source))

    assert link["href"].startswith("/projects/a-paper/")
    assert link["class"] == classes
    assert link["rel"] == LINK_REL


@pytest.mark.parametrize(
    "source",
    [
        "https://example.org/projects/a-paper/",
        "http://127.0.0.1:9999/projects/a-paper/",
        "[x](/projects/a-paper/claim/)",
        "[x](/projects/propose/)",
        "[x](/projects/random/)",
        "[x](/agendas/an-agenda/)",
    ],
)
def test_other_hosts_and_other_pages_are_plain_links(source):
    (link,) = links(render_markdown(source))

    assert "class" not in link


def test_the_plain_text_of_a_board_link_is_what_was_written():
    assert markdown_to_text(f"See {SITE}/projects/a-paper/.") == f"See {SITE}/projects/a-paper/."


@pytest.mark.django_db
def test_a_page_shows_each_linked_projects_current_title_and_standing(client):
    """A bare link reads as the project's title, a link with its own words keeps them, and
    each is followed by the project's standing as the list says it."""
    made = projects_of_every_standing(AgendaFactory(slug="a"))
    body = (
        "\n\n".join(f"{SITE}/projects/{project.slug}/" for project in made.values())
        + f"\n\n[my words](/projects/{made['in_progress'].slug}/)"
    )
    comment = CommentFactory(body=body)

    html = client.get(comment.project.get_absolute_url()).content.decode()

    labels = {value: label.lower() for value, label in Project.Standing.choices}
    for value, project in made.items():
        assert (
            f'<a href="/projects/{project.slug}/" class="board-link board-link-bare" '
            f'rel="{LINK_REL}">{project.title}</a> '
            f'<span class="board-standing standing standing-{value}">{labels[value]}</span>'
        ) in html
    assert '>my words</a> <span class="board-standing standing standing-in_progress">' in html


@pytest.mark.django_db
def test_a_board_link_with_a_title_gets_its_standing_too(client):
    linked = ProjectFactory()
    comment = CommentFactory(body=f'[see this](/projects/{linked.slug}/ "The one I mean")')

    html = client.get(comment.project.get_absolute_url()).content.decode()

    assert (
        f'<a href="/projects/{linked.slug}/" class="board-link" title="The one I mean" '
        f'rel="{LINK_REL}">see this</a> <span class="board-standing'
    ) in html


@pytest.mark.django_db
def test_a_bare_board_link_whose_title_holds_markup_stays_one_link(client):
    linked = ProjectFactory(title="The linked one")
    url = f"{SITE}/projects/{linked.slug}/"
    comment = CommentFactory(body=f'[{url}]({url} "a > b \\" c")')

    html = client.get(comment.project.get_absolute_url()).content.decode()

    assert (
        f'<a href="/projects/{linked.slug}/" class="board-link board-link-bare" '
        f'title="a &gt; b &quot; c" rel="{LINK_REL}">The linked one</a>'
    ) in html


@pytest.mark.django_db
def test_a_renamed_or_retired_project_reads_as_it_is_now(client):
    linked = ProjectFactory(title="Old title")
    comment = CommentFactory(body=f"{SITE}/projects/{linked.slug}/")
    linked.title = "New title"
    linked.status = Project.Status.RETIRED
    linked.save(update_fields=["title", "status"])

    html = client.get(comment.project.get_absolute_url()).content.decode()

    assert text_of(html, ".board-link") == ["New title"]
    assert text_of(html, ".board-standing") == ["retired"]
    assert "Old title" not in html


@pytest.mark.django_db
def test_links_to_unpublished_or_missing_projects_stay_as_written(client):
    proposal = ProjectFactory(title="Secret proposal", proposed=True)
    comment = CommentFactory(body=f"{SITE}/projects/{proposal.slug}/ and [x](/projects/nothing/)")

    html = client.get(comment.project.get_absolute_url()).content.decode()

    assert "Secret proposal" not in html
    assert text_of(html, ".board-link") == [f"{SITE}/projects/{proposal.slug}/", "x"]
    assert "board-standing" not in html


@pytest.mark.django_db
def test_a_title_with_markup_is_escaped(client):
    linked = ProjectFactory(title="<script>alert(1)</script> & co")
    comment = CommentFactory(body=f"{SITE}/projects/{linked.slug}/")

    html = client.get(comment.project.get_absolute_url()).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a>" in html
    assert "<script>alert(1)" not in html


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_board_links_cost_one_query_a_page_however_many(client):
    """Guards reading each linked project apart: one board link and twenty, in the
    description, the comments and their replies, cost the page the same one query more than
    none."""
    targets = ProjectFactory.create_batch(20)
    none, one, twenty = ProjectFactory(), ProjectFactory(), ProjectFactory()
    CommentFactory(project=none, body="No links.")
    CommentFactory(project=one, body=f"{SITE}/projects/{targets[0].slug}/")
    for target in targets:
        CommentFactory(project=twenty, body=f"[see](/projects/{target.slug}/)")

    without = page_queries(client, none.get_absolute_url())

    assert page_queries(client, one.get_absolute_url()) == without + 1
    assert page_queries(client, twenty.get_absolute_url()) == without + 1


@pytest.mark.django_db
def test_an_htmx_fragment_gets_titles_and_standings_too(client, researcher):
    linked = ProjectFactory(title="The linked one")
    project = ProjectFactory()
    client.force_login(researcher)

    response = client.post(
        f"/projects/{project.slug}/comments/",
        {"body": f"{SITE}/projects/{linked.slug}/"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert text_of(html, ".board-link") == ["The linked one"]
    assert text_of(html, ".board-standing") == ["unclaimed"]
