"""Atom feeds of public activity: the board, an agenda, a project, a tag."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from projects import feeds
from projects.models import Event, Output
from projects.services import project_merge
from tests.factories import (
    AgendaFactory,
    CommentFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, url: str) -> ET.Element:
    """The feed at ``url``, parsed: Atom's content type, and well-formed XML."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def text(element: ET.Element, path: str) -> str:
    found = element.find(path.replace("atom:", ATOM))
    return "" if found is None or found.text is None else found.text


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def titles(feed: ET.Element) -> list[str]:
    return [text(entry, "atom:title") for entry in entries(feed)]


def alternate(feed: ET.Element) -> str:
    return feed.find(f"{ATOM}link[@rel='alternate']").get("href")


def when(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def assert_valid_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each of its entries."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert text(feed, f"atom:{name}"), f"the feed has no {name}"
    assert alternate(feed).startswith("http")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").startswith("http")
    assert text(feed, "atom:author/atom:name")
    assert entries(feed), "the scene should give the feed entries"
    for entry in entries(feed):
        for name in ("id", "title", "updated", "published", "author/atom:name"):
            assert text(entry, f"atom:{name}"), f"an entry has no {name}"
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        when(text(entry, "atom:updated"))
    newest = max(when(text(entry, "atom:updated")) for entry in entries(feed))
    assert when(text(feed, "atom:updated")) == newest


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", display_name="Ada L.", email="ada@example.org")


@pytest.fixture
def scene(ada, curator):
    """A tagged project of an agenda with a claim, a comment and a linked output."""
    tag = TagFactory(name="Interpretability", slug="interpretability")
    agenda = AgendaFactory(title="Open problems")
    project = ProjectFactory(agenda=agenda, title="Toy models of deception", tags=[tag])
    project.claim(researcher=ada, plan="Read, then write.")
    project.add_comment(author=ada, body="Does a *toy* model count?")
    project.link_output(
        by=ada, url="https://example.org/post", title="A first post", kind=Output.Kind.BLOG_POST
    )
    return {"tag": tag, "agenda": agenda, "project": project}


def feed_urls(scene) -> dict[str, str]:
    return {
        "site": reverse("projects:feed-site"),
        "agenda": reverse("projects:feed-agenda", args=[scene["agenda"].slug]),
        "project": reverse("projects:feed-project", args=[scene["project"].slug]),
        "tag": reverse("projects:feed-tag", args=[scene["tag"].slug]),
    }


@pytest.mark.parametrize("which", ["site", "agenda", "project", "tag"])
def test_every_feed_is_valid_atom_with_the_scenes_events_newest_first(client, scene, which):
    feed = fetch(client, feed_urls(scene)[which])

    assert_valid_atom(feed)
    assert titles(feed) == [
        "Ada L. linked an output to “Toy models of deception”",
        "Ada L. commented on “Toy models of deception”",
        "Ada L. claimed “Toy models of deception”",
    ]


def test_the_feeds_are_titled_after_what_they_follow_and_link_its_page(client, scene):
    urls = feed_urls(scene)
    project = scene["project"]

    site = fetch(client, urls["site"])
    agenda = fetch(client, urls["agenda"])
    project_feed = fetch(client, urls["project"])
    tag = fetch(client, urls["tag"])

    assert text(site, "atom:title") == "Research Agenda Board: recent activity"
    assert alternate(site) == "http://testserver/activity/"
    assert text(agenda, "atom:title") == "Open problems · Research Agenda Board"
    assert alternate(agenda) == f"http://testserver{scene['agenda'].get_absolute_url()}"
    assert text(project_feed, "atom:title") == "Toy models of deception · Research Agenda Board"
    assert alternate(project_feed) == f"http://testserver{project.get_absolute_url()}#history"
    assert text(tag, "atom:title") == "Projects tagged “Interpretability” · Research Agenda Board"
    assert alternate(tag) == "http://testserver/tags/interpretability/"
    assert site.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feeds/"


def test_an_entry_links_its_comment_or_output_on_the_project_page_else_the_history(client, scene):
    project = scene["project"]
    comment = project.comments.get()
    output = project.outputs.get()

    linked, commented, claimed = entries(fetch(client, feed_urls(scene)["site"]))

    page = f"http://testserver{project.get_absolute_url()}"
    assert linked.find(f"{ATOM}link").get("href") == f"{page}#output-{output.pk}"
    assert commented.find(f"{ATOM}link").get("href") == f"http://testserver/comments/{comment.pk}/"
    assert claimed.find(f"{ATOM}link").get("href") == f"{page}#history"


def test_an_entry_sums_up_the_comment_text_the_output_title_or_the_note(client, scene, ada):
    project = scene["project"]
    project.claims.get().check_in(note="Halfway through the reading.")

    checked_in, linked, commented, claimed = entries(fetch(client, feed_urls(scene)["site"]))

    assert text(checked_in, "atom:summary") == "Halfway through the reading."
    assert text(linked, "atom:summary") == "A first post"
    assert text(commented, "atom:summary") == "Does a toy model count?"
    assert claimed.find(f"{ATOM}summary") is None
    assert checked_in.find(f"{ATOM}summary").get("type") == "html"


def test_an_entry_names_its_author_by_public_name_and_never_by_email(client, scene, ada):
    feed = fetch(client, feed_urls(scene)["site"])
    raw = client.get(feed_urls(scene)["site"]).content.decode()

    assert {text(entry, "atom:author/atom:name") for entry in entries(feed)} == {"Ada L."}
    assert "ada@example.org" not in raw and "<email>" not in raw


def test_an_event_whose_actor_is_gone_is_told_as_someones(client, scene, ada):
    Event.objects.update(actor=None)

    newest = entries(fetch(client, feed_urls(scene)["site"]))[0]

    assert text(newest, "atom:title") == "Someone linked an output to “Toy models of deception”"
    assert text(newest, "atom:author/atom:name") == "Someone"


def test_entry_ids_are_unique_and_the_same_at_every_reading(client, scene):
    url = feed_urls(scene)["site"]
    first = [text(entry, "atom:id") for entry in entries(fetch(client, url))]
    scene["project"].add_comment(author=UserFactory(), body="Later.")
    second = [text(entry, "atom:id") for entry in entries(fetch(client, url))]

    assert len(set(first)) == 3 and all(id_.startswith("tag:") for id_ in first)
    assert second[1:] == first


def test_a_feed_holds_the_latest_entries_only_and_is_as_new_as_its_newest(
    client, scene, monkeypatch
):
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 2)
    newest = Event.objects.latest("created_at")

    feed = fetch(client, feed_urls(scene)["site"])

    assert len(entries(feed)) == 2
    assert when(text(feed, "atom:updated")) == newest.created_at


