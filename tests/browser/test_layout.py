"""The list and a project page in Chromium, at phone and laptop widths, by keyboard."""

import pytest

from projects.importers import import_agenda
from projects.models import Project
from tests.browser.conftest import LAPTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def seeded(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_list_fits_the_screen_and_links_to_each_project(seeded, page_at, live_server, viewport):
    page = page_at(viewport)
    page.goto(live_server.url + "/")

    assert page.locator(".project-row").count() == 26
    assert horizontal_overflow(page) <= 0
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")

    page.get_by_role("link", name="14. A mathematical comparison between off-policy RL").click()
    page.wait_for_url("**/projects/a-mathematical-comparison-between-off-policy-rl-and/")
    assert page.locator("h1").inner_text().startswith("A mathematical comparison")
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_project_page_fits_the_screen(seeded, page_at, live_server, viewport):
    project = Project.objects.get(number=4)
    page = page_at(viewport)
    page.goto(live_server.url + project.get_absolute_url())

    assert page.get_by_role("link", name="Read the original item").is_visible()
    assert horizontal_overflow(page) <= 0


def test_the_keyboard_reaches_the_skip_link_then_the_projects(seeded, page_at, live_server):
    page = page_at(LAPTOP, javascript=False)
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Then the random-project link, the search box, its button and the filters, then the
    # projects.
    reached = []
    while not reached or not reached[-1].startswith("1. A paper") and len(reached) < 11:
        page.keyboard.press("Tab")
        reached.append(page.evaluate("(e => e.id || e.textContent.trim())(document.activeElement)"))
    assert reached[:2] == ["Surprise me: a random unclaimed project", "id_q"]
    assert reached[-1].startswith("1. A paper which does for deceptive alignment")
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/a-paper-which-does-for-deceptive-alignment-what-the-goal/")
