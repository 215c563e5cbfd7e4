"""The checks every browser test gets from ``page_at``: they find an accessibility
violation wherever the test leaves it (so that none of them passes by not looking)."""

import re

import pytest

from tests.browser.conftest import LAPTOP, checked_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# An image with no text for a screen reader: axe-core's rule image-alt.
NO_ALT = (
    "document.querySelector('main').append("
    "Object.assign(document.createElement('img'), {src: '/static/favicon.svg'}))"
)


def test_a_violation_on_the_page_the_test_ends_on_fails_it(browser, live_server):
    with (
        pytest.raises(AssertionError, match="image-alt"),
        checked_pages(browser, live_server.url) as open_page,
    ):
        page = open_page(LAPTOP)
        page.goto(live_server.url + "/")
        page.evaluate(NO_ALT)


def test_a_violation_on_a_page_the_test_goes_on_from_fails_it(browser, live_server):
    # The home page, which the test left for another: checked as it was left.
    with (
        pytest.raises(AssertionError, match=re.escape(f"{live_server.url}/: image-alt")),
        checked_pages(browser, live_server.url) as open_page,
    ):
        page = open_page(LAPTOP)
        page.goto(live_server.url + "/")
        page.evaluate(NO_ALT)
        page.goto(live_server.url + "/agendas/")


def test_a_page_without_violations_passes(browser, live_server):
    with checked_pages(browser, live_server.url) as open_page:
        page = open_page(LAPTOP)
        page.goto(live_server.url + "/")
        page.goto(live_server.url + "/agendas/")
