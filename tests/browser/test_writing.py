"""Writing in Chromium: Write and Preview, a draft that outlives a lost session, quoting a
comment, and copying its link; axe-clean at phone and laptop widths in every state."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from projects.models import Comment
from tests.browser.conftest import LAPTOP, PHONE, axe_violations, wait_for_focus_in
from tests.factories import CommentFactory, ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"
DRAFTS = "Object.keys(localStorage).filter(key => key.startsWith('draft:'))"
# A comment as people write them here: markdown with inline and display math.
DRAFT = "A *toy model* first: $E = mc^2$, then\n\n$$\\int_0^1 x\\,dx = \\frac{1}{2}$$"


def sign_in(page: Page, username: str) -> None:
    """Fill the sign-in form the page is on, and send it."""
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def researcher(username: str = "ada"):
    user = UserFactory(username=username, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def assert_axe_clean(page: Page) -> None:
    assert axe_violations(page) == []


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_a_draft_outlives_a_lost_session_and_goes_once_posted(page_at, live_server, viewport):
    """Math included: the preview and the posted comment show it as MathML."""
    project = ProjectFactory()
    researcher()
    page = page_at(viewport)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.goto(f"{live_server.url}/accounts/login/?next={project.get_absolute_url()}")
    sign_in(page, "ada")
    expect(page).to_have_url(live_server.url + project.get_absolute_url())

    box = page.locator("#comment-body")
    box.fill(DRAFT)
    write = page.locator('[data-write="comment-body"]')
    show = page.locator('[data-preview="comment-body"]')
    expect(write).to_have_attribute("aria-pressed", "true")

    # Preview: the server's rendering replaces the text, and focus moves to it.
    show.click()
    preview = page.locator("#comment-body-preview")
    expect(preview.locator("em")).to_have_text("toy model")
    expect(preview.locator("math")).to_have_count(2)
    expect(preview.locator('math[display="block"]')).to_have_count(1)
    expect(box).to_be_hidden()
    expect(show).to_have_attribute("aria-pressed", "true")
    expect(write).to_have_attribute("aria-pressed", "false")
    wait_for_focus_in(page, "#comment-body-preview")
    assert_axe_clean(page)

    # Write: back to the text, with the cursor in it.
    write.click()
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    expect(box).to_have_value(DRAFT)

    # The session runs out on the server; a reload asks first, then shows the page to a
    # stranger, who is sent to sign in and comes back to the draft.
    Session.objects.all().delete()
    page.reload()
    assert asked == ["beforeunload"]
    expect(box).to_have_count(0)
    page.get_by_role("link", name="Sign in", exact=True).last.click()
    sign_in(page, "ada")
    expect(page).to_have_url(live_server.url + project.get_absolute_url())
    expect(box).to_have_value(DRAFT)
    expect(page.locator("#announcer")).to_have_text("Your unsent text is back in the form.")

    page.locator("#discussion").get_by_role("button", name="Post comment").click()
    expect(page.locator("#discussion .comment .prose em")).to_have_text("toy model")
    expect(page.locator("#discussion .comment .prose math")).to_have_count(2)
    assert Comment.objects.get().body == DRAFT
    assert page.evaluate(DRAFTS) == []
    page.reload()
    expect(page.locator("#comment-body")).to_have_value("")
    assert asked == ["beforeunload"]  # nothing unsent: leaving did not ask again


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_quote_fills_the_comment_box_and_copy_link_says_so(page_at, live_server, viewport):
    project = ProjectFactory()
    grace = UserFactory(username="grace", display_name="Grace")
    comment = CommentFactory(project=project, author=grace, body="Scope it to *toy* models.")
    researcher()
    page = page_at(viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/accounts/login/?next={project.get_absolute_url()}")
    sign_in(page, "ada")

    article = page.locator(f"#comment-{comment.pk}")
    expect(
        article.get_by_role("link", name=comment.created_at.strftime("%-d %b %Y"))
    ).to_have_attribute("href", f"/comments/{comment.pk}/")
    article.get_by_role("button", name="Copy link").click()
    expect(page.locator("#announcer")).to_have_text("Link to the comment copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/comments/{comment.pk}/"

    article.get_by_role("link", name="Quote").click()
    box = page.locator("#comment-body")
    expect(box).to_be_focused()
    expect(box).to_have_value(
        f"> Scope it to *toy* models.\n\n[Grace wrote](/comments/{comment.pk}/)\n\n"
    )
    assert page.url.split("#")[0] == live_server.url + project.get_absolute_url()  # no reload
    assert len(page.evaluate(DRAFTS)) == 1  # a quote is a draft like any other
    assert_axe_clean(page)


def test_without_javascript_preview_and_quote_work_by_plain_requests(page_at, live_server):
    project = ProjectFactory()
    comment = CommentFactory(project=project, body="Plainly said.")
    researcher()
    page = page_at(LAPTOP, javascript=False)
    page.goto(f"{live_server.url}/accounts/login/?next={project.get_absolute_url()}")
    sign_in(page, "ada")

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Quote").click()
    box = page.locator("#comment-body")
    expect(box).to_have_value(
        f"> Plainly said.\n\n[{comment.author.public_name} wrote](/comments/{comment.pk}/)\n\n"
    )
    box.fill("Said *plainly*.")
    page.locator('[data-preview="comment-body"]').click()
    expect(page.locator("#comment-body-preview em")).to_have_text("plainly")
    expect(box).to_have_value("Said *plainly*.")
    assert Comment.objects.count() == 1
    expect(page.locator('[data-write="comment-body"]')).to_be_hidden()


def test_a_plain_form_keeps_its_draft_when_refused_and_forgets_it_once_saved(page_at, live_server):
    researcher()
    page = page_at(LAPTOP)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.goto(f"{live_server.url}/accounts/login/?next=/projects/propose/")
    sign_in(page, "ada")
    description = page.locator("#proposal-description")
    description.fill("Compare *two* toy models.")
    assert len(page.evaluate(DRAFTS)) == 1

    page.get_by_role("button", name="Send to curators").click()  # no title: refused
    expect(page.get_by_text("Give the project a short title.")).to_be_visible()
    expect(description).to_have_value("Compare *two* toy models.")
    assert len(page.evaluate(DRAFTS)) == 1

    page.get_by_label("Title").fill("Two toy models")
    page.get_by_role("button", name="Send to curators").click()
    expect(page.get_by_text("Thank you: curators will review your proposal.")).to_be_visible()
    assert page.evaluate(DRAFTS) == []
    assert asked == []  # sending a form never asks


def test_cancelling_an_edit_forgets_its_draft(page_at, live_server):
    project = ProjectFactory()
    ada = researcher()
    comment = CommentFactory(project=project, author=ada, body="First take")
    page = page_at(LAPTOP)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.goto(f"{live_server.url}/accounts/login/?next={project.get_absolute_url()}")
    sign_in(page, "ada")

    page.get_by_role("link", name="Edit", exact=True).click()
    edit = page.locator(f"#edit-{comment.pk}-body")
    edit.fill("Second take")
    assert len(page.evaluate(DRAFTS)) == 1
    page.reload()
    assert asked == ["beforeunload"]
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(edit).to_have_value("Second take")  # the edit's draft came back
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("form.comment-edit")).to_have_count(0)
    assert page.evaluate(DRAFTS) == []
