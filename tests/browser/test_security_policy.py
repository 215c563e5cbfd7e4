"""The Content-Security-Policy in Chromium: the finder, the project page's htmx forms, the
account pages and the admin all run under it with nothing refused, and it does refuse an
inline script or style the site did not ship."""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from projects.importers import import_agenda
from tests.browser.conftest import LAPTOP, PHONE, sign_in_with_code
from tests.browser.test_project_page_flows import sign_in
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Runs in every document before the page's own scripts (Playwright injects it through the
# DevTools protocol, which the policy does not govern) and keeps each refusal the page meets.
RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def recording(page: Page) -> Page:
    """The page, keeping the policy's refusals in ``window.violations``."""
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def violations(page: Page) -> list[str]:
    """What the policy refused in the page's current document."""
    return page.evaluate("window.violations")


def test_searching_as_you_type_and_posting_a_comment_break_no_rule_of_the_policy(
    demo_agenda_bytes, page_at, live_server
):
    import_agenda(demo_agenda_bytes)
    page = recording(page_at(LAPTOP))
    page.goto(live_server.url + "/")
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Search projects").press_sequentially("gradient hacking", delay=30)

    page.wait_for_url(re.compile(r"/\?q=gradient(\+|%20)hacking$"))
    expect(page.locator("#results-heading")).to_contain_text("match")
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the results
    assert violations(page) == []

    sign_in(page, live_server.url)
    page.goto(live_server.url + ProjectFactory().get_absolute_url())
    page.evaluate("window.sameDocument = true")
    discussion = page.locator("#discussion")
    discussion.get_by_label("Comment", exact=True).fill("Is a toy model enough?")
    discussion.get_by_role("button", name="Post comment").click()

    expect(discussion.locator(".comment")).to_contain_text("Is a toy model enough?")
    assert page.evaluate("window.sameDocument") is True
    assert violations(page) == []


def test_the_account_pages_break_no_rule_of_the_policy(page_at, live_server):
    page = recording(page_at(PHONE))
    for name in ("account_login", "account_signup", "account_reset_password"):
        page.goto(live_server.url + reverse(name))
        expect(page.locator("main form").first).to_be_visible()
        assert violations(page) == [], name


def test_the_admin_breaks_no_rule_of_the_policy(page_at, live_server, admin_user):
    project = ProjectFactory()
    page = recording(page_at(LAPTOP))
    sign_in_with_code(page, live_server, admin_user, "password")
    assert violations(page) == []

    for url in (
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse("admin:accounts_user_changelist"),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("#content")).to_be_visible()
        assert violations(page) == [], url


def test_the_policy_refuses_an_inline_script_or_style_the_site_did_not_ship(browser, live_server):
    context = browser.new_context(viewport=LAPTOP)
    page = recording(context.new_page())
    page.goto(live_server.url + "/")

    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )

    # Polled from outside (a predicate string would run in the page, under its policy).
    deadline = time.monotonic() + 10
    while page.evaluate("window.violations.length") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(v.split()[0] for v in violations(page)) == ["script-src-elem", "style-src-attr"]
    assert page.evaluate("window.ran") is None
    context.close()
