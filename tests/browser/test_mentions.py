"""Mentions in Chromium: a comment posted with ``@username`` shows a link to that person's
page, which opens it; the person finds the mention in their notifications. Checked by
axe-core and the Content-Security-Policy, at phone and laptop widths."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, axe_violations
from tests.factories import ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in(page: Page, live_server, user) -> None:
    """``user`` signed in by the session cookie a login makes."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_comment_mentioning_someone_links_to_their_page_and_tells_them(
    page_at, live_server, viewport
):
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    bob = UserFactory(username="bob")
    project = ProjectFactory(title="Eliciting latent knowledge")
    page = page_at(viewport)
    signed_in(page, live_server, bob)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")

    discussion.get_by_label("Comment", exact=True).fill(
        "What do you think, @ada? (Not `@ada`, nor @nobody.)"
    )
    discussion.get_by_role("button", name="Post comment").click()
    mention = discussion.locator(".comment .prose a.mention")
    expect(mention).to_have_count(1)
    expect(mention).to_have_text("@ada")
    expect(mention).to_have_attribute("href", "/people/ada/")
    expect(discussion.locator(".comment .prose code")).to_have_text("@ada")

    page.goto(live_server.url + project.get_absolute_url())
    page.locator(".comment .prose a.mention").click()
    page.wait_for_url("**/people/ada/")
    expect(page.locator("h1")).to_contain_text("Ada Lovelace")

    other = page_at(viewport)
    signed_in(other, live_server, ada)
    other.goto(live_server.url + "/notifications/")
    expect(other.locator(".notification-line").first).to_contain_text(
        "bob mentioned you in a comment on Eliciting latent knowledge"
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_names_are_offered_after_the_at_sign_and_the_keyboard_writes_one(
    page_at, live_server, viewport
):
    UserFactory(username="ada", display_name="Ada Lovelace")
    UserFactory(username="adam")
    UserFactory(username="alan")
    bob = UserFactory(username="bob")
    project = ProjectFactory()
    page = page_at(viewport)
    signed_in(page, live_server, bob)
    lookups: list[str] = []
    page.on("request", lambda r: lookups.append(r.url) if "/mentions/" in r.url else None)
    page.goto(live_server.url + project.get_absolute_url())
    body = page.locator("#discussion").get_by_label("Comment", exact=True)

    body.press_sequentially("Ask @ad")
    listbox = page.get_by_role("listbox", name="People to mention")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(body).to_have_attribute("aria-activedescendant", "mention-option-ada")
    expect(page.get_by_role("status").filter(has_text="2 people to mention")).to_have_count(1)
    assert axe_violations(page) == []

    body.press("ArrowDown")
    expect(body).to_have_attribute("aria-activedescendant", "mention-option-adam")
    body.press("Enter")
    expect(body).to_have_value("Ask @adam ")
    expect(body).to_be_focused()
    expect(listbox).to_be_hidden()

    body.press_sequentially("and @al")
    expect(page.get_by_role("option", name="@alan")).to_be_visible()
    body.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(body).to_have_value("Ask @adam and @al")
    # Only what follows the "@" travels, never the text being written.
    assert lookups and all("Ask" not in url and "body=" not in url for url in lookups)
