"""The notifications page, marking them read, the settings page, and the header's count."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import views
from notifications.models import Frequency, Notification, Preference
from tests.factories import ProjectFactory, UserFactory
from tests.html import Elements

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification-list")
MARK_READ = reverse("notifications:notification-mark-read")
SETTINGS = reverse("notifications:preference-edit")


@pytest.fixture
def project():
    return ProjectFactory(title="Toy models of deception")


@pytest.fixture
def ada(client, project):
    """A researcher, signed in, who watches the project."""
    ada = UserFactory(username="ada")
    project.set_watch(user=ada, watching=True)
    client.force_login(ada)
    return ada


def news(project, count: int = 1, *, author=None) -> None:
    author = author or UserFactory(username="alan", display_name="Alan Turing")
    for n in range(count):
        project.add_comment(author=author, body=f"Comment number {n}.")


def header_text(html: str) -> str:
    """The site navigation's words, as a screen reader reads them (tags dropped)."""
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", nav).split())


# Who may see what


@pytest.mark.parametrize("url", [LIST, SETTINGS])
def test_a_visitor_is_asked_to_sign_in(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_visitor_cannot_mark_anything_read(ada, project):
    news(project)

    response = Client().post(MARK_READ)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert Notification.objects.unread().count() == 1


def test_marking_read_needs_a_csrf_token(ada, project):
    news(project)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)

    assert client.post(MARK_READ).status_code == 403
    assert Notification.objects.unread().count() == 1


def test_the_list_shows_your_notifications_only(client, ada, project):
    other_project = ProjectFactory(title="Somebody else's business")
    other_project.set_watch(user=UserFactory(), watching=True)
    news(other_project)
    news(project)

    html = client.get(LIST).content.decode()

    assert "Toy models of deception" in html
    assert "Somebody else" not in html


# The list


def test_the_list_tells_each_notification_newest_first_unread_ones_marked(client, ada, project):
    news(project, 2)
    Notification.objects.filter(event__comment__body="Comment number 0.").mark_read()

    response = client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Comment number 1.") < html.index("Comment number 0.")
    assert html.count('class="notification notification-unread"') == 1
    assert html.count('<span class="unread-mark">New') == 1
    assert "Alan Turing commented on" in html
    assert "You hear of it because you watch this project." in html
    comment = project.comments.get(body="Comment number 1.")
    assert f'href="/comments/{comment.pk}/"' in html


def test_opening_the_list_marks_nothing_read(client, ada, project):
    news(project)

    client.get(LIST)

    assert Notification.objects.unread().count() == 1


def test_the_list_never_shows_a_hidden_comments_text(client, ada, project):
    project.add_comment(author=UserFactory(), body="Something rude.").hide(
        by=UserFactory(curator=True)
    )

    html = client.get(LIST).content.decode()

    assert "commented on" in html and "Something rude" not in html


def test_a_free_project_is_said_to_be_free(client, ada, project):
    project.set_interest(researcher=ada, interested=True)
    holder = UserFactory()
    claim = project.claim(researcher=holder)

    claim.release(reason="gave_up")

    html = client.get(LIST).content.decode()
    assert "That left it free for someone to claim." in html
    assert "You hear of it because you want this project done." in html


def test_with_nothing_yet_the_list_says_how_to_hear_of_things(client, ada):
    html = client.get(LIST).content.decode()

    assert "Nothing yet." in html
    assert "Mark all as read" not in html


