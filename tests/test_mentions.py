"""Mentions: ``@username`` links to the person's page and tells them, once, when they may
read the text; unknown names, code, addresses and links stay as written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.mail import digest_email
from notifications.models import Delivery, Frequency, Notification, Preference, Reason, Topic
from projects.markdown import markdown_to_text, render_markdown
from projects.markdown.mentions import mentioned_names
from projects.services import project_propose, project_propose_edit
from tests.factories import CommentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ADA_LINK = '<a href="/people/ada/" class="mention" rel="nofollow ugc noopener">@ada</a>'


@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def project():
    return ProjectFactory()


def mentions_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, topic=Topic.MENTIONS))


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
    assert mentions_of(ada) == []  # a bio is no event on a project: nobody is told


# Telling


def test_the_mentioned_person_is_told_in_their_list_their_board_and_by_email(
    client, ada, bob, project, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = project.add_comment(author=bob, body="What do you think, @ada?")

    [notice] = mentions_of(ada)
    assert (notice.reason, notice.mail, notice.event.comment) == (
        Reason.MENTION,
        Frequency.AT_ONCE,
        comment,
    )
    [email] = mailoutbox
    assert email.to == ["ada@example.org"]
    assert email.subject.endswith(f"bob mentioned you in a comment on “{project.title}”")
    client.force_login(ada)
    link = f'<a class="notification-link" href="/comments/{comment.pk}/">'
    line = f"bob mentioned you in a comment on {link}"
    assert line in client.get("/notifications/").content.decode()
    assert line in client.get("/me/").content.decode()
    assert "You hear of it because it mentions you." in client.get("/me/").content.decode()


def test_a_watcher_who_is_mentioned_is_told_once_of_the_mention(ada, bob, project):
    project.set_watch(user=ada, watching=True)

    project.add_comment(author=bob, body="@ada, see this.")

    [notice] = Notification.objects.filter(recipient=ada)
    assert notice.topic == Topic.MENTIONS


def test_a_reply_mentioning_someone_says_so(ada, bob, project):
    top = project.add_comment(author=bob, body="A question.")
    carol = UserFactory(username="carol")

    project.add_comment(author=carol, parent=top, body="@ada knows.")

    [notice] = mentions_of(ada)
    assert notice.headline == f"carol mentioned you in a reply on “{project.title}”"


def test_the_mention_topic_follows_the_persons_choice(ada, bob, project):
    Preference(user=ada).choose(mentions=Frequency.DAILY)

    project.add_comment(author=bob, body="@ada")

    [notice] = mentions_of(ada)
    assert notice.mail == Frequency.DAILY and notice.mailed_at is None
    assert Notification.objects.waiting().filter(recipient=ada).count() == 1
    assert not Delivery.objects.filter(recipient=ada).exists()


def test_mentioning_someone_unknown_changes_nothing_and_answers_as_usual(client, bob, project):
    client.force_login(bob)

    response = client.post(
        reverse("projects:comment-create", args=[project.slug]), {"body": "Hello @nobody."}
    )

    assert response.status_code in (302, 303)
    assert project.comments.get().body_html == "<p>Hello @nobody.</p>\n"
    assert Notification.objects.count() == 0


def test_mentioning_oneself_tells_no_one(ada, project):
    project.add_comment(author=ada, body="Note to self, @ada.")

    assert Notification.objects.count() == 0


def test_a_deactivated_person_is_not_told(ada, bob, project):
    ada.is_active = False
    ada.save(update_fields=["is_active"])

    project.add_comment(author=bob, body="@ada?")

    assert Notification.objects.count() == 0


def test_an_edit_tells_only_the_people_it_adds_and_each_once(ada, bob, project):
    carol = UserFactory(username="carol")
    comment = project.add_comment(author=bob, body="Asking @ada.")

    comment.edit(body="Asking @ada and @carol.")
    comment.edit(body="Asking @ada and @carol, again.")
    comment.edit(body="Asking nobody.")
    comment.edit(body="Asking @ada and @carol once more.")

    assert len(mentions_of(ada)) == 1
    [told] = mentions_of(carol)
    assert told.event.kind == "comment_edited"
    assert told.headline == f"bob mentioned you in a comment on “{project.title}”"


def test_an_edit_without_a_new_mention_tells_no_one(ada, bob, project):
    project.set_watch(user=ada, watching=True)
    comment = project.add_comment(author=bob, body="Asking @ada.")

    comment.edit(body="Asking @ada, politely.")

    assert Notification.objects.filter(recipient=ada).count() == 1


def test_a_hidden_comment_tells_no_one_more(ada, bob, project):
    comment = CommentFactory(project=project, author=bob, body="First text.")
    comment.hide(by=UserFactory(curator=True))

    comment.edit(body="Now with @ada.")

    assert mentions_of(ada) == []


def test_a_claims_plan_tells_the_people_it_mentions_and_links_to_the_claim(ada, bob, project):
    claim = project.claim(researcher=bob, plan="With help from @ada.")

    [notice] = mentions_of(ada)
    assert notice.get_absolute_url() == f"{project.get_absolute_url()}#claim-{claim.pk}"
    assert notice.headline == f"bob mentioned you in their plan for “{project.title}”"
    assert ADA_LINK in claim.plan_html


def test_a_check_in_note_tells_the_people_it_mentions(ada, bob, project):
    claim = project.claim(researcher=bob, plan="Alone.")

    claim.check_in(note="Paired with @ada and @nobody today.")

    [notice] = mentions_of(ada)
    assert notice.headline == f"bob mentioned you in a check-in on “{project.title}”"
    assert notice.summary == "Paired with @ada and @nobody today."
    assert notice.get_absolute_url().endswith(f"#claim-{claim.pk}")


def test_a_proposal_tells_no_one_it_mentions(ada, bob, project):
    """Proposals are read by their author and the curators alone until published."""
    curator = UserFactory(username="cura", curator=True)
    proposal = project_propose(
        by=bob, agenda=None, title="Ask @ada", description="With @ada and @cura.", kind="paper"
    )
    project_propose_edit(
        by=bob,
        project=project,
        title=project.title,
        description="Now with @ada.",
        kind=project.kind,
        note="@ada agrees",
    )

    assert ADA_LINK in proposal.project.description_html
    assert mentions_of(ada) == [] and mentions_of(curator) == []


# Cost


def comment_queries(mentions: int) -> int:
    """Queries of saving one comment that mentions ``mentions`` people who want mentions by
    email at once."""
    project = ProjectFactory()
    names = [UserFactory().username for _ in range(mentions)]
    author = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        project.add_comment(author=author, body=" ".join(f"@{name}" for name in names))
    assert Notification.objects.filter(topic=Topic.MENTIONS).count() == mentions
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    return len(queries)


def test_saving_a_comment_costs_the_same_for_1_or_20_mentions():
    """Guards a lookup or a notification per mentioned name when a comment is saved."""
    assert comment_queries(1) == comment_queries(20)


def page_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_project_page_asks_nothing_more_for_50_comments_full_of_mentions(client, ada, bob):
    """Guards a lookup per mention when a page is served: the links are in the stored HTML."""
    small, big = ProjectFactory(), ProjectFactory()
    CommentFactory(project=small, author=bob, body="Plain.")
    for n in range(50):
        CommentFactory(project=big, author=bob, body=f"@ada and @bob, point {n}, cc @nobody")

    assert page_queries(client, small) == page_queries(client, big)
    assert client.get(big.get_absolute_url()).content.decode().count(ADA_LINK) >= 30


def test_a_daily_digest_says_who_mentioned_you_where(ada, bob, project):
    Preference(user=ada).choose(mentions=Frequency.DAILY)
    project.add_comment(author=bob, body="@ada, a question.")

    email = digest_email(
        recipient=ada,
        frequency=Frequency.DAILY,
        period="2026-11-28",
        notifications=list(Notification.objects.filter(recipient=ada).for_list()),
    )

    body = email.delivery().body
    assert f"bob mentioned you in a comment on “{project.title}”" in body
    assert "@ada, a question." in body
