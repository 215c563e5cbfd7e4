"""A project page kept for readers with no stake in it (projects.views.pages) works as
their own page does, in Chromium with and without JavaScript: its forms post with the
reader's own token, and once they take part, what is theirs on the page (their claim's
forms, the watch button, their comments' actions) works as on a page rendered for them."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.test_project_page_flows import sign_in
from tests.factories import ClaimFactory, CommentFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def project(settings):
    """A project, with page caching on."""
    settings.PAGE_CACHE = settings.TRACK_CONTENT_VERSION = True
    cache.clear()
    project = ProjectFactory(title="Toy models of deception")
    CommentFactory(project=project, body="Scope first.")
    yield project
    cache.clear()


def kept() -> int:
    """How many pages' parts are kept."""
    return len([key for key in cache._cache if ":shell:" in key])


def test_a_reader_comments_from_a_kept_page_and_then_gets_their_own(page_at, live_server, project):
    page = page_at(PHONE)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    expect(page.get_by_role("link", name="ada")).to_be_visible()
    assert kept() == 1
    discussion = page.locator("#discussion")
    discussion.get_by_label("Comment", exact=True).fill("Posted from the kept page.")
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator(".comment", has_text="Posted from the kept page.")).to_have_count(1)
    expect(page.locator("#announcer")).to_have_text("Comment posted.")

    page.reload()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()


def test_without_javascript_a_reader_claims_from_a_kept_page(page_at, live_server, project):
    page = page_at(LAPTOP, javascript=False)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    assert kept() == 1
    page.locator("#claim-panel summary", has_text="Claim this project").click()
    page.locator("#claim-form").get_by_role("button", name="Claim this project").click()
    expect(page.locator(".messages")).to_contain_text("You claimed this project.")
    expect(page.get_by_role("heading", name="Your claim")).to_be_visible()


def test_a_researchers_own_pieces_of_a_kept_page_work_through_htmx(page_at, live_server, project):
    """A claimant who wrote and watches gets the kept page with their pieces rendered in:
    their claim's button, their comment's Edit, the watch button, each with their token."""
    page = page_at(LAPTOP)
    ada = sign_in(page, live_server.url)
    ClaimFactory(project=project, researcher=ada)
    mine = CommentFactory(project=project, author=ada, body="My first take.")
    project.set_watch(user=ada, watching=True)
    page.goto(live_server.url + project.get_absolute_url())
    page.reload()  # the researcher's pieces from the cache too
    assert kept() == 1

    page.locator("#claim-panel").get_by_role("button", name="Still on it").click()
    expect(page.locator("#announcer")).to_have_text("Noted: you are still on it.")

    page.locator(f"#comment-{mine.pk}").get_by_role("link", name="Edit", exact=True).click()
    edit = page.locator(f"form#comment-{mine.pk} textarea")
    expect(edit).to_be_focused()
    edit.fill("My second take.")
    page.locator(f"form#comment-{mine.pk}").get_by_role("button", name="Save").click()
    expect(page.locator(f"article#comment-{mine.pk}")).to_contain_text("My second take.")

    signals = page.locator("#signals")
    signals.get_by_role("button", name="Watching · stop").click()
    expect(signals.get_by_role("button", name="Watch", exact=True)).to_be_visible()