def test_the_list_pages_through_many_and_any_page_number_answers(client, ada, project, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    news(project, 7)

    first = client.get(LIST).content.decode()
    last = client.get(LIST + "?page=3").content.decode()

    assert first.count('class="notification ') == 3 and "Page 1 of 3" in first
    assert last.count('class="notification ') == 1
    for page in ("99", "0", "-1", "x", "1.5", "%F0%9F%98%80"):
        assert client.get(LIST + f"?page={page}").status_code == 200


def test_mark_all_read_marks_yours_and_comes_back_to_the_list(client, ada, project):
    news(project, 3)
    someone = UserFactory()
    project.set_watch(user=someone, watching=True)
    news(project, author=UserFactory())

    response = client.post(MARK_READ)

    assert response.status_code == 303 and response["Location"] == LIST
    assert not Notification.objects.filter(recipient=ada).unread().exists()
    assert Notification.objects.filter(recipient=someone).unread().count() == 1
    html = client.get(LIST).content.decode()
    assert "All your notifications are marked read." in html
    assert "notification-unread" not in html


def notifications_page_queries(client, project, count: int) -> int:
    Notification.objects.all().delete()
    news(project, count)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_for_1_or_20_notifications(client, ada, project):
    """Guards the N+1s of each line's event, project, actor, comment and output."""
    assert notifications_page_queries(client, project, 1) == notifications_page_queries(
        client, project, 20
    )


def test_the_list_costs_five_queries(client, ada, project, django_assert_num_queries):
    """Guards the page's own reads: the session, the user, the count of pages, the page of
    notifications with everything a line says, and the header's unread count."""
    news(project, 4)

    with django_assert_num_queries(5):
        client.get(LIST)


# The header


def test_the_header_names_the_unread_count_in_words(client, ada, project):
    news(project, 3)

    html = client.get("/agendas/").content.decode()

    assert "Notifications 3 unread" in header_text(html)
    assert '<span class="unread-count">' in html


def test_the_header_links_the_list_without_a_count_when_all_is_read(client, ada, project):
    news(project)
    Notification.objects.mark_read()

    html = client.get("/agendas/").content.decode()

    assert "Notifications Sign out" in header_text(html)
    assert "unread-count" not in html


def test_the_header_count_costs_one_query_for_a_signed_in_person_and_none_for_a_visitor(
    client, ada, project
):
    """Guards the header's count: one COUNT for the person signed in, none for visitors."""

    def notification_queries(client) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/agendas/").status_code == 200
        return [q["sql"] for q in queries if "notifications_notification" in q["sql"]]

    news(project, 2)

    [count] = notification_queries(client)
    assert "COUNT(" in count.upper()
    assert notification_queries(Client()) == []
    assert "Notifications" not in header_text(Client().get("/agendas/").content.decode())


# Settings


def test_the_settings_page_shows_one_choice_per_topic_with_the_defaults(client, ada):
    html = client.get(SETTINGS).content.decode()

    selects = [attrs["name"] for tag, attrs in Elements(html).found if tag == "select"]
    assert selects == [
        "replies",
        "mentions",
        "decisions",
        "claims",
        "comments",
        "outputs",
        "status",
        "free_again",
        "reminders",
        "proposals",
    ]
    assert re.search(r'<option value="at_once" selected>', html)
    assert "Replies to your comments" in html and "Daily digests go out each day at 7:00" in html


def test_saving_the_settings_keeps_each_choice_and_says_so(client, ada):
    choices = {
        "replies": "never",
        "mentions": "daily",
        "decisions": "at_once",
        "claims": "weekly",
        "comments": "weekly",
        "outputs": "never",
        "status": "daily",
        "free_again": "at_once",
        "reminders": "never",
        "proposals": "at_once",
    }

    response = client.post(SETTINGS, choices)

    assert response.status_code == 303 and response["Location"] == SETTINGS
    assert Preference.objects.get(user=ada).choices() == choices
    html = client.get(SETTINGS).content.decode()
    assert "Your notification settings are saved." in html
    assert '<option value="weekly" selected>' in html


def test_a_bad_choice_comes_back_with_its_error_at_its_field_and_nothing_saved(client, ada):
    response = client.post(SETTINGS, {"replies": "hourly", "decisions": "daily"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the four: at once, daily, weekly or never." in html
    assert "Choose how often you hear of comments." in html
    [replies] = [a for t, a in Elements(html).found if t == "select" and a["name"] == "replies"]
    assert replies.get("aria-invalid") == "true" and "autofocus" in replies
    assert Preference.objects.count() == 0


def test_a_choice_of_never_still_lists_the_notification(client, ada, project):
    client.post(SETTINGS, {**Preference.of(ada).choices(), "comments": Frequency.NEVER})

    news(project)

    assert "Comment number 0." in client.get(LIST).content.decode()


def test_the_account_pages_lead_to_the_notification_settings(client, ada):
    html = client.get(reverse("accounts:profile-edit")).content.decode()

    assert f'href="{SETTINGS}">Notifications</a>' in html
