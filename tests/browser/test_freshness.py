"""Claims that stay true, in Chromium: a reminder's one-click pages (asking, done, refused)
and the project page's stale, overdue and dormant states, at phone and laptop widths,
checked by axe-core."""

import datetime
import os
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from projects import freshness
from projects.freshness import LinkAction
from projects.models import Claim, Event
from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAY = datetime.timedelta(days=1)
# Where screenshots go for a person to look at; set SCREENSHOTS=dir to keep them.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def sign_in(page, base: str, user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }
    page.context.add_cookies([cookie])


def quiet(claim: Claim, days: int, *, reminded: bool = False) -> Claim:
    """The claim, silent for ``days``; reminded now, as the sweep would, if asked."""
    then = timezone.now() - days * DAY
    Claim.objects.filter(pk=claim.pk).update(
        started_at=then - 5 * DAY,
        last_activity_at=then,
        stale_reminded_at=timezone.now() if reminded else None,
    )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def scene():
    """Ada's stale, reminded claim (with a target date past) beside Alan's fresh one, and
    Ada's dormant claim on another project."""
    ada, alan = UserFactory(username="ada"), UserFactory(username="alan")
    project = ProjectFactory(
        title="Toy models of deceptive alignment in small transformers", claim_limit=3
    )
    claim = project.claim(
        researcher=ada,
        plan="Train a few **small** models, then look for the pattern.",
        target_date=timezone.localdate() + 3 * DAY,
        output_kind="paper",
    )
    Claim.objects.filter(pk=claim.pk).update(target_date=timezone.localdate() - 4 * DAY)
    claim = quiet(claim, 40, reminded=True)
    project.claim(researcher=alan, plan="A survey of the related work.")
    other = ProjectFactory(title="A taxonomy of oversight failures")
    gone = quiet(other.claim(researcher=ada, plan="Collect the cases."), 60)
    Claim.objects.filter(pk=gone.pk).update(stale_reminded_at=timezone.now() - 16 * DAY)
    gone.go_dormant()
    return {"ada": ada, "claim": claim, "project": project, "other": other}


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_one_click_pages_ask_act_once_and_refuse_calmly(scene, page_at, live_server, viewport):
    claim = scene["claim"]
    page = page_at(viewport)

    def visit(action: str) -> str:
        token = freshness.reminder_token(claim, action)
        return live_server.url + reverse("projects:claim-reminder-link", args=[token])

    release = visit(LinkAction.RELEASE)
    page.goto(release)
    shoot(page, "reminder-release")
    expect(page.get_by_role("button", name="Release it")).to_be_visible()
    assert horizontal_overflow(page) <= 0

    still = visit(LinkAction.CONFIRM)
    page.goto(still)
    shoot(page, "reminder-still-on-it")
    assert page.locator("h1").inner_text().startswith("Still on “Toy models")
    assert horizontal_overflow(page) <= 0
    page.get_by_role("button", name="I'm still on it").click()

    page.wait_for_url(live_server.url + scene["project"].get_absolute_url() + "#claim-panel")
    expect(page.locator(".messages")).to_contain_text("your claim stays active")
    assert Event.objects.filter(kind=Event.Kind.CONFIRMED).count() == 1

    page.goto(still)  # used now, as is its twin
    shoot(page, "reminder-used")
    assert page.locator("h1").inner_text() == "This link was already used"
    page.goto(release)
    assert Claim.objects.get(pk=claim.pk).is_active

    page.goto(live_server.url + reverse("projects:claim-reminder-link", args=["not-a-link"]))
    shoot(page, "reminder-invalid")
    assert page.locator("h1").inner_text() == "This link does not work"
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_project_page_shows_stale_overdue_and_dormant_claims_and_their_actions(
    scene, page_at, live_server, viewport
):
    page = page_at(viewport)
    project_url = live_server.url + scene["project"].get_absolute_url()

    page.goto(project_url)
    shoot(page, "project-stale-visitor")
    expect(page.locator(".badge-stale")).to_have_count(1)
    expect(page.locator(".badge-overdue")).to_have_count(1)
    assert horizontal_overflow(page) <= 0

    sign_in(page, live_server.url, scene["ada"])
    page.goto(project_url)
    shoot(page, "project-stale-holder")
    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("Your claim shows as stale")
    expect(panel).to_contain_text("has passed. No harm done")
    assert horizontal_overflow(page) <= 0
    panel.get_by_role("button", name="Still on it").click()
    expect(page.locator("#announcer")).to_have_text("Noted: you are still on it.")
    expect(page.locator("#claim-panel .badge-stale")).to_have_count(0)

    page.goto(live_server.url + scene["other"].get_absolute_url())
    shoot(page, "project-dormant-holder")
    other_panel = page.locator("#claim-panel")
    expect(other_panel).to_contain_text("Your claim is dormant")
    assert horizontal_overflow(page) <= 0
    other_panel.get_by_role("button", name="Revive my claim").click()
    expect(page.locator("#announcer")).to_have_text("Your claim is active again. Welcome back!")
    expect(page.locator("#claim-panel")).to_contain_text("Your claim")
    shoot(page, "project-revived-holder")
    assert Claim.objects.active().filter(project=scene["other"]).count() == 1


@pytest.fixture
def reminded_holder():
    """Ada, told by the sweep that one claim went quiet and another's target date is near,
    and that a third claim of hers went dormant."""
    ada = UserFactory(username="ada")
    quiet_one = ProjectFactory(title="Toy models of deceptive alignment in small transformers")
    quiet(quiet_one.claim(researcher=ada, plan="Train a few models."), 40)
    dated = ProjectFactory(title="A survey of interpretability benchmarks")
    claim = dated.claim(researcher=ada, target_date=timezone.localdate() + 20 * DAY)
    Claim.objects.filter(pk=claim.pk).update(target_date=timezone.localdate() + 2 * DAY)
    gone = ProjectFactory(title="A taxonomy of oversight failures")
    claim = quiet(gone.claim(researcher=ada, plan="Collect the cases."), 60)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 16 * DAY)
    freshness.make_quiet_claims_dormant()
    freshness.remind_stale_claims()
    freshness.remind_target_dates()
    return ada


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_holder_reads_reminders_and_dormancy_in_the_notifications_and_acts_on_the_claim(
    reminded_holder, page_at, live_server, viewport
):
    page = page_at(viewport)
    sign_in(page, live_server.url, reminded_holder)
    page.goto(live_server.url + reverse("notifications:notification-list"))
    shoot(page, "notifications-reminders")

    assert page.locator(".notification").count() == 3
    expect(page.get_by_text("has gone quiet.")).to_be_visible()
    expect(page.get_by_text("is near.")).to_be_visible()
    expect(page.get_by_text("went dormant after a quiet spell.")).to_be_visible()
    expect(page.get_by_text("“Revive my claim” on the project's page")).to_be_visible()
    assert horizontal_overflow(page) <= 0

    page.get_by_role("link", name="Toy models of deceptive alignment in small transformers").click()
    page.wait_for_url("**#claim-panel")
    expect(page.get_by_role("button", name="Still on it")).to_be_visible()
