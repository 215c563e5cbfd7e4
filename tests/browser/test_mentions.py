"""Mentions in Chromium: a comment posted with ``@username`` shows a link to that person's
page, which opens it; the person finds the mention in their notifications. Checked by
axe-core and the Content-Security-Policy, at phone and laptop widths."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE
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
