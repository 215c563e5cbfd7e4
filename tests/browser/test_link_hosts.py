"""Shown links name their real host, readable (axe) at phone and desk widths."""

import pytest

from tests.factories import OutputFactory, ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [390, 1280])
def test_output_and_website_links_show_their_host(page_at, live_server, width):
    project = ProjectFactory(title="Measure how often agents deceive their overseers")
    person = UserFactory(username="kim", website="https://www.kim.example/about")
    OutputFactory(
        project=project,
        submitted_by=person,
        url="https://doi.org/10.48550/arXiv.2401.00001",
        title="Deception rates in agentic evaluations",
        review="accepted",
    )
    page = page_at({"width": width, "height": 900})

    for path, host in (
        (project.get_absolute_url(), "(doi.org)"),
        ("/", "(doi.org)"),
        (person.get_absolute_url(), "(kim.example)"),
    ):
        page.goto(live_server.url + path)
        assert page.locator(".link-host", has_text=host).first.is_visible()
        name = path.strip("/").replace("/", "-") or "list"
        page.screenshot(path=f"/tmp/link-host-{name}-{width}.png", full_page=True)
