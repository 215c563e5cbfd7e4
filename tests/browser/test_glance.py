"""An agenda at a glance in Chromium: it fits a phone and a laptop, passes axe, and the
keyboard reaches a cell and opens its project."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from projects.importers import import_agenda
from projects.models import Agenda, Claim, Output
from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each cell's box, as the page lays it out.
CELL_BOXES = """() => [...document.querySelectorAll('.glance-cell')].map(cell => {
  const box = cell.getBoundingClientRect();
  return {left: box.left, right: box.right, width: box.width, height: box.height};
})"""


@pytest.fixture
def seed(demo_agenda_bytes) -> Agenda:
    """The seed agenda with a project in every standing, and one community proposal."""
    import_agenda(demo_agenda_bytes)
    agenda = Agenda.objects.get(slug="some-conceptual-alignment-research-projects")
    project = {p.number: p for p in agenda.projects.all()}
    curator = UserFactory(username="grace", curator=True)
    ada, alan = UserFactory(username="ada"), UserFactory(username="alan")
    project[2].claim(researcher=ada)
    stale = project[3].claim(researcher=alan)
    silent = timezone.now() - datetime.timedelta(days=settings.CLAIM_STALE_DAYS + 1)
    Claim.objects.filter(pk=stale.pk).update(last_activity_at=silent)
    project[4].claim(researcher=UserFactory(username="cy")).complete()
    project[5].link_output(
        by=ada, url="https://example.org/a", title="A start", kind="blog_post"
    ).accept(by=curator)
    answer = project[6].link_output(
        by=ada,
        url="https://example.org/b",
        title="The answer",
        kind="paper",
        addresses=Output.Addresses.FULLY,
    )
    project[6].mark_addressed(by=curator, reason="Answered.", outputs=[answer.accept(by=curator)])
    project[7].retire(by=curator, reason="Superseded.")
    Agenda.community().projects.create(
        number=1, slug="an-idea-from-the-board", title="An idea from the board", description="."
    )
    return agenda


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_cells_fit(page, viewport: dict, count: int) -> None:
    """``count`` cells, none past either edge of the screen, each a comfortable target."""
    boxes = page.evaluate(CELL_BOXES)
    assert len(boxes) == count
    assert all(box["left"] >= 0 and box["right"] <= viewport["width"] for box in boxes)
    assert min(min(box["width"], box["height"]) for box in boxes) >= 24
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_glance_fits_the_screen_on_an_agenda_page_and_the_agendas_page(
    seed, page_at, live_server, viewport
):
    page = page_at(viewport)
    page.goto(live_server.url + seed.get_absolute_url())

    assert_cells_fit(page, viewport, 26)
    columns = {round(box["left"]) for box in page.evaluate(CELL_BOXES)}
    assert len(columns) >= 7  # at least seven cells a row, so 26 take at most four rows
    cell = page.get_by_role(
        "link", name="2. A paper which does the same for gradient hacking: in progress", exact=True
    )
    assert cell.get_attribute("class") == "glance-cell standing-in_progress"
    legend = page.get_by_role("list", name="Key: how many projects stand each way")
    assert "Unclaimed 20" in legend.inner_text()

    page.get_by_role("navigation", name="Site").get_by_role("link", name="Agendas").click()
    page.wait_for_url("**/agendas/")
    assert_cells_fit(page, viewport, 27)
    assert page.get_by_role("list", name="Community proposals at a glance").is_visible()


@pytest.mark.parametrize("path", ["agenda", "agendas"])
def test_tab_reaches_a_cell_with_a_visible_ring_and_enter_opens_its_project(
    seed, page_at, live_server, path
):
    page = page_at(PHONE)
    page.goto(live_server.url + (seed.get_absolute_url() if path == "agenda" else "/agendas/"))

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('glance-cell')"):
            break
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return {href: document.activeElement.getAttribute('href'),"
        " outline: s.outlineStyle, width: s.outlineWidth}; })()"
    )
    assert focused["href"] == seed.projects.get(number=1).get_absolute_url()
    assert focused["outline"] == "solid" and focused["width"] == "3px"

    page.keyboard.press("Enter")
    page.wait_for_url("**" + focused["href"])
    assert page.locator("h1").inner_text().startswith("A paper which does for deceptive alignment")