def test_an_empty_feed_is_still_valid_atom(client):
    feed = fetch(client, reverse("projects:feed-site"))

    assert feed.tag == f"{ATOM}feed" and entries(feed) == []
    assert text(feed, "atom:id") and text(feed, "atom:updated")


def test_each_feed_tells_only_its_own_agenda_project_or_tag(client, scene, ada):
    elsewhere = ProjectFactory(title="Another question", tags=[TagFactory(name="Other")])
    elsewhere.claim(researcher=ada)
    urls = feed_urls(scene)

    assert "Ada L. claimed “Another question”" in titles(fetch(client, urls["site"]))
    for which in ("agenda", "project", "tag"):
        assert not any("Another question" in t for t in titles(fetch(client, urls[which])))


def test_a_tag_feed_answers_at_a_slug_in_any_alphabet(client, ada):
    tag = TagFactory(name="Überwachung", slug="überwachung")
    ProjectFactory(title="Watching models", tags=[tag]).claim(researcher=ada)

    feed = fetch(client, reverse("projects:feed-tag", args=[tag.slug]))

    assert titles(feed) == ["Ada L. claimed “Watching models”"]


@pytest.mark.parametrize("name", ["feed-agenda", "feed-project", "feed-tag"])
def test_an_unknown_slug_answers_404(client, name):
    assert client.get(reverse(f"projects:{name}", args=["no-such-thing"])).status_code == 404


def test_a_merged_duplicates_feed_redirects_to_the_kept_projects_and_its_events_stay_out(
    client, ada, curator
):
    kept = ProjectFactory(title="The kept one")
    duplicate = ProjectFactory(title="The duplicate")
    duplicate.claim(researcher=UserFactory())
    project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question.")

    response = client.get(reverse("projects:feed-project", args=[duplicate.slug]))
    site = titles(fetch(client, reverse("projects:feed-site")))

    assert response.status_code == 301
    assert response["Location"] == reverse("projects:feed-project", args=[kept.slug])
    assert site.count("grace merged a duplicate into “The kept one”") == 1
    assert not any("“The duplicate”" in title for title in site)


