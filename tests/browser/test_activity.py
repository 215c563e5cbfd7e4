"""The Recent activity page in Chromium, at phone and laptop widths; and the feed links
of the agenda, tag and project pages."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.importers import import_agenda
from projects.models import Output, Project, Tag
from projects.views import activity
from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def busy_board(demo_agenda_bytes, monkeypatch):
    """The seed agenda with a morning's activity on it, two pages of it."""
    monkeypatch.setattr(activity, "PER_PAGE", 8)
    import_agenda(demo_agenda_bytes)
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    alan = UserFactory(username="alan")
    grace = UserFactory(username="grace", curator=True)
    first, second, third = Project.objects.in_agenda_order()[:3]
    first.claim(researcher=ada, plan="Start from the toy models.")
    comment = first.add_comment(
        author=alan,
        body="Does a toy model count here, or does the item ask for a frontier model? "
        "The original post is not clear on it, and the answer changes the whole plan. " * 2,
    )
    output = first.link_output(
        by=ada, url="https://example.org/draft", title="A first draft", kind=Output.Kind.PAPER
    )
    output.accept(by=grace)
    second.set_interest(researcher=alan, interested=True, note="I would review it.")
    third.claim(researcher=alan)
    third.claims.get().check_in(note="Read the three papers the item names.")
    third.retire(by=grace, reason="Answered elsewhere.")
    first.add_comment(author=ada, parent=comment, body="A toy model first, then we see.")
    first.set_interest(researcher=grace, interested=True)
    return first


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_activity_page_fits_the_screen_and_leads_to_each_project(
    busy_board, page_at, live_server, viewport
):
    page = page_at(viewport)
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Activity").click()
    page.wait_for_url("**/activity/")

    assert page.locator("h1").inner_text() == "Recent activity"
    assert page.locator(".activity-item").count() == 8
    assert page.locator(".activity-item time[datetime]").count() == 8
    assert horizontal_overflow(page) <= 0

    page.get_by_role("link", name="Older →").click()
    page.wait_for_url("**/activity/?page=2")
    assert page.get_by_text("Page 2 of 2").is_visible()
    page.locator(".activity-project").last.click()
    page.wait_for_url(f"**{busy_board.get_absolute_url()}#history")
    assert page.locator("#history").is_visible()


def test_the_agenda_tag_and_project_pages_show_their_feed_links(busy_board, page_at, live_server):
    page = page_at(PHONE)
    page.goto(live_server.url + busy_board.agenda.get_absolute_url())
    assert page.get_by_role("link", name="Atom feed").is_visible()
    assert horizontal_overflow(page) <= 0

    tag = Tag.objects.first()
    page.goto(live_server.url + reverse("projects:tag-detail", args=[tag.slug]))
    assert page.get_by_role("link", name="Atom feed").get_attribute("href") == (
        reverse("projects:feed-tag", args=[tag.slug])
    )
    assert horizontal_overflow(page) <= 0

    page.goto(live_server.url + busy_board.get_absolute_url())
    feed = page.locator("#history").get_by_role("link", name="Atom feed")
    assert feed.get_attribute("href") == f"/feeds/projects/{busy_board.slug}/"


def test_a_signed_in_curators_navigation_wraps_on_a_phone(busy_board, page_at, live_server):
    client = Client()
    client.force_login(User.objects.get(username="grace"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page = page_at(PHONE)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(live_server.url + "/activity/")

    assert page.get_by_role("button", name="Sign out").is_visible()
    assert horizontal_overflow(page) <= 0
