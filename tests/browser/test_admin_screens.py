"""The admin's screens in Chromium: the proposal's decide form in view at every width,
its refusal at the field, and tools and action bars clear of the titles."""

import pytest
from django.urls import reverse

from projects import services
from tests.browser.conftest import LAPTOP, PHONE, sign_in_with_code
from tests.factories import AgendaFactory, CommentFactory, OutputFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1600, "height": 900}
# The screens are signed in as pytest-django's superuser (admin_user), whose password is this.
PASSWORD = "password"


def signed_in(page_at, live_server, user, viewport):
    """A page at ``viewport``, signed in to the admin as ``user`` (password, then code)."""
    page = page_at(viewport)
    sign_in_with_code(page, live_server, user, PASSWORD)
    return page


def box(page, selector: str) -> dict:
    """The element's bounding box, in page coordinates (scrolling makes no difference)."""
    found = page.locator(selector)
    assert found.count() == 1, f"{selector}: {found.count()} elements"
    return found.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }"
    )


def boxes(page, selector: str) -> list[dict]:
    """The bounding boxes of every element the selector finds."""
    return page.locator(selector).evaluate_all(
        "es => es.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })"
    )


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.fixture
def proposal(researcher):
    project = ProjectFactory(title="A takeover scenario which covers all the key points " * 2)
    return services.project_propose_edit(
        by=researcher,
        project=project,
        title=project.title + "revised",
        description=project.description + " More words.",
        kind=project.kind,
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP, WIDE], ids=["390", "1280", "1600"])
def test_the_decide_form_is_fully_in_view_across_the_page(
    page_at, live_server, admin_user, proposal, viewport
):
    page = signed_in(page_at, live_server, admin_user, viewport)
    page.goto(live_server.url + reverse("admin:projects_proposal_change", args=[proposal.pk]))

    for selector in ("#decision-reason", "input[name=approve]", "input[name=reject]"):
        element = box(page, selector)
        assert element["x"] >= 0, selector
        assert element["x"] + element["width"] <= viewport["width"], selector
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_rejecting_without_a_reason_shows_the_error_next_to_the_reason(
    page_at, live_server, admin_user, proposal
):
    page = signed_in(page_at, live_server, admin_user, LAPTOP)
    page.goto(live_server.url + reverse("admin:projects_proposal_change", args=[proposal.pk]))

    page.click("input[name=reject]")

    error = page.locator(".field-reason .errorlist")
    assert error.inner_text() == "Say why, so that the proposer can learn from it."
    assert error.is_visible() and page.locator("#decision-reason").is_visible()
    assert page.locator("#decision-reason").get_attribute("aria-invalid") == "true"
    reason, message = box(page, "#decision-reason"), box(page, ".field-reason .errorlist")
    assert 0 <= reason["y"] - (message["y"] + message["height"]) < 40
    assert page.locator(".messagelist").count() == 0


def admin_screens(proposal) -> dict[str, tuple[str, str]]:
    """Each screen with tools or an action bar: its address, and its tools' selector."""
    project = ProjectFactory(title="A mathematical comparison between off-policy RL " * 3)
    AgendaFactory()
    CommentFactory(project=project)
    output = OutputFactory(project=project)
    return {
        "project list": (
            reverse("admin:projects_project_changelist"),
            "#changelist .actions label, #changelist .actions .button, .object-tools li",
        ),
        "project page": (
            reverse("admin:projects_project_change", args=[project.pk]),
            ".object-tools li",
        ),
        "agenda list": (reverse("admin:projects_agenda_changelist"), ".object-tools li"),
        "proposal page": (
            reverse("admin:projects_proposal_change", args=[proposal.pk]),
            ".object-tools li",
        ),
        "output page": (
            reverse("admin:projects_output_change", args=[output.pk]),
            ".object-tools li",
        ),
        "comment list": (
            reverse("admin:projects_comment_changelist"),
            "#changelist .actions label, #changelist .actions .button",
        ),
    }


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_tools_and_action_bars_overlap_neither_the_titles_nor_each_other(
    page_at, live_server, admin_user, proposal, viewport
):
    screens = admin_screens(proposal)
    page = signed_in(page_at, live_server, admin_user, viewport)

    for name, (url, tools) in screens.items():
        page.goto(live_server.url + url)
        titles = boxes(page, "#content > h1, #content > h2")
        found = boxes(page, tools)
        assert titles and found, name
        for tool in found:
            assert not any(overlap(tool, title) for title in titles), name
            assert tool["x"] + tool["width"] <= viewport["width"], name
        for i, tool in enumerate(found):
            assert not any(overlap(tool, other) for other in found[i + 1 :]), name
