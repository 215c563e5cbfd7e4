"""Math in a comment, in Chromium with JavaScript off: MathML the browser lays out itself,
a long display formula that scrolls in its own box and never widens the page, and a link
to another project that says where it stands; at phone and laptop widths, checked by
axe-core and the Content-Security-Policy."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import CommentFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Where screenshots go for a person to look at; set SCREENSHOTS=dir to keep them.
SCREENSHOTS = os.environ.get("SCREENSHOTS")

LONG = " + ".join(f"a_{{{n}}} x^{{{n}}}" for n in range(60))
BODY = r"""Take $\mathbb{E}[X] = \sum_i p_i x_i$ and
$f(x) = \frac{1}{\sqrt{2\pi}} e^{-x^2/2}$, so that

$$
\int_{-\infty}^{\infty} f(x)\,dx = 1
$$

and the whole series:

$$
LONG
$$

Compare SITE/projects/SLUG/ (this one costs $5 and $10). And $\frac{a}{$ is a typo."""


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_comment_with_math_reads_as_math_and_fits_the_screen(
    page_at, live_server, settings, viewport
):
    settings.SITE_URL = live_server.url
    linked = ProjectFactory(title="Eliciting latent knowledge")
    project = ProjectFactory()
    body = BODY.replace("LONG", LONG).replace("SITE", live_server.url).replace("SLUG", linked.slug)
    CommentFactory(project=project, body=body)
    page = page_at(viewport, javascript=False)

    page.goto(live_server.url + project.get_absolute_url())
    comment = page.locator(".comment .prose").first

    # Chromium lays the MathML out: inline formulas in the line, display ones as blocks,
    # a fraction taller than the letters beside it.
    displays = comment.locator("math").evaluate_all(
        "ms => ms.map(m => getComputedStyle(m).display)"
    )
    assert displays == ["math", "math", "block math", "block math"]
    fraction = comment.locator("mfrac").first.bounding_box()
    letter = comment.locator("mi").first.bounding_box()
    assert fraction["height"] > 1.5 * letter["height"]
    # The long formula scrolls inside its box, which a keyboard can reach and scroll.
    box = comment.locator(".math-display").nth(1)
    widths = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] > widths[1] > 0
    box.focus()
    for _ in range(20):  # Scrolling is smooth: it takes a moment to start.
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        if box.evaluate("b => b.scrollLeft") > 0:
            break
    assert box.evaluate("b => b.scrollLeft") > 0
    assert horizontal_overflow(page) <= 0
    # The typo shows as written, with its note; the dollar amounts as text; the link to
    # the other project as its title and where it stands.
    assert comment.locator(".math-source code").inner_text() == r"$\frac{a}{$"
    assert comment.locator(".math-note").inner_text() == "(could not read this formula)"
    assert "costs $5 and $10" in comment.inner_text()
    link = comment.get_by_role("link", name="Eliciting latent knowledge")
    assert link.get_attribute("href") == linked.get_absolute_url()
    assert comment.locator(".board-standing").inner_text() == "unclaimed"

    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        comment.scroll_into_view_if_needed()
        page.screenshot(path=f"{SCREENSHOTS}/math-{viewport['width']}.png", full_page=True)
