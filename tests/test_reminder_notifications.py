"""Reminders about claims and decisions on proposals as notification topics: their emails
carry the one-click unsubscribe, "never" stops the email but neither the holder's notice
nor the grace period, and the holder alone is told in-app of reminders and dormancy.

The clock moves in the database: a claim's timestamps are set in the past, never slept on.
"""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.mail import read_unsubscribe_token, unsubscribe_url
from notifications.models import Delivery, Frequency, Notification, Preference, Reason, Topic
from notifications.sweep import sweep
from projects import services
from projects.models import Claim, Event
from tests.factories import AgendaFactory, ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
SITE = "https://board.example.org"
REMINDER_KINDS = (Event.Kind.CLAIM_REMINDED, Event.Kind.TARGET_REMINDED)


@pytest.fixture(autouse=True)
def windows(settings):
    """The defaults the tests count with, whatever the environment says."""
    settings.CLAIM_STALE_DAYS = 30
    settings.CLAIM_GRACE_DAYS = 14
    settings.TARGET_REMINDER_DAYS = 3
    settings.SITE_URL = SITE


@pytest.fixture
def run_sweep(django_capture_on_commit_callbacks):
    """One sweep, with the outbox's sends after commit run as they would be."""

    def run() -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep()

    return run


def silent_for(claim: Claim, days: float) -> Claim:
    """The claim, last heard from ``days`` ago (and started before that)."""
    then = timezone.now() - days * DAY
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=then, started_at=then - DAY)
    claim.refresh_from_db()
    return claim


def target_near(claim: Claim) -> Claim:
    """The claim, its target date three days away and not yet reminded of."""
    Claim.objects.filter(pk=claim.pk).update(
        target_date=timezone.localdate() + 3 * DAY, target_reminded_for=None
    )
    claim.refresh_from_db()
    return claim


def never_for_reminders(user) -> None:
    Preference.of(user).choose(reminders=Frequency.NEVER)


def assert_one_click_unsubscribe(message, *, user, topic: str) -> str:
    """The message carries a signed link that stops ``topic`` for ``user``, in its body and
    in its RFC 8058 headers; the link's path."""
    header = message.extra_headers["List-Unsubscribe"]
    url = re.fullmatch(rf"<({SITE}/notifications/unsubscribe/\S+/)>", header).group(1)
    assert read_unsubscribe_token(url.split("/")[-2]) == (user.pk, f"topic:{topic}")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.message()["List-Unsubscribe"] == header
    assert url in message.body and f"{SITE}/notifications/settings/" in message.body
    return url.removeprefix(SITE)


# The emails' one-click unsubscribe


@pytest.mark.parametrize("reminder", ["stale", "target"])
def test_a_claim_reminder_carries_a_one_click_unsubscribe_from_reminders(
    researcher, run_sweep, reminder
):
    claim = ProjectFactory().claim(researcher=researcher)
    silent_for(claim, 31) if reminder == "stale" else target_near(claim)

    run_sweep()

    (message,) = mail.outbox
    path = assert_one_click_unsubscribe(message, user=researcher, topic=Topic.REMINDERS)
    # A mail provider's one-click POST, with no session: reminders' email stops, the rest not.
    Client().post(path, {"List-Unsubscribe": "One-Click"})
    choices = Preference.of(type(researcher).objects.get(pk=researcher.pk)).choices()
    assert choices[Topic.REMINDERS] == Frequency.NEVER
    assert choices[Topic.PROPOSALS] == choices[Topic.REPLIES] == Frequency.AT_ONCE


def test_the_unsubscribe_page_names_what_a_reminders_link_stops(researcher):
    path = unsubscribe_url(user_id=researcher.pk, scope="topic:reminders").removeprefix(SITE)

    html = Client().get(path).content.decode()

    assert "Stop email about your claims going quiet or nearing their target date?" in html


def decide(proposer, curator, capture, *, approve: bool):
    proposal = services.project_propose(
        by=proposer, agenda=AgendaFactory(), title="A survey", description="Of X.", kind="list"
    )
    with capture(execute=True):
        if approve:
            services.proposal_approve(proposal=proposal, by=curator)
        else:
            services.proposal_reject(proposal=proposal, by=curator, reason="Covered by 3.")
    return proposal


