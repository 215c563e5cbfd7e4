"""A reminder's one-click links: signed, expiring, single use, no sign-in; a GET asks and
changes nothing, the POST acts; a bad link says why and never fails."""

import datetime
import time
from unittest import mock

import pytest
from django.core import signing
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import freshness
from projects.freshness import LinkAction
from projects.models import Claim, Event
from tests.factories import ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def windows(settings):
    settings.CLAIM_STALE_DAYS = 30
    settings.CLAIM_GRACE_DAYS = 14


@pytest.fixture
def claim(researcher) -> Claim:
    """A stale claim whose holder was just reminded (as the sweep does it)."""
    claim = ProjectFactory(title="Toy models of deception").claim(
        researcher=researcher, plan="Read, then write."
    )
    then = timezone.now() - 31 * DAY
    Claim.objects.filter(pk=claim.pk).update(
        started_at=then - DAY, last_activity_at=then, stale_reminded_at=timezone.now()
    )
    claim.refresh_from_db()
    return claim


def link(claim: Claim, action: str = LinkAction.CONFIRM) -> str:
    """The path of one of the claim's links."""
    return reverse("projects:claim-reminder-link", args=[freshness.reminder_token(claim, action)])


def state() -> list:
    """Every claim and event, to compare before and after what should change nothing."""
    return [model_to_dict(c) for c in Claim.objects.order_by("pk")] + [
        model_to_dict(e) for e in Event.objects.order_by("pk")
    ]


def test_a_get_asks_with_one_button_and_changes_nothing(client, claim):
    before = state()

    response = client.get(link(claim))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Still on “Toy models of deception”?" in html
    assert html.count("<button") == 1
    assert "I&#x27;m still on it</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="robots" content="noindex"' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert state() == before


def test_still_on_it_by_post_refreshes_the_claim_without_signing_in(client, claim):
    response = client.post(link(claim))

    assert response.status_code == 303
    assert response["Location"] == claim.project.get_absolute_url() + "#claim-panel"
    claim.refresh_from_db()
    assert claim.is_active and not claim.is_stale
    event = Event.objects.get(kind=Event.Kind.CONFIRMED)
    assert (event.actor, event.claim) == (claim.researcher, claim)
    page = client.get(response["Location"]).content.decode()
    assert "your claim stays active" in page


def test_release_by_post_releases_the_claim_and_keeps_its_plan(client, claim):
    client.get(link(claim, LinkAction.RELEASE))  # what a browser does first

    response = client.post(link(claim, LinkAction.RELEASE))

    assert response.status_code == 303
    claim.refresh_from_db()
    assert claim.state == Claim.State.RELEASED and claim.plan == "Read, then write."
    assert claim.release_reason == Claim.ReleaseReason.OTHER
    assert Event.objects.get(kind=Event.Kind.RELEASED).note == "Other: Released from a reminder"


@pytest.mark.parametrize("action", [LinkAction.CONFIRM, LinkAction.RELEASE])
def test_a_link_acts_once_then_says_it_was_used_or_the_claim_ended(client, claim, action):
    url = link(claim, action)
    client.post(url)
    after = state()

    again = client.post(url)
    shown = client.get(url)

    assert again.status_code == shown.status_code == 410
    heading = "was already used" if action == LinkAction.CONFIRM else "has already ended"
    assert heading in shown.content.decode()
    assert claim.project.get_absolute_url() in shown.content.decode()
    assert state() == after


def test_the_other_link_of_a_used_reminder_is_refused_too(client, claim):
    client.post(link(claim, LinkAction.CONFIRM))

    response = client.post(link(claim, LinkAction.RELEASE))

    assert response.status_code == 410
    assert Claim.objects.get().is_active


def test_activity_since_the_reminder_uses_its_links_up(client, claim):
    claim.project.add_comment(author=claim.researcher, body="Still here.")

    response = client.get(link(claim))

    assert response.status_code == 410
    assert "already done its work" in response.content.decode()


def test_a_link_of_an_earlier_reminder_is_refused(client, claim):
    earlier = link(claim)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() + DAY)

    assert client.post(earlier).status_code == 410
    assert not Event.objects.filter(kind=Event.Kind.CONFIRMED).exists()


def test_a_dormant_claims_link_points_to_reviving_it(client, claim):
    url = link(claim)
    Claim.objects.filter(pk=claim.pk).update(state=Claim.State.DORMANT, ended_at=timezone.now())

    response = client.get(url)

    assert response.status_code == 410
    assert "went dormant" in response.content.decode()
    assert "revive a dormant claim" in response.content.decode()


