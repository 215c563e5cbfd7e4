"""The project finder in Chromium: results follow typing, the URL follows the results, the
back button restores them, and the same search works with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from projects.importers import import_agenda
from tests.browser.conftest import LAPTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def seeded(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)


def test_results_follow_typing_without_a_page_load_and_back_restores_them(
    seeded, page_at, live_server
):
    page = page_at(LAPTOP)
    page.goto(live_server.url + "/")
    assert page.locator(".project-row").count() == 26
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    search = page.get_by_label("Search projects")
    search.press_sequentially("gradient hacking", delay=30)

    page.wait_for_url(re.compile(r"/\?q=gradient(\+|%20)hacking$"))
    heading = page.locator("#results-heading")
    assert re.match(r"\d+ projects? match", heading.inner_text())
    assert page.locator(".project-row mark").first.inner_text().lower().startswith("gradient")
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("document.activeElement.id") == "id_q"  # typing goes on
    searched = page.locator(".project-row").count()
    assert 0 < searched < 26

    page.locator("summary", has_text="Filter and sort").click()
    page.get_by_label("Kind").select_option("sketch")
    page.wait_for_url(re.compile(r"kind=sketch"))
    assert re.search(r"q=gradient(\+|%20)hacking", page.url)
    assert page.evaluate("window.sameDocument") is True

    page.go_back()
    page.wait_for_url(re.compile(r"/\?q=gradient(\+|%20)hacking$"))
    expect(page.locator(".project-row")).to_have_count(searched)
    expect(page.get_by_label("Search projects")).to_have_value("gradient hacking")


def test_the_same_search_works_with_javascript_off(seeded, page_at, live_server):
    page = page_at(PHONE, javascript=False)
    page.goto(live_server.url + "/")

    page.get_by_label("Search projects").fill("CIRL")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url(re.compile(r"q=CIRL"))
    titles = page.locator(".project-row-title").all_inner_texts()
    assert any(title.startswith("10.") for title in titles)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_page_link_swaps_the_results_and_focus_moves_to_them(
    seeded, page_at, live_server, settings
):
    settings.PROJECTS_PER_PAGE = 10
    page = page_at(LAPTOP)
    page.goto(live_server.url + "/?sort=newest")
    page.evaluate("window.sameDocument = true")

    page.get_by_role("link", name="Next →").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"sort=newest&page=2"))
    assert page.evaluate("window.sameDocument") is True
    # Polled by Playwright itself: a predicate string would be evaluated in the page, which
    # the Content-Security-Policy refuses whenever the first check comes too early.
    expect(page.locator("#results")).to_be_focused()
    assert "page 2 of 3" in page.locator("#results-heading").inner_text()
