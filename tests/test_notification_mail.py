"""Notification mail: the defaults, each person's choice per topic, what an email says, and
its signed one-click unsubscribe link (RFC 8058)."""

import re

import pytest
from django.core import signing
from django.test import Client

from notifications.mail import read_unsubscribe_token, unsubscribe_token
from notifications.models import DEFAULTS, Delivery, Frequency, Notification, Preference, Topic
from tests.factories import OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(title="Toy models of deception")


@pytest.fixture
def ada(project):
    """A researcher who watches the project and wrote its first comment."""
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    project.set_watch(user=ada, watching=True)
    return ada


@pytest.fixture
def alan():
    return UserFactory(username="alan", display_name="Alan Turing")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Make a change as if its transaction committed (a test's own never does), so that the
    mail it queued goes out before the test looks."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def reply_to(ada, alan, project, body: str = "A toy model *first*."):
    parent = project.add_comment(author=ada, body="What counts as done?")
    return project.add_comment(author=alan, parent=parent, body=body)


def unsubscribe_path(body: str) -> str:
    return re.search(r"http://testserver(/notifications/unsubscribe/\S+/)", body).group(1)


# Defaults and choices


def test_the_defaults_are_what_is_about_you_at_once_and_the_rest_daily():
    assert Preference(user=UserFactory()).choices() == {
        "replies": "at_once",
        "mentions": "at_once",
        "decisions": "at_once",
        "claims": "daily",
        "comments": "daily",
        "outputs": "daily",
        "status": "daily",
        "free_again": "daily",
        "reminders": "at_once",
        "proposals": "at_once",
    }
    assert DEFAULTS[Topic.REPLIES] == Frequency.AT_ONCE


def test_by_default_a_reply_is_emailed_at_once(ada, alan, project, mailoutbox, settings, committed):
    settings.SITE_URL = "http://testserver"

    reply = committed(reply_to, ada, alan, project)

    [email] = mailoutbox
    assert email.to == ["ada@example.org"]
    assert (
        email.subject
        == "[Research Agenda Board] Alan Turing replied to a comment on “Toy models of deception”"
    )
    assert "Hello Ada Lovelace," in email.body
    assert "A toy model first." in email.body  # the text, without its markdown
    assert f"http://testserver/comments/{reply.pk}/" in email.body
    assert "You hear of this because it is a reply to you." in email.body
    assert "http://testserver/notifications/settings/" in email.body
    notification = Notification.objects.get(recipient=ada)
    assert notification.mail == Frequency.AT_ONCE and notification.mailed_at is not None


def test_by_default_a_comment_waits_for_the_daily_digest(ada, alan, project, mailoutbox, committed):
    committed(project.add_comment, author=alan, body="A question.")

    assert mailoutbox == []
    notification = Notification.objects.get(recipient=ada)
    assert notification.mail == Frequency.DAILY and notification.mailed_at is None
    assert Notification.objects.waiting().get() == notification


def test_by_default_a_decision_on_your_output_is_emailed_at_once(mailoutbox, committed):
    linker = UserFactory()
    output = OutputFactory(submitted_by=linker, title="My preprint")

    committed(output.reject, by=UserFactory(curator=True))

    [email] = mailoutbox
    assert email.to == [linker.email] and "rejected an output" in email.subject
    assert "My preprint" in email.body  # its linker reads its title


@pytest.mark.parametrize("frequency", [Frequency.WEEKLY, Frequency.DAILY])
def test_a_topic_chosen_for_a_digest_waits_for_that_digest(
    ada, alan, project, mailoutbox, frequency, committed
):
    Preference(user=ada).choose(replies=frequency)

    committed(reply_to, ada, alan, project)

    assert mailoutbox == []
    assert Notification.objects.waiting().get(recipient=ada).mail == frequency


def test_a_topic_chosen_at_once_is_emailed_at_once(ada, alan, project, mailoutbox, committed):
    Preference(user=ada).choose(comments=Frequency.AT_ONCE)

    committed(project.add_comment, author=alan, body="A question.")

    [email] = mailoutbox
    assert "Alan Turing commented on" in email.subject
    assert "You hear of this because you watch this project." in email.body


def test_never_sends_nothing_but_the_notification_stays_in_the_list(
    ada, alan, project, mailoutbox, committed
):
    Preference(user=ada).choose(replies=Frequency.NEVER)

    committed(reply_to, ada, alan, project)

    assert mailoutbox == [] and Delivery.objects.count() == 0
    notification = Notification.objects.get(recipient=ada)
    assert notification.mail == Frequency.NEVER
    assert not Notification.objects.waiting().exists()


def test_someone_without_an_address_is_told_in_the_list_only(
    ada, alan, project, mailoutbox, committed
):
    ada.email = ""
    ada.save(update_fields=["email"])

    committed(reply_to, ada, alan, project)

    assert mailoutbox == []
    assert Notification.objects.get(recipient=ada).mail == Frequency.NEVER


def test_a_new_choice_moves_what_waits_for_a_digest(ada, alan, project):
    project.add_comment(author=alan, body="One.")
    preference = Preference.of(ada)

    assert preference.choose(comments=Frequency.WEEKLY) == ["comments"]
    assert Notification.objects.get().mail == Frequency.WEEKLY
    preference.choose(comments=Frequency.AT_ONCE)  # what waited goes in the next daily digest
    assert Notification.objects.get().mail == Frequency.DAILY
    preference.choose(comments=Frequency.NEVER)
    assert Notification.objects.get().mail == Frequency.NEVER
    assert preference.choose(comments=Frequency.NEVER) == []


@pytest.mark.parametrize(
    ("choices", "code"),
    [({"gossip": "daily"}, "topic"), ({"comments": "hourly"}, "frequency")],
)
def test_an_unknown_topic_or_frequency_is_refused(choices, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Preference(user=UserFactory()).choose(**choices)

    assert refused.value.code == code
    assert Preference.objects.count() == 0


# The unsubscribe link


def test_every_email_carries_the_one_click_unsubscribe_headers(
    ada, alan, project, mailoutbox, settings, committed
):
    settings.SITE_URL = "https://board.example.org"

    committed(reply_to, ada, alan, project)

    [email] = mailoutbox
    url = re.search(r"Stop email about replies to your comments: (\S+)", email.body).group(1)
    assert url.startswith("https://board.example.org/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = email.message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unsubscribe_token_names_its_person_and_scope_and_only_this_site_makes_one():
    token = unsubscribe_token(user_id=7, scope="topic:comments")

    assert read_unsubscribe_token(token) == (7, "topic:comments")
    for forged in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        signing.dumps([7, "topic:comments"]),  # signed for something else
        unsubscribe_token(user_id=7, scope="topic:gossip"),  # a scope nobody knows
        signing.dumps("7", salt="notifications.unsubscribe"),  # not a person and a scope
        "nonsense",
    ):
        with pytest.raises(signing.BadSignature):
            read_unsubscribe_token(forged)


def test_opening_the_link_changes_nothing_and_shows_a_button(
    ada, alan, project, mailoutbox, settings, committed
):
    settings.SITE_URL = "http://testserver"
    committed(reply_to, ada, alan, project)
    path = unsubscribe_path(mailoutbox[0].body)

    assert Client().head(path).status_code == 200  # scanners may look first
    response = Client().get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop email about replies to your comments?" in html
    assert "<button" in html and 'method="post"' in html
    assert Preference.of(ada).choice("replies") == Frequency.AT_ONCE
    assert Preference.objects.count() == 0


def test_posting_the_link_unsubscribes_without_a_session_or_a_csrf_token(
    ada, alan, project, mailoutbox, settings, committed
):
    settings.SITE_URL = "http://testserver"
    committed(reply_to, ada, alan, project)
    path = unsubscribe_path(mailoutbox[0].body)
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    ada = type(ada).objects.get(pk=ada.pk)
    assert Preference.of(ada).choice("replies") == Frequency.NEVER
    assert Preference.of(ada).choice("decisions") == Frequency.AT_ONCE  # the rest stays
    assert mail_provider.post(path).status_code == 200  # twice is harmless

    mailoutbox.clear()
    committed(reply_to, ada, alan, project, body="Another answer.")
    assert mailoutbox == []


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "WzEsInRvcGljOmNvbW1lbnRzIl0:1u2abc:forged-signature",
        signing.dumps([1, "topic:comments"]),
    ],
    # Named, not shown: the signed token holds the time, and parallel workers must collect
    # the same tests.
    ids=["nonsense", "forged-signature", "signed-but-not-a-link"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_gets_a_clear_page_and_changes_nothing(ada, token, method):
    response = getattr(Client(), method)(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.content.decode()
    assert Preference.objects.count() == 0


def test_the_link_of_a_closed_account_gets_the_same_clear_page(ada):
    token = unsubscribe_token(user_id=ada.pk, scope="topic:replies")
    type(ada).objects.filter(pk=ada.pk).update(is_active=False)

    response = Client().post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert Preference.objects.count() == 0


def test_a_digests_link_stops_every_topic_that_digest_carries(ada, alan, project):
    preference = Preference.of(ada)
    preference.choose(status=Frequency.WEEKLY)
    project.add_comment(author=alan, body="Waiting for the daily digest.")
    token = unsubscribe_token(user_id=ada.pk, scope="digest:daily")

    assert (
        "Stop the daily digest?"
        in Client().get(f"/notifications/unsubscribe/{token}/").content.decode()
    )
    Client().post(f"/notifications/unsubscribe/{token}/")

    assert Preference.of(type(ada).objects.get(pk=ada.pk)).choices() == {
        "replies": "at_once",
        "mentions": "at_once",
        "decisions": "at_once",
        "claims": "never",
        "comments": "never",
        "outputs": "never",
        "status": "weekly",
        "free_again": "never",
        "reminders": "at_once",
        "proposals": "at_once",
    }
    assert not Notification.objects.waiting().exists()