def test_an_expired_link_says_so_and_changes_nothing(client, claim):
    url = link(claim)
    before = state()
    past_lifetime = time.time() + (14 + 3) * 86400 + 60

    with mock.patch("django.core.signing.time.time", return_value=past_lifetime):
        posted = client.post(url)
        shown = client.get(url)

    assert posted.status_code == shown.status_code == 410
    assert "This link has expired" in shown.content.decode()
    assert claim.project.get_absolute_url() in shown.content.decode()
    assert state() == before


@pytest.mark.parametrize("action", list(LinkAction))
def test_a_deactivated_holders_links_act_no_more(client, claim, action):
    url = link(claim, action)
    type(claim.researcher).objects.filter(pk=claim.researcher.pk).update(is_active=False)
    before = state()

    posted = client.post(url)
    shown = client.get(url)

    assert posted.status_code == shown.status_code == 410
    assert "This account is closed" in shown.content.decode()
    assert state() == before


def test_a_link_still_works_on_the_last_day_of_the_grace_period(client, claim):
    url = link(claim)
    last_day = time.time() + 14 * 86400

    with mock.patch("django.core.signing.time.time", return_value=last_day):
        assert client.get(url).status_code == 200


def tampered(token: str) -> list[str]:
    """Tokens that are not the one we sent: each part changed, cut short, or signed for
    something else."""
    value, stamp, signature = token.rsplit(":", 2)
    flipped = "A" if signature[0] != "A" else "B"
    payload = signing.loads(token, salt=freshness.SALT)
    return [
        f"{value}:{stamp}:{flipped}{signature[1:]}",
        f"{value}:{stamp}:{signature[:-4]}",
        f"{value[:-2]}:{stamp}:{signature}",
        token[: len(token) // 2],
        signing.dumps(payload),  # right payload, no salt: a signed value meant for elsewhere
        signing.dumps({**payload, "c": payload["c"] + 1}, salt="another.salt"),
        "nothing-like-a-token",
        "%E2%80%9C",
    ]


def test_a_tampered_link_is_refused_with_a_clear_page_and_changes_nothing(client, claim):
    before = state()

    for token in tampered(freshness.reminder_token(claim, LinkAction.CONFIRM)):
        url = reverse("projects:claim-reminder-link", args=[token])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400, token
            assert "This link does not work" in response.content.decode()
            assert "Browse the projects" in response.content.decode()

    assert state() == before


def test_a_link_naming_an_unknown_action_or_claim_is_refused(client, claim):
    for payload in (
        {"c": claim.pk, "r": claim.stale_reminded_at.isoformat(), "a": "complete"},
        {"c": 10_000, "r": claim.stale_reminded_at.isoformat(), "a": "release"},
        {"c": "x", "r": None, "a": []},
        ["not", "a", "dict"],
    ):
        token = signing.dumps(payload, salt=freshness.SALT)
        response = client.post(reverse("projects:claim-reminder-link", args=[token]))
        assert response.status_code == 400
    assert Claim.objects.get().is_active


def test_the_post_needs_the_csrf_token_its_page_gives(claim):
    browser = Client(enforce_csrf_checks=True)
    url = link(claim)

    assert browser.post(url).status_code == 403
    assert Claim.objects.get().last_activity_at == claim.last_activity_at

    token = browser.get(url).cookies["csrftoken"].value
    response = browser.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Event.objects.filter(kind=Event.Kind.CONFIRMED).count() == 1


def test_the_link_acts_for_its_holder_whoever_is_signed_in(client, claim, other_researcher):
    client.force_login(other_researcher)

    client.post(link(claim))

    event = Event.objects.get(kind=Event.Kind.CONFIRMED)
    assert event.actor == claim.researcher


def test_the_reminder_links_page_answers_head_and_refuses_other_methods(client, claim):
    assert client.head(link(claim)).status_code == 200
    assert client.put(link(claim)).status_code == 405


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_confirmation_page_costs_the_same_on_a_quiet_and_a_busy_project(client):
    """Guards N+1s on the one-click page: its claim's project and holder are joined, never
    read per claim or per event of the project."""
    counts = []
    for others in (1, 20):
        claim = ClaimFactory(researcher=UserFactory())
        for _ in range(others):
            ClaimFactory(project=claim.project)
            claim.project.add_comment(author=UserFactory(), body="Anyone?")
        Claim.objects.filter(pk=claim.pk).update(
            last_activity_at=timezone.now() - 31 * DAY, stale_reminded_at=timezone.now()
        )
        claim.refresh_from_db()
        counts.append(page_queries(client, link(claim)))

    assert counts[0] == counts[1]
    assert counts[0] <= 2  # the claim with its project and holder; the session's messages
