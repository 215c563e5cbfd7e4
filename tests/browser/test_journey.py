"""A researcher's journey in Chromium: sign up, verify, sign in, claim, comment, reply, link an
output, release. With JavaScript each step swaps a fragment in place; without it, the same
forms work by full-page POST and redirect."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, wait_until_processed
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a long and unusual passphrase"


def sign_up_and_verify(page: Page, base: str) -> None:
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="ada")).to_be_visible()  # signed in

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="ada")).to_be_visible()


def work_on_a_project(page: Page) -> None:
    """On a project's page: claim, comment, reply, link an output, release."""
    claims = page.locator("#claim-panel")
    claims.locator("summary", has_text="Claim this project").click()
    claims.get_by_label("Plan", exact=True).fill("Start with **toy models**.")
    claims.get_by_role("button", name="Claim this project").click()
    expect(claims.locator("strong", has_text="toy models")).to_be_visible()
    expect(claims.get_by_role("heading", name="Your claim")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("claimed this project")

    discussion = page.locator("#discussion")
    discussion.get_by_label("Comment").fill("Does this include *gradient hacking*?")
    discussion.get_by_label("This is about what the project should cover (scope)").check()
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator("em", has_text="gradient hacking")).to_be_visible()
    expect(discussion.get_by_text("Scope", exact=True)).to_be_visible()

    discussion.get_by_role("link", name="Reply").click()
    expect(discussion.get_by_label("Reply to ada")).to_be_focused()
    wait_until_processed(page, "#discussion details.reply")
    discussion.get_by_label("Reply to ada").fill("Answering myself: no.")
    discussion.get_by_role("button", name="Post reply").click()
    expect(discussion.locator(".replies")).to_contain_text("Answering myself: no.")

    outputs = page.locator("#outputs")
    outputs.locator("summary", has_text="Link an output").click()
    outputs.get_by_label("Link").fill("https://example.org/toy-models")
    outputs.get_by_label("Title").fill("Toy models of the problem")
    outputs.get_by_label("Kind").select_option("blog_post")
    outputs.get_by_role("button", name="Link output").click()
    expect(outputs.get_by_role("link", name="Toy models of the problem")).to_be_visible()
    expect(outputs).to_contain_text("Awaiting review")

    claims = page.locator("#claim-panel")
    claims.locator("summary", has_text="Release").click()
    claims.get_by_label("Gave up").check()
    claims.get_by_role("button", name="Release claim").click()
    expect(claims).to_contain_text("Nobody has claimed this project yet.")
    expect(claims).to_contain_text("Earlier claims (1)")
    expect(page.locator("#history")).to_contain_text("released a claim")


def test_the_journey_with_javascript_swaps_fragments_in_place(page_at, live_server):
    project = ProjectFactory(title="A paper on deceptive alignment")
    page = page_at(LAPTOP)
    sign_up_and_verify(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads
    loads = []
    page.on("load", lambda _: loads.append(page.url))

    work_on_a_project(page)

    assert loads == []
    assert page.evaluate("window.loadedOnce") is True


def test_the_journey_without_javascript_works_by_full_page_posts(page_at, live_server):
    project = ProjectFactory(title="A paper on deceptive alignment")
    page = page_at(LAPTOP, javascript=False)
    sign_up_and_verify(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())

    work_on_a_project(page)

    expect(page.locator(".messages")).to_contain_text("Claim released.")


def sign_in(page: Page, base: str, username: str = "ada") -> None:
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    user = UserFactory(username=username, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def test_editing_a_comment_in_place_and_cancelling(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")
    discussion.get_by_label("Comment").fill("First take")
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.get_by_text("First take")).to_be_visible()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    page.get_by_role("link", name="Edit", exact=True).click()
    page.locator("form.comment-edit textarea").fill("Second take")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#discussion")).to_contain_text("Second take")
    expect(page.locator("#discussion")).to_contain_text("(edited ")
    assert page.locator("section#discussion").count() == 1
    assert page.locator("#discussion #discussion").count() == 0


def test_a_failed_htmx_request_says_so(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())

    page.context.clear_cookies()  # the CSRF cookie goes: the next POST is refused with 403
    page.get_by_role("button", name="Watch").click()

    expect(page.get_by_role("alert")).to_contain_text("That did not go through")
