"""Mentions: ``@username`` links to the person's page; unknown names, code, addresses and
links stay as written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.markdown import markdown_to_text, render_markdown
from projects.markdown.mentions import mentioned_names
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADA_LINK = '<a href="/people/ada/" class="mention" rel="nofollow ugc noopener">@ada</a>'


@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


# Rendering


def test_a_mention_of_an_active_account_links_to_their_page(ada):
    assert render_markdown("Ask @ada about it.") == f"<p>Ask {ADA_LINK} about it.</p>\n"
    assert reverse("accounts:person-detail", args=["ada"]) == "/people/ada/"


def test_an_unknown_name_stays_plain_text(ada):
    assert render_markdown("Ask @nobody.") == "<p>Ask @nobody.</p>\n"


def test_code_addresses_links_and_paths_keep_their_at_signs_as_written(ada):
    html = render_markdown(
        "`@ada` and\n\n    @ada in a block\n\nmail ada@example.org or @ada@example.org, "
        "[@ada](https://example.org/) and https://example.org/@ada"
    )

    assert "mention" not in html
    assert "<code>@ada</code>" in html and "@ada in a block" in html
    assert "ada@example.org" in html and "@ada@example.org" in html


def test_a_mention_inside_emphasis_or_brackets_links(ada):
    html = render_markdown("*@ada* (@ada), @ada.")

    assert html.count(ADA_LINK) == 3


def test_a_deactivated_account_is_not_linked(ada):
    ada.is_active = False
    ada.save(update_fields=["is_active"])

    assert render_markdown("Ask @ada.") == "<p>Ask @ada.</p>\n"


def test_one_query_finds_every_name_of_a_text():
    """Guards the per-name lookup: all candidate names of one text in one query."""
    names = [UserFactory(username=f"person{n}").username for n in range(20)]
    text = " ".join(f"@{name}" for name in names) + " @nobody @ghost"

    with CaptureQueriesContext(connection) as queries:
        html = render_markdown(text)

    assert len(queries) == 1
    assert mentioned_names(html) == set(names)


def test_text_without_a_mention_asks_nothing_and_plain_text_keeps_the_name(ada):
    with CaptureQueriesContext(connection) as queries:
        render_markdown("No names here, only a@b.org.")
        plain = markdown_to_text("Ask **@ada**.")

    assert queries.captured_queries == []
    assert plain == "Ask @ada."


def test_a_class_written_by_hand_is_not_a_mention(ada):
    html = render_markdown('<a href="/people/ada/" class="mention">Ada</a>')

    assert mentioned_names(html) == set()


def test_a_bio_links_the_people_it_mentions(ada, bob):
    bob.bio = "I work with @ada."
    bob.save()

    assert ADA_LINK in bob.bio_html
