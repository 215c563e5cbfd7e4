"""The 503 page in Chromium: in the site's look, within the Content-Security-Policy, and
passing axe (page_at checks both). The outage itself is made real in tests/test_outages.py;
here a view of tests/urls_errors.py raises the error a database away raises."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_503_page_says_to_try_again(page_at, live_server, settings, viewport):
    settings.ROOT_URLCONF = "tests.urls_errors"
    page = page_at(viewport)
    response = page.goto(live_server.url + "/database-away/")
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    expect(page.get_by_role("heading", level=1)).to_have_text("The board is briefly unavailable")
    expect(page.get_by_role("link", name="See all research projects")).to_be_visible()