@pytest.mark.parametrize("approve", [True, False])
def test_a_decision_on_a_proposal_carries_a_one_click_unsubscribe_from_decisions_on_proposals(
    researcher, curator, django_capture_on_commit_callbacks, approve
):
    decide(researcher, curator, django_capture_on_commit_callbacks, approve=approve)

    (message,) = mail.outbox
    path = assert_one_click_unsubscribe(message, user=researcher, topic=Topic.PROPOSALS)
    assert "Stop email about decisions on your proposals:" in message.body
    Client().post(path)
    choices = Preference.of(type(researcher).objects.get(pk=researcher.pk)).choices()
    assert (choices[Topic.PROPOSALS], choices[Topic.REMINDERS]) == ("never", "at_once")


def test_never_for_proposals_sends_no_decision_but_the_decision_stands(
    researcher, curator, django_capture_on_commit_callbacks
):
    Preference.of(researcher).choose(proposals=Frequency.NEVER)

    proposal = decide(researcher, curator, django_capture_on_commit_callbacks, approve=True)

    proposal.refresh_from_db()
    assert proposal.is_approved and proposal.project.is_open
    assert mail.outbox == [] and not Delivery.objects.exists()


# "Never": no email, the same notice and the same clock


@pytest.mark.parametrize("reminder", ["stale", "target"])
def test_never_for_reminders_sends_no_reminder_email_but_the_holder_is_told_in_app(
    researcher, run_sweep, reminder
):
    never_for_reminders(researcher)
    claim = ProjectFactory().claim(researcher=researcher)
    silent_for(claim, 31) if reminder == "stale" else target_near(claim)

    report = run_sweep()

    assert report["stale claims reminded" if reminder == "stale" else "target dates reminded of"]
    assert mail.outbox == [] and not Delivery.objects.exists()
    notice = Notification.objects.get(recipient=researcher)
    assert (notice.topic, notice.reason, notice.mail) == ("reminders", "your_claim", "never")


def test_never_for_reminders_leaves_the_grace_period_and_dormancy_as_for_everyone(
    researcher, run_sweep
):
    never_for_reminders(researcher)
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 31)

    run_sweep()
    claim.refresh_from_db()
    assert (
        claim.stale_reminded_at is not None and claim.last_activity_at < timezone.now() - 30 * DAY
    )
    assert claim.dormant_from == claim.stale_reminded_at + 14 * DAY

    Claim.objects.filter(pk=claim.pk).update(
        stale_reminded_at=claim.stale_reminded_at - 15 * DAY,
        last_activity_at=claim.last_activity_at - 15 * DAY,
    )
    assert run_sweep()["quiet claims turned dormant"] == 1

    assert Claim.objects.get().is_dormant and mail.outbox == []
    kinds = list(
        Notification.objects.filter(recipient=researcher)
        .order_by("pk")
        .values_list("event__kind", flat=True)
    )
    assert kinds == [Event.Kind.CLAIM_REMINDED, Event.Kind.WENT_DORMANT]


def test_a_reminder_is_not_activity_and_does_not_answer_itself(researcher, run_sweep):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 31)
    quiet_since = claim.last_activity_at

    run_sweep()

    claim.refresh_from_db()
    assert claim.last_activity_at == quiet_since and claim.stale_reminded_at is not None
    event = Event.objects.get(kind=Event.Kind.CLAIM_REMINDED)
    assert (event.actor, event.claim) == (None, claim)


# The holder's notices


def test_the_holder_is_told_in_app_of_the_stale_reminder_with_still_on_it_at_hand(
    client, researcher, run_sweep
):
    project = ProjectFactory(title="Toy models")
    claim = silent_for(project.claim(researcher=researcher), 31)

    run_sweep()

    notice = Notification.objects.get()
    assert (notice.recipient, notice.topic, notice.reason) == (
        researcher,
        Topic.REMINDERS,
        Reason.YOUR_CLAIM,
    )
    assert notice.event.claim == claim
    assert notice.get_absolute_url() == f"{project.get_absolute_url()}#claim-panel"
    # One email for one reminder: the reminder itself, not a notification's "at once" too.
    assert list(Delivery.objects.values_list("key", flat=True)) == [
        f"claim-stale:{claim.pk}:{Claim.objects.get().stale_reminded_at:%Y%m%dT%H%M%S.%f}"
    ]
    client.force_login(researcher)
    html = client.get("/notifications/").content.decode()
    assert re.search(
        r'Your claim on <a [^>]*href="[^"]+#claim-panel">Toy models</a> has gone', html
    )
    assert "Still on it? Say so with “Still on it” on the project's page" in html
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="claim-panel"' in page and "Still on it</button>" in page


