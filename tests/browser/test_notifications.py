"""Notifications in Chromium, at phone and laptop widths, checked by axe-core: the header's
count, the list and marking it read, the settings page (with and without JavaScript), and
the unsubscribe pages."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from notifications.mail import unsubscribe_token
from notifications.models import Frequency, Notification, Preference
from projects.importers import import_agenda
from projects.models import Output, Project
from tests.browser.conftest import LAPTOP, PHONE, axe_violations
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Where screenshots go for a person to look at; set SCREENSHOTS=dir to keep them.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def ada(demo_agenda_bytes):
    """Ada follows three projects of the seed agenda, on which a morning's news waits for
    her: comments, a reply to her, a claim released, an output accepted."""
    import_agenda(demo_agenda_bytes)
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    alan = UserFactory(username="alan", display_name="Alan Turing")
    grace = UserFactory(username="grace", curator=True)
    first, second, third = Project.objects.in_agenda_order()[:3]
    for project in (first, second):
        project.set_watch(user=ada, watching=True)
    third.set_interest(researcher=ada, interested=True)
    question = first.add_comment(author=ada, body="Does a toy model count here?")
    first.add_comment(
        author=alan,
        parent=question,
        body="A toy model first, then we see whether it says anything about frontier models. " * 3,
    )
    second.claim(researcher=alan, plan="Start from the survey.")
    output = second.link_output(
        by=alan, url="https://example.org/draft", title="A first draft", kind=Output.Kind.PAPER
    )
    output.accept(by=grace)
    third.claim(researcher=alan).release(reason="gave_up")
    first.add_comment(author=grace, body="Scope note: the item asks for *one* worked example.")
    Notification.objects.filter(event__kind="claimed").mark_read()
    return ada


def signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_header_counts_what_is_unread_and_the_list_marks_it_read(
    ada, page_at, live_server, viewport
):
    page = page_at(viewport)
    signed_in(page, live_server, ada)
    page.goto(live_server.url + "/")

    link = page.get_by_role("navigation", name="Site").get_by_role(
        "link", name="Notifications 5 unread"
    )
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/notifications/")
    shoot(page, "notifications")

    assert page.locator("h1").inner_text() == "Your notifications"
    assert page.locator(".notification").count() == 7
    assert page.locator(".notification-unread").count() == 5
    assert page.get_by_text("That left it free for someone to claim.").is_visible()
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    assert page.get_by_text("All your notifications are marked read.").is_visible()
    assert page.locator(".notification-unread").count() == 0
    assert (
        page.get_by_role("navigation", name="Site")
        .get_by_role("link", name="Notifications", exact=True)
        .is_visible()
    )
    assert axe_violations(page) == []  # the page a POST led to, checked where it is

    page.locator(".notification-link").first.click()
    page.wait_for_url("**/projects/*/#comment-*")


@pytest.mark.parametrize("javascript", [True, False], ids=["with js", "without js"])
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_settings_page_saves_a_choice_per_topic(
    ada, page_at, live_server, viewport, javascript
):
    page = page_at(viewport, javascript=javascript)
    signed_in(page, live_server, ada)
    page.goto(live_server.url + "/notifications/")
    page.get_by_role("link", name="Choose what reaches you by email").click()
    page.wait_for_url("**/notifications/settings/")
    if javascript:
        shoot(page, "notification-settings")

    assert page.get_by_label("Replies to your comments").input_value() == "at_once"
    page.get_by_label("Comments", exact=True).select_option(label="In a weekly digest")
    page.get_by_label("Status changes").select_option(label="Never by email")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()

    assert page.get_by_text("Your notification settings are saved.").is_visible()
    assert page.get_by_label("Comments", exact=True).input_value() == "weekly"
    assert horizontal_overflow(page) <= 0
    choices = Preference.of(type(ada).objects.get(pk=ada.pk)).choices()
    assert choices["comments"] == Frequency.WEEKLY and choices["status"] == Frequency.NEVER


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_unsubscribe_pages_ask_then_confirm_and_a_broken_link_says_so(
    ada, page_at, live_server, viewport
):
    token = unsubscribe_token(user_id=ada.pk, scope="digest:daily")
    page = page_at(viewport)
    page.goto(f"{live_server.url}/notifications/unsubscribe/{token}/")
    shoot(page, "unsubscribe")

    assert page.locator("h1").inner_text() == "Unsubscribe"
    page.get_by_role("button", name="Stop the daily digest").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "You are unsubscribed"
    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    assert Preference.of(type(ada).objects.get(pk=ada.pk)).choice("comments") == "never"

    page.goto(f"{live_server.url}/notifications/unsubscribe/{token[:-3]}xyz/")
    assert page.locator("h1").inner_text() == "This unsubscribe link does not work"
    shoot(page, "unsubscribe-broken")
