"""The board's recent activity page, and the feed links on the pages that have feeds."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from projects.models import Event, Output
from projects.views import activity
from tests.factories import CommentFactory, ProjectFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/activity/"


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", display_name="Ada L.", email="ada@example.org")


def lines(html: str) -> list[str]:
    """Each activity line's words, tags dropped and spaces collapsed."""
    items = re.findall(r'<p class="activity-line">(.*?)</p>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def test_the_url_is_named_and_the_site_navigation_links_it(client):
    assert reverse("projects:activity") == URL
    assert f'<a href="{URL}">Activity</a>' in client.get("/").content.decode()


def test_each_line_says_who_did_what_to_which_project_and_when(client, ada):
    project = ProjectFactory(title="Toy models of deception")
    project.claim(researcher=ada)
    comment = project.add_comment(author=ada, body="Does a *toy* model count?")

    html = client.get(URL).content.decode()

    assert lines(html) == [
        "Ada L. commented on Toy models of deception",
        "Ada L. claimed Toy models of deception",
    ]
    assert f'<a class="activity-actor" href="{ada.get_absolute_url()}">Ada L.</a>' in html
    page = project.get_absolute_url()
    assert f'href="/comments/{comment.pk}/">Toy models of deception</a>' in html
    assert f'href="{page}#history">Toy models of deception</a>' in html
    assert '<p class="activity-summary">Does a toy model count?</p>' in html
    event = Event.objects.latest("created_at")
    assert f'<time datetime="{event.created_at.isoformat()}">' in html


def test_an_interest_reads_as_a_sentence_and_an_output_by_its_title(client, ada):
    project = ProjectFactory(title="Toy models")
    project.set_interest(researcher=ada, interested=True, note="I would review it")
    project.link_output(
        by=ada, url="https://example.org/p", title="A first post", kind=Output.Kind.PAPER
    )

    html = client.get(URL).content.decode()

    assert lines(html) == ["Ada L. linked an output to Toy models", "Ada L. wants Toy models done"]
    assert '<p class="activity-summary">A first post</p>' in html
    assert '<p class="activity-summary">I would review it</p>' in html


def test_an_empty_board_says_nothing_has_happened(client):
    html = client.get(URL).content.decode()
    assert "Nothing has happened on the board yet." in html


def test_the_page_links_the_site_feed_in_its_head_and_in_words(client):
    html = client.get(URL).content.decode()
    head = html[: html.index("</head>")]

    assert 'rel="alternate" type="application/atom+xml"' in head and 'href="/feeds/"' in head
    assert '<a href="/feeds/" type="application/atom+xml">Atom feed</a>' in html


# Paging: a page at a time, and any page number answers with the nearest page.


@pytest.fixture
def twelve_events(ada, monkeypatch):
    monkeypatch.setattr(activity, "PER_PAGE", 5)
    project = ProjectFactory()
    for n in range(12):
        project.add_comment(author=ada, body=f"Comment number {n}")


def test_the_page_goes_a_page_at_a_time_newest_first(client, twelve_events):
    first = client.get(URL).content.decode()
    last = client.get(f"{URL}?page=3").content.decode()

    assert len(lines(first)) == 5 and "Page 1 of 3" in first
    assert "Comment number 11" in first and "Comment number 7" in first
    assert len(lines(last)) == 2 and "Comment number 0" in last and "Page 3 of 3" in last
    assert 'rel="next" href="?page=2"' in first and 'rel="prev" href="?page=2"' in last


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("99", 3), ("0", 1), ("-2", 1), ("two", 1), ("", 1), ("1.5", 1), ("9" * 5000, 1)],
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(
    client, twelve_events, asked, shown
):
    response = client.get(URL, {"page": asked})

    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.content.decode()


def test_the_page_refuses_post(client):
    assert client.post(URL).status_code == 405


# Privacy: the same rules as the feeds.


def test_an_unpublished_proposals_events_never_appear(client, ada):
    proposal = ProjectFactory(title="A secret idea", proposed=True)
    proposal.add_comment(author=ada, body="Notes on it")
    Event.record(project=proposal, actor=ada, kind=Event.Kind.ADDED)

    html = client.get(URL).content.decode()

    assert "secret idea" not in html and "Notes on it" not in html


