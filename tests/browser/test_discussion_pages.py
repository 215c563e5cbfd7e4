"""The discussion's pages in Chromium: earlier and later comments by htmx (focus on the
discussion) and without JavaScript, and a permalink landing on the right page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, wait_for_focus_in
from tests.factories import CommentFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def long_discussion(settings):
    """A project with five threads, three a page: its oldest two on page 2."""
    settings.DISCUSSION_THREADS_PER_PAGE = 3
    project = ProjectFactory()
    threads = [CommentFactory(project=project, body=f"Thread number {n}") for n in range(5)]
    CommentFactory(project=project, parent=threads[0], body="A reply to the first")
    return project, threads


def test_earlier_comments_swap_in_with_focus_on_the_discussion_and_later_ones_come_back(
    page_at, live_server, long_discussion
):
    project, threads = long_discussion
    page = page_at(LAPTOP)
    page.goto(live_server.url + project.get_absolute_url())
    discussion = page.locator("#discussion")
    expect(discussion).to_contain_text("6 comments in 5 threads; page 1 of 2")
    expect(discussion).not_to_contain_text("Thread number 0")

    discussion.get_by_role("link", name="Earlier comments").click()
    expect(discussion).to_contain_text("A reply to the first")
    expect(discussion).not_to_contain_text("Thread number 4")
    wait_for_focus_in(page, "#discussion")
    assert "?discussion=2#discussion" in page.url

    discussion.get_by_role("link", name="Later comments").click()
    expect(discussion).to_contain_text("Thread number 4")
    wait_for_focus_in(page, "#discussion")


def test_without_javascript_earlier_comments_is_a_page_of_its_own(
    page_at, live_server, long_discussion
):
    project, threads = long_discussion
    page = page_at(PHONE, javascript=False)
    page.goto(live_server.url + project.get_absolute_url())

    page.get_by_role("link", name="Earlier comments").click()
    expect(page.locator("#discussion")).to_contain_text("Thread number 0")
    assert "?discussion=2" in page.url


def test_a_permalink_lands_on_the_page_holding_the_comment(page_at, live_server, long_discussion):
    project, threads = long_discussion
    for viewport, name in ((PHONE, "390"), (LAPTOP, "1280")):
        page = page_at(viewport)
        page.goto(live_server.url + threads[1].get_absolute_url())
        expect(page.locator(f"#comment-{threads[1].pk}")).to_be_visible()
        assert page.url.endswith(f"?discussion=2#comment-{threads[1].pk}")
        page.locator("#discussion").screenshot(path=f"/tmp/discussion-page-2-{name}.png")
