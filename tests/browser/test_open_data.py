"""Open data and discovery in Chromium: the random-project link, the page that says nothing
is free, and an agenda's downloads; at phone and laptop widths, checked by axe-core."""

import os
from pathlib import Path

import pytest

from projects.importers import import_agenda
from projects.models import Agenda, Claim, Project
from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SLUG = "some-conceptual-alignment-research-projects"
# Where screenshots go for a person to look at; set SCREENSHOTS=dir to keep them.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


@pytest.fixture
def seeded(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=False)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_surprise_me_opens_an_unclaimed_project(seeded, page_at, live_server, viewport):
    page = page_at(viewport)
    page.goto(live_server.url + "/")
    shoot(page, "project-list")

    page.get_by_role("link", name="Surprise me: a random unclaimed project").click()

    page.wait_for_url("**/projects/*/")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert Project.objects.free_to_start().filter(slug=slug).exists()
    assert page.locator("h1").is_visible()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_when_everything_is_taken_the_page_says_so_and_leads_back(
    seeded, page_at, live_server, viewport
):
    researcher = UserFactory()
    for project in Project.objects.all():
        Claim.objects.create(project=project, researcher=researcher)
    page = page_at(viewport)
    page.goto(f"{live_server.url}/projects/random/?agenda={SLUG}")
    shoot(page, "project-random-none")

    assert page.locator("h1").inner_text() == "Every project is taken right now"
    assert horizontal_overflow(page) <= 0
    page.get_by_role("link", name="Back to all research projects").click()
    page.wait_for_url(live_server.url + "/")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_an_unknown_agenda_gets_the_same_calm_page(page_at, live_server, viewport, db):
    page = page_at(viewport)
    response = page.goto(f"{live_server.url}/projects/random/?agenda=no-such-agenda")
    shoot(page, "project-random-unknown")

    assert response.status == 400
    assert page.locator("h1").inner_text() == "We do not know that agenda"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_agenda_page_offers_its_projects_as_csv_and_json(
    seeded, page_at, live_server, viewport
):
    page = page_at(viewport)
    page.goto(live_server.url + Agenda.objects.get(slug=SLUG).get_absolute_url())
    page.locator(".downloads").scroll_into_view_if_needed()
    shoot(page, "agenda-detail")

    assert horizontal_overflow(page) <= 0
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"{SLUG}-projects.csv"
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    assert download.value.suggested_filename == f"{SLUG}-projects.json"