def test_the_holder_is_told_in_app_of_the_target_date_reminder(client, researcher, run_sweep):
    project = ProjectFactory(title="Toy models")
    claim = target_near(project.claim(researcher=researcher))

    run_sweep()

    notice = Notification.objects.get()
    assert (notice.recipient, notice.topic, notice.event.kind) == (
        researcher,
        Topic.REMINDERS,
        Event.Kind.TARGET_REMINDED,
    )
    assert notice.mail == Frequency.NEVER and Delivery.objects.count() == 1
    client.force_login(researcher)
    html = client.get("/notifications/").content.decode()
    assert "The target date of your claim on" in html
    day = claim.target_date
    assert f"Your target date: {day.day} {day:%B %Y}" in html


def test_the_holder_is_told_in_app_that_their_claim_went_dormant_and_can_revive_it(
    client, researcher, run_sweep
):
    project = ProjectFactory(title="Toy models")
    claim = silent_for(project.claim(researcher=researcher), 50)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 15 * DAY)

    assert run_sweep()["quiet claims turned dormant"] == 1

    notice = Notification.objects.get(recipient=researcher)
    assert (notice.topic, notice.event.kind, notice.mail) == ("reminders", "went_dormant", "never")
    assert mail.outbox == []
    client.force_login(researcher)
    html = client.get("/notifications/").content.decode()
    assert "went dormant after a quiet spell" in html and "“Revive my claim”" in html
    assert "Revive my claim</button>" in client.get(notice.get_absolute_url()).content.decode()


def test_a_holder_without_an_address_is_still_told_in_app(run_sweep):
    holder = UserFactory(email="")
    silent_for(ProjectFactory().claim(researcher=holder), 31)

    run_sweep()

    assert mail.outbox == []
    assert Notification.objects.get().recipient == holder


def test_nobody_but_the_holder_hears_of_reminders(researcher, other_researcher, run_sweep):
    project = ProjectFactory(claim_limit=3)
    claim = silent_for(project.claim(researcher=researcher), 31)
    target_near(claim)
    ClaimFactory(project=project, researcher=other_researcher)  # a fresh fellow holder
    watcher, fan = UserFactory(), UserFactory()
    project.set_watch(user=watcher, watching=True)
    project.set_interest(researcher=fan, interested=True)
    Notification.objects.all().delete()

    run_sweep()

    told = Notification.objects.filter(event__kind__in=REMINDER_KINDS)
    assert Event.objects.filter(kind__in=REMINDER_KINDS).count() == 2
    assert set(told.values_list("recipient", flat=True)) == {researcher.pk}
    assert [m.to for m in mail.outbox] == [[researcher.email]] * 2


# Private: never in history, feeds or activity


def test_reminders_never_show_in_public_history_feeds_or_activity(client, researcher, run_sweep):
    project = ProjectFactory(title="Toy models")
    target_near(silent_for(project.claim(researcher=researcher), 31))

    run_sweep()

    reminders = Event.objects.filter(kind__in=REMINDER_KINDS)
    assert reminders.count() == 2
    assert set(REMINDER_KINDS) <= set(Event.PRIVATE_KINDS)
    assert set(REMINDER_KINDS) <= Event.UNINDEXED_KINDS
    assert not Event.objects.public().filter(kind__in=REMINDER_KINDS).exists()
    assert not Event.objects.for_feed().filter(kind__in=REMINDER_KINDS).exists()
    pages = [
        project.get_absolute_url(),
        "/activity/",
        "/feeds/",
        f"/feeds/projects/{project.slug}/",
    ]
    for page in pages:
        html = client.get(page).content.decode()
        assert "remind" not in html.lower(), page
        assert "Your target date" not in html, page


# The settings


def test_the_settings_offer_reminders_and_proposals_at_once_or_never_and_say_what_never_means(
    client, researcher
):
    client.force_login(researcher)
    html = client.get("/notifications/settings/").content.decode()

    reminders = re.search(r'<select name="reminders".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w+)"', reminders) == ["at_once", "never"]
    assert "Reminders about your claims" in html and "Decisions on your proposals" in html
    assert "“Never” stops only the email: your notifications still remind you" in html
    assert "a quiet claim still turns dormant after its grace period" in html


def test_a_digest_for_reminders_is_refused_at_its_field(client, researcher):
    client.force_login(researcher)
    choices = dict.fromkeys(Topic.values, "never")

    response = client.post("/notifications/settings/", {**choices, "reminders": "daily"})

    assert response.status_code == 400
    assert "Choose one of the two: at once or never." in response.content.decode()
    assert not Preference.objects.filter(user=researcher).exists()
