"""The project page's flows in Chromium: where focus lands and what the live region says
after each htmx swap, and how the same forms behave by full-page POST without JavaScript."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import Comment
from tests.browser.conftest import LAPTOP, PHONE, wait_for_focus_in, wait_until_processed
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, base: str, username: str = "ada"):
    """A researcher with a verified address, signed in by the session cookie a login makes."""
    user = UserFactory(username=username)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}
    page.context.add_cookies([cookie])
    return user


def focus_is_in(page: Page, selector: str) -> None:
    """Wait until keyboard focus is on the element or inside it (never on <body>)."""
    wait_for_focus_in(page, selector)
    assert page.evaluate("document.activeElement !== document.body")


def test_an_empty_comment_focuses_its_field_and_a_posted_one_focuses_the_discussion(
    page_at, live_server
):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")

    discussion.get_by_role("button", name="Post comment").click()
    body = discussion.get_by_label("Comment", exact=True)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Not saved: Write something first.")

    body.fill("Is a toy model enough?")
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator(".comment")).to_contain_text("Is a toy model enough?")
    expect(page.locator("#announcer")).to_have_text("Comment posted.")
    focus_is_in(page, "#discussion")


def test_edit_puts_the_cursor_in_the_text_and_cancel_brings_the_comment_back(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    ada = sign_in(page, live_server.url)
    comment = CommentFactory(project=project, author=ada, body="First take")
    page.goto(live_server.url + project.get_absolute_url())

    page.get_by_role("link", name="Edit", exact=True).click()
    edit = page.locator(f"form#comment-{comment.pk} textarea")
    expect(edit).to_be_focused()
    expect(edit).to_have_value("First take")

    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("form.comment-edit")).to_have_count(0)
    expect(page.locator(f"article#comment-{comment.pk}")).to_contain_text("First take")


def test_watching_focuses_the_signals_without_scrolling_to_the_top(page_at, live_server):
    project = ProjectFactory()
    page = page_at(PHONE)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    signals = page.locator("#signals")
    signals.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    signals.get_by_role("button", name="Watch").click()
    expect(signals.get_by_role("button", name="Watching · stop")).to_be_visible()
    focus_is_in(page, "#signals")
    assert page.evaluate("window.scrollY") > 0
    expect(signals).to_be_in_viewport()


def test_claiming_with_a_past_target_date_focuses_the_date_and_says_why(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    claims = page.locator("#claim-panel")

    claims.locator("summary", has_text="Claim this project").click()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    claims.get_by_label("Target date").fill(yesterday.isoformat())
    claims.get_by_role("button", name="Claim this project").click()

    date = claims.get_by_label("Target date")
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_accessible_description("Choose a date from today on.")
    field = claims.locator("div", has=page.locator("#claim-target_date")).last  # its group
    expect(field).to_contain_text("Choose a date from today on.")
    assert project.claims.count() == 0


def test_without_javascript_an_empty_comment_comes_back_once_at_its_form(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP, javascript=False)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    form = page.locator("#comment-form")

    form.get_by_role("button", name="Post comment").click()
    # The fragment names the field, not the form: Chromium skips autofocus when the
    # fragment names any other element, and focuses a field the fragment names.
    assert page.url.endswith(project.get_absolute_url() + "#comment-body")
    body = form.get_by_label("Comment", exact=True)
    expect(body).to_be_focused()
    expect(body).to_have_attribute("autofocus", "")
    expect(body).to_have_accessible_description("Write something first.")
    expect(form.get_by_text("Write something first.")).to_be_in_viewport()
    expect(form.get_by_text("Comment", exact=True)).to_be_in_viewport()  # the label too

    page.reload()
    expect(form.get_by_label("Comment", exact=True)).to_be_visible()
    expect(form).not_to_contain_text("Write something first.")
    assert Comment.objects.count() == 0


def test_without_javascript_deleting_a_comment_asks_first(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP, javascript=False)
    ada = sign_in(page, live_server.url)
    comment = CommentFactory(project=project, author=ada, body="Second thoughts")
    page.goto(live_server.url + project.get_absolute_url())
    thread = page.locator(f"#comment-{comment.pk}")

    thread.locator("summary", has_text="Delete").click()
    expect(thread.get_by_text("Delete this comment? Replies to it stay.")).to_be_visible()
    comment.refresh_from_db()
    assert comment.deleted_at is None

    thread.get_by_role("button", name="Delete comment").click()
    expect(thread).to_contain_text("This comment was deleted by its author.")
    expect(thread).not_to_contain_text("Second thoughts")
    comment.refresh_from_db()
    assert comment.deleted_at is not None


def test_without_javascript_a_completed_claim_links_what_came_of_it(page_at, live_server):
    project = ProjectFactory()
    claim = ClaimFactory(project=project, state="completed", ended_at=timezone.now())
    output = OutputFactory(project=project, claim=claim, title="Toy models, written up")
    page = page_at(LAPTOP, javascript=False)
    page.goto(live_server.url + project.get_absolute_url())
    claims = page.locator("#claim-panel")

    completed = claims.locator("h3", has_text="Completed").locator("+ ul")
    expect(completed.locator(f"#claim-{claim.pk}")).to_contain_text(claim.researcher.public_name)
    link = completed.get_by_role("link", name="Toy models, written up")
    expect(link).to_have_attribute("href", f"#output-{output.pk}")
    expect(claims).not_to_contain_text("Nobody has claimed this project yet.")


def test_by_keyboard_alone_a_comment_posts_and_focus_stays_in_the_discussion(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")

    discussion.get_by_label("Comment", exact=True).focus()
    page.keyboard.type("Typed, never clicked.")
    page.keyboard.press("Tab")
    expect(discussion.get_by_label("This is about what the project should cover")).to_be_focused()
    page.keyboard.press("Tab")
    expect(discussion.get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")

    expect(discussion.locator(".comment")).to_contain_text("Typed, never clicked.")
    focus_is_in(page, "#discussion")
    assert Comment.objects.get().body == "Typed, never clicked."


def test_on_a_phone_the_scope_checkbox_sits_beside_its_label(page_at, live_server):
    project = ProjectFactory()
    page = page_at(PHONE)
    sign_in(page, live_server.url)
    page.goto(live_server.url + project.get_absolute_url())

    box = page.locator("#comment-is_scope").bounding_box()
    label = page.locator("label[for=comment-is_scope]").bounding_box()
    assert label["x"] > box["x"] + box["width"]  # to its right, on the same line
    assert label["y"] < box["y"] + box["height"] and box["y"] < label["y"] + label["height"]


def test_flag_by_keyboard_on_a_phone_opens_its_form_with_the_cursor_in_it(page_at, live_server):
    project = ProjectFactory()
    page = page_at(PHONE)
    sign_in(page, live_server.url)
    comment = CommentFactory(project=project, body="Buy cheap pills")
    page.goto(live_server.url + project.get_absolute_url())
    expect(page.locator('textarea[name="body"]')).to_have_count(1)  # the new comment's only

    flag = page.get_by_role("link", name="Flag", exact=True)
    flag.focus()
    page.keyboard.press("Enter")
    reason = page.get_by_label("What is wrong? (optional)")
    expect(reason).to_be_focused()
    wait_until_processed(page, f"#flag-for-{comment.pk}")
    page.keyboard.type("Spam")
    page.keyboard.press("Enter")

    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Flagged for curators")
    expect(page.locator("#announcer")).to_have_text("Thank you: curators will look at it.")
    focus_is_in(page, "#discussion")


def test_without_javascript_reply_opens_the_page_with_its_one_form(page_at, live_server):
    project = ProjectFactory()
    page = page_at(LAPTOP, javascript=False)
    sign_in(page, live_server.url)
    first = CommentFactory(project=project, body="First question")
    CommentFactory(project=project, body="Second question")
    page.goto(live_server.url + project.get_absolute_url())

    page.locator(f"#reply-to-{first.pk}").click()
    reply = page.get_by_label(f"Reply to {first.author.public_name}")
    expect(reply).to_be_focused()  # the address names the field
    expect(page.locator('textarea[name="body"]')).to_have_count(2)  # the reply and a new comment
    reply.fill("An answer")
    page.get_by_role("button", name="Post reply").click()

    expect(page.locator(f"#comment-{first.pk} ~ .replies")).to_contain_text("An answer")
