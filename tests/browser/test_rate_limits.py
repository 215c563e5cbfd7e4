"""Rate limits in Chromium: past one, an htmx form says when to try again and keeps what was
typed; a plain form gets the 429 page, which shows what was sent and passes axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, axe_violations
from tests.browser.test_project_page_flows import sign_in
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_comment_past_the_limit_says_when_to_try_again_and_keeps_the_text(
    page_at, live_server, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "1/h/user"}
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")
    body = discussion.get_by_label("Comment", exact=True)
    body.fill("A first thought.")
    discussion.get_by_role("button", name="Post comment").click()
    expect(page.locator("#announcer")).to_have_text("Comment posted.")

    body = discussion.get_by_label("Comment", exact=True)
    body.fill("A second thought, too soon.")
    discussion.get_by_role("button", name="Post comment").click()

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Too many comments from your account in a short time.")
    expect(banner).to_contain_text("Nothing was saved: try again in ")
    expect(body).to_have_value("A second thought, too soon.")
    assert axe_violations(page) == []


def test_a_plain_form_past_the_limit_gets_a_page_that_shows_what_was_sent(
    page_at, live_server, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "proposal": "1/h/user"}
    page = page_at(PHONE)
    sign_in(page, live_server.url)
    for title in ("Toy models of honesty", "Toy models of deception"):
        page.goto(live_server.url + "/projects/propose/")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Description").fill(f"{title}:\nwhat they would show.")
        page.get_by_role("button", name="Send to curators").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many in a short time")
    expect(page.locator(".lede")).to_contain_text("Too many proposals from your account")
    expect(page.locator(".kept-text").first).to_have_text("Toy models of deception")
    expect(page.locator(".kept-text").nth(1)).to_have_text(
        "Toy models of deception:\nwhat they would show."
    )
    assert axe_violations(page) == []