def test_feeds_answer_head_and_refuse_post(client, scene):
    url = feed_urls(scene)["project"]
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


# Privacy: what never reaches a feed.


def all_feeds_text(client, scene) -> str:
    return "".join(client.get(url).content.decode() for url in feed_urls(scene).values())


def test_an_unpublished_proposals_events_never_appear(client, scene, ada):
    proposal = ProjectFactory(
        title="A secret idea", proposed=True, agenda=scene["agenda"], tags=[scene["tag"]]
    )
    proposal.add_comment(author=ada, body="Notes on the secret idea")
    Event.record(project=proposal, actor=ada, kind=Event.Kind.ADDED)

    assert "secret idea" not in all_feeds_text(client, scene)
    assert client.get(reverse("projects:feed-project", args=[proposal.slug])).status_code == 404


def test_a_hidden_or_deleted_comments_text_never_appears(client, scene, ada, curator):
    project = scene["project"]
    hidden = project.add_comment(author=ada, body="Spam spam spam")
    gone = project.add_comment(author=ada, body="Regrettable words")
    hidden.hide(by=curator)
    gone.delete_by_author()

    feed = all_feeds_text(client, scene)

    assert "Spam spam spam" not in feed and "Regrettable words" not in feed
    assert "grace hid a comment on “Toy models of deception”" in feed
    assert "Ada L. deleted a comment on “Toy models of deception”" in feed


def test_a_rejected_outputs_title_never_appears(client, scene, curator):
    scene["project"].outputs.get().reject(by=curator)

    feed = all_feeds_text(client, scene)

    assert "A first post" not in feed
    assert "grace rejected an output of “Toy models of deception”" in feed


def test_watching_and_other_private_events_never_appear(client, scene, ada):
    project = scene["project"]
    project.set_watch(user=ada, watching=True)
    CommentFactory(project=project).flag(by=ada, reason="Off topic")

    feed = all_feeds_text(client, scene)

    assert "watching" not in feed and "flagged" not in feed and "Off topic" not in feed


def test_text_a_user_wrote_reaches_a_reader_as_text_never_as_markup(client, scene, ada):
    ada.display_name = "<b>Ada</b>"
    ada.save()
    scene["project"].add_comment(author=ada, body="<script>alert(1)</script> hello")

    newest = entries(fetch(client, feed_urls(scene)["site"]))[0]

    # A summary is HTML to a reader: the script arrives escaped, to be shown as text.
    assert text(newest, "atom:summary") == "&lt;script&gt;alert(1)&lt;/script&gt; hello"
    # A title is plain text to a reader: the name is shown as written.
    assert text(newest, "atom:title").startswith("<b>Ada</b> commented on")
    assert newest.find(f"{ATOM}title").get("type") in (None, "text")


# Queries: one for the events, one for what the feed follows, whatever the number of entries.


def add_activity(project, count: int) -> None:
    """``count`` events on the project by different people: comments and linked outputs."""
    for n in range(count):
        author = UserFactory()
        if n % 2:
            project.link_output(
                by=author,
                url=f"https://example.org/{project.pk}/{author.pk}",
                title=f"Output {n}",
                kind=Output.Kind.PAPER,
            )
        else:
            project.add_comment(author=author, body=f"Comment {n}")


@pytest.mark.parametrize(
    ("which", "queries"), [("site", 1), ("agenda", 2), ("project", 2), ("tag", 2)]
)
def test_a_feeds_query_count_does_not_grow_with_its_entries(
    client, django_assert_num_queries, which, queries
):
    """Guards the N+1s of each entry's actor, project, comment and output (joined by
    ``Event.objects.for_feed``): 1 event and 20 events cost the same queries."""
    tag = TagFactory()
    small = ProjectFactory(tags=[tag])
    add_activity(small, 1)
    scene = {"agenda": small.agenda, "project": small, "tag": tag}
    url = feed_urls(scene)[which]

    with django_assert_num_queries(queries):
        assert len(entries(fetch(client, url))) == 1
    add_activity(small, 19)
    with django_assert_num_queries(queries):
        assert len(entries(fetch(client, url))) == 20
