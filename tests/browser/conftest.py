"""Playwright driving the system Chromium against the live test server."""

import contextlib
import functools
import os

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django's guard against
# database access from async code would otherwise refuse the fixtures' queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Starting Playwright's sync API gives the test code a new context, and with it new
    # database connection objects (Django keeps them in context-local storage). The
    # snapshot that serialized_rollback restores after each flush lives on the old ones:
    # carry it over, or every transactional test after the first loses the data that
    # migrations made (the Curators group).
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in snapshots.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_until_processed(page, selector: str) -> None:
    """Wait until htmx has taken up what it swapped in at ``selector``: it inserts new
    content marked ``htmx-added`` and binds the content's own hx- attributes a moment later
    (its settle), taking the mark off. A form sent before then goes without htmx."""
    import re

    from playwright.sync_api import expect

    expect(page.locator(selector)).not_to_have_class(re.compile(r"(^|\s)htmx-added(\s|$)"))


def wait_for_focus_in(page, selector: str) -> None:
    """Wait until the focus is on ``selector``'s element or inside it. Playwright polls the
    page itself: ``page.wait_for_function`` with a string would evaluate it in the page,
    which the Content-Security-Policy refuses whenever its first check fails."""
    from playwright.sync_api import expect

    expect(page.locator(f"{selector}:focus-within")).to_have_count(1)


@functools.cache
def axe_source() -> str:
    """axe-core itself, as axe-playwright-python bundles it."""
    from importlib.resources import files

    return files("axe_playwright_python").joinpath("axe.min.js").read_text()


def axe_violations(page) -> list[str]:
    """What axe-core finds wrong with the page as it is now, one line per rule and element.
    A page whose context was given axe-core as an init script has it already; any other gets
    it now (half a megabyte over the wire, a noticeable share of each check)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {', '.join(str(node['target']) for node in violation['nodes'])}"
        for violation in violations
    ]


@pytest.fixture
def page_at(browser, live_server):
    """A factory of pages at a viewport size, checked as ``checked_pages`` says."""
    with checked_pages(browser, live_server.url) as open_page:
        yield open_page


@contextlib.contextmanager
def checked_pages(browser, site: str):
    """A factory of pages at a viewport size. The test fails on any off-site request, on
    anything the Content-Security-Policy refused, and on any accessibility violation
    axe-core finds on a page it visited. When script runs there, a page is checked where
    the test is: once ``wait_for_url`` sees it arrive, before the test's next ``goto``
    takes it elsewhere, and at the end. Any other visited URL (one a click left unwatched,
    or any in a context without script) is opened again at the end, in the same browser
    context, and checked."""
    contexts = []
    offsite: list[str] = []
    refused: list[str] = []
    visited: dict[tuple, list] = {}  # (context, URL) -> the requests that went there
    checked: set[tuple] = set()
    problems: list[str] = []
    axe_running: set = set()

    def check_in_place(context, page) -> None:
        """Check ``page`` as the test leaves it (the state the test brought it to, htmx
        swaps and all) if it is a visited page not checked yet: opening it again costs
        the server's work and the browser's a second time."""
        key = (context, page.url.split("#")[0])
        if context.javascript and key in visited and key not in checked:
            from playwright.sync_api import Error

            # axe-core's own inline styles are refused by the policy: not the site's doing.
            axe_running.add(page)
            try:
                page.wait_for_load_state()
                problems.extend(axe_violations(page))
                checked.add(key)
            except Error:
                pass  # it went elsewhere meanwhile (a click's navigation): opened again at the end
            finally:
                axe_running.discard(page)

    def open_page(viewport: dict, *, javascript: bool = True):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        context.viewport = viewport
        context.javascript = javascript
        contexts.append(context)
        page = context.new_page()
        goto, wait_for_url = page.goto, page.wait_for_url

        def goto_after_checking(*args, **kwargs):
            check_in_place(context, page)
            return goto(*args, **kwargs)

        def wait_for_url_then_check(*args, **kwargs):
            wait_for_url(*args, **kwargs)
            check_in_place(context, page)

        page.goto = goto_after_checking
        page.wait_for_url = wait_for_url_then_check
        # Chromium reports each thing the policy refuses (an inline script or style, a
        # source elsewhere) as a console error.
        page.on(
            "console",
            lambda message: (
                refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text and page not in axe_running
                else None
            ),
        )
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith((site, "data:")) else offsite.append(request.url)
            ),
        )
        # Pages reached by GET are checked; a page that answered a POST cannot be opened
        # again, so the test checks it where it matters.
        page.on(
            "request",
            lambda request: (
                visited.setdefault((context, request.url.split("#")[0]), []).append(request)
                if request.is_navigation_request()
                and request.method == "GET"
                and request.frame.parent_frame is None
                and request.url.startswith(site)
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            check_in_place(context, page)
    checkers = {}
    for (context, url), requests in visited.items():
        # A URL that only ever redirected showed the test no page (the admin's sign-in,
        # sending it on to the site's).
        if (context, url) in checked or all(request.redirected_to for request in requests):
            continue
        # axe-core runs as script, which a context without JavaScript cannot; a twin with
        # the same cookies (the same signed-in user) sees the same page. It loads axe-core
        # with every page, and one tab visits each URL in turn.
        if context not in checkers:
            checker = browser.new_context(
                viewport=context.viewport, storage_state=context.storage_state()
            )
            checker.add_init_script(script=axe_source())
            checkers[context] = checker.new_page()
        page = checkers[context]
        page.goto(url)
        problems += axe_violations(page)
    for context in [*contexts, *(page.context for page in checkers.values())]:
        context.close()
    assert offsite == [], "pages must not request any other host"
    assert refused == [], "\n".join(refused)
    assert problems == [], "\n".join(problems)


def sign_in_with_code(page, live_server, user, password: str, path: str = "/admin/") -> None:
    """Open ``path`` and sign in as ``user`` through the site's real pages, as staff reach
    the admin: username and password, then the code of the authenticator app that
    ``set_up_two_factor`` gives them. Ends on ``path``."""
    from django.urls import reverse

    from tests.factories import set_up_two_factor, totp_code

    set_up_two_factor(user)
    page.goto(live_server.url + path)
    page.wait_for_url(f"{live_server.url}{reverse('account_login')}?*")
    page.fill("#id_login", user.username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("mfa_authenticate"))
    page.fill("#id_code", totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + path)