def test_hidden_and_deleted_comments_rejected_outputs_and_watching_never_show(client, ada, curator):
    project = ProjectFactory(title="Toy models")
    hidden = project.add_comment(author=ada, body="Spam spam spam")
    gone = project.add_comment(author=ada, body="Regrettable words")
    output = project.link_output(
        by=ada, url="https://example.org/p", title="A bad link", kind=Output.Kind.PAPER
    )
    hidden.hide(by=curator)
    gone.delete_by_author()
    output.reject(by=curator)
    project.set_watch(user=ada, watching=True)
    CommentFactory(project=project).flag(by=ada, reason="Off topic")

    html = client.get(URL).content.decode()

    assert "Spam spam spam" not in html and "Regrettable words" not in html
    assert "A bad link" not in html
    assert "watching" not in html and "flagged" not in html and "Off topic" not in html
    assert "ada@example.org" not in html
    assert "grace rejected an output of Toy models" in lines(html)
    assert "grace hid a comment on Toy models" in lines(html)


def test_text_a_user_wrote_is_escaped(client, ada):
    ada.display_name = "<b>Ada</b>"
    ada.save()
    ProjectFactory().add_comment(author=ada, body="<script>alert(1)</script>")

    html = client.get(URL).content.decode()

    assert "<script>alert" not in html and "<b>Ada</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Queries.


def add_events(count: int) -> None:
    """``count`` events by different people on different projects: comments and outputs."""
    for n in range(count):
        project, author = ProjectFactory(), UserFactory()
        if n % 2:
            project.link_output(
                by=author, url=f"https://example.org/{n}", title="Out", kind=Output.Kind.PAPER
            )
        else:
            project.add_comment(author=author, body="Hello")


def test_the_activity_page_query_count_does_not_grow_with_events(client, django_assert_num_queries):
    """Guards the N+1s of each line's actor, project, comment and output (joined by
    ``Event.objects.for_feed``): the page counts, then reads one page of events."""
    add_events(1)
    with django_assert_num_queries(2):
        assert len(lines(client.get(URL).content.decode())) == 1
    add_events(19)
    with django_assert_num_queries(2):
        assert len(lines(client.get(URL).content.decode())) == 20


# The feed links on the pages with feeds of their own.


def head_of(html: str) -> str:
    return html[: html.index("</head>")]


def test_every_page_links_the_site_feed_in_its_head(client):
    head = head_of(client.get("/").content.decode())
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Research Agenda Board: recent activity" href="/feeds/">'
    ) in head


def test_an_agenda_page_links_its_feed_in_its_head_and_in_words(client):
    project = ProjectFactory()
    agenda_feed = reverse("projects:feed-agenda", args=[project.agenda.slug])

    html = client.get(project.agenda.get_absolute_url()).content.decode()

    assert f'href="{agenda_feed}"' in head_of(html)
    assert head_of(html).index(agenda_feed) < head_of(html).index('href="/feeds/"')
    assert f'<a href="{agenda_feed}" type="application/atom+xml">Atom feed</a>' in html


def test_a_project_page_links_its_feed_in_its_head_and_in_its_history(client):
    project = ProjectFactory()
    project_feed = reverse("projects:feed-project", args=[project.slug])

    html = client.get(project.get_absolute_url()).content.decode()

    assert f'href="{project_feed}"' in head_of(html)
    history = html[html.index('id="history"') :]
    assert f'<a href="{project_feed}" type="application/atom+xml">Atom feed</a>' in history


def test_a_tag_page_links_its_feed_in_its_head_and_in_words(client):
    tag = TagFactory(name="Interpretability", slug="interpretability")
    tag_feed = reverse("projects:feed-tag", args=[tag.slug])

    html = client.get(reverse("projects:tag-detail", args=[tag.slug])).content.decode()

    assert f'href="{tag_feed}"' in head_of(html)
    assert f'<a href="{tag_feed}" type="application/atom+xml">Atom feed</a>' in html


@pytest.mark.postgresql
def test_the_newest_events_across_projects_are_read_from_their_index(ada):
    """The feeds and this page walk events newest first along ``event_recent_idx`` and stop
    at a page's worth: never a sort of every event on the board."""
    projects = [ProjectFactory() for _ in range(20)]
    Event.objects.bulk_create(
        Event(project=projects[n % 20], actor=ada, kind=Event.Kind.CHECKED_IN)
        for n in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project, projects_event")
    plan = Event.objects.for_feed()[:50].explain()
    assert "event_recent_idx" in plan and "Seq Scan on projects_event" not in plan, plan
