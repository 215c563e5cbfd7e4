"""Headings people write in markdown stay smaller than the page's own section headings."""

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import CommentFactory, ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FONT_SIZE = "elements => elements.map(e => parseFloat(getComputedStyle(e).fontSize))"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_markdown_headings_are_smaller_than_section_headings(page_at, live_server, viewport):
    project = ProjectFactory(description="# A heading\n\n## Another\n\nText.")
    CommentFactory(project=project, body="# Shouting\n\n## Still shouting\n\n### Less so")
    person = UserFactory(bio="# About me\n\nResearcher.")
    page = page_at(viewport)

    page.goto(live_server.url + project.get_absolute_url())
    written = page.locator(".prose :is(h1, h2, h3, h4, h5, h6)").evaluate_all(FONT_SIZE)
    sections = page.locator(".panel > h2").evaluate_all(FONT_SIZE)
    page.goto(live_server.url + person.get_absolute_url())
    bio = page.locator(".prose h1").evaluate_all(FONT_SIZE)
    person_sections = page.locator(".panel > h2").evaluate_all(FONT_SIZE)

    assert len(written) == 5 and sections and bio and person_sections
    assert max(written) < min(sections)
    assert max(bio) < min(person_sections)
