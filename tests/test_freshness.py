"""Claims that stay true: the window, reminders once per silence, dormancy after the grace
period, revival, target dates; the sweep that applies them, and what it costs.

The clock moves in the database: a claim's timestamps are set in the past, never slept on.
"""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as format_date

from notifications.models import Delivery
from notifications.sweep import sweep
from projects import freshness
from projects.models import Claim, Event, Project
from tests.factories import ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def windows(settings):
    """The defaults the tests count with, whatever the environment says."""
    settings.CLAIM_STALE_DAYS = 30
    settings.CLAIM_GRACE_DAYS = 14
    settings.TARGET_REMINDER_DAYS = 3
    settings.SITE_URL = "https://board.example.org"


def silent_for(claim: Claim, days: float) -> Claim:
    """The claim, last heard from ``days`` ago (and started before that)."""
    then = timezone.now() - days * DAY
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=then, started_at=then - DAY)
    claim.refresh_from_db()
    return claim


def rewind(claim: Claim, days: float) -> Claim:
    """Move the claim's whole story ``days`` into the past, as if that much time passed."""
    fields = ("started_at", "last_activity_at", "stale_reminded_at")
    Claim.objects.filter(pk=claim.pk).update(
        **{f: getattr(claim, f) - days * DAY for f in fields if getattr(claim, f)}
    )
    claim.refresh_from_db()
    return claim


def run_sweep(capture) -> dict:
    """One sweep, with the outbox's sends after commit run as they would be."""
    with capture(execute=True):
        return sweep()


# The window


def test_a_claim_heard_from_within_its_window_is_fresh(researcher):
    claim = silent_for(ClaimFactory(researcher=researcher), 29)

    assert not claim.is_stale and claim.stale_since is None
    assert list(Claim.objects.fresh()) == [claim] and not Claim.objects.stale().exists()
    assert Project.objects.with_standing().get().standing == Project.Standing.IN_PROGRESS


def test_a_claim_silent_past_the_boards_window_is_stale_since_its_window_ran_out(researcher):
    claim = silent_for(ClaimFactory(researcher=researcher), 31)

    assert claim.is_stale
    assert claim.stale_since == claim.last_activity_at + 30 * DAY
    assert list(Claim.objects.stale()) == [claim] and not Claim.objects.fresh().exists()
    assert Project.objects.with_standing().get().standing == Project.Standing.STALE


def test_a_curators_window_for_the_project_decides_when_its_claims_go_stale(curator):
    short, default = ProjectFactory(), ProjectFactory()
    assert short.set_claim_window(days=10, by=curator)
    quiet_here = silent_for(ClaimFactory(project=short), 11)
    fresh_here = silent_for(ClaimFactory(project=short), 9)
    fresh_there = silent_for(ClaimFactory(project=default), 11)

    assert set(Claim.objects.stale()) == {quiet_here}
    assert set(Claim.objects.fresh()) == {fresh_here, fresh_there}
    assert Claim.objects.get(pk=quiet_here.pk).is_stale
    assert not Claim.objects.get(pk=fresh_here.pk).is_stale
    assert short.claim_window == 10 * DAY and default.claim_window == 30 * DAY
    window_set = short.events.get()
    assert (window_set.kind, window_set.actor, window_set.note) == (
        Event.Kind.CLAIM_WINDOW_SET,
        curator,
        "10 days",
    )


def test_only_the_stale_claims_of_a_project_leave_it_in_progress_or_stale():
    project = ProjectFactory(claim_window_days=10)
    silent_for(ClaimFactory(project=project), 12)

    assert Project.objects.with_standing().get().standing == Project.Standing.STALE
    silent_for(ClaimFactory(project=project), 2)
    assert Project.objects.with_standing().get().standing == Project.Standing.IN_PROGRESS


@pytest.mark.parametrize("days", [0, -3, 366, 10_000])
def test_a_claim_window_outside_a_day_to_a_year_is_refused(curator, days):
    project = ProjectFactory()

    with pytest.raises(ValidationError) as error:
        project.set_claim_window(days=days, by=curator)

    assert error.value.code == "window"
    assert Project.objects.get().claim_window_days is None and not project.events.exists()


def test_clearing_the_window_goes_back_to_the_boards_and_unchanged_records_nothing(curator):
    project = ProjectFactory(claim_window_days=60)

    assert not project.set_claim_window(days=60, by=curator)
    assert project.set_claim_window(days=None, by=curator)

    assert Project.objects.get().claim_window_days is None
    assert project.events.get().note == "the board's default (30 days)"


# Freshness: what counts as activity


def _check_in(claim, researcher):
    claim.check_in(note="Section 2 drafted.")


def _comment(claim, researcher):
    claim.project.add_comment(author=researcher, body="A question on scope.")


def _output(claim, researcher):
    claim.project.link_output(
        by=researcher, url="https://example.org/draft", title="Draft", kind="blog_post"
    )


def _still_on_it(claim, researcher):
    claim.confirm()


@pytest.mark.parametrize("act", [_check_in, _comment, _output, _still_on_it])
def test_any_activity_of_the_holder_on_the_project_makes_a_stale_claim_fresh(researcher, act):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 40)
    assert claim.is_stale

    act(claim, researcher)

    claim.refresh_from_db()
    assert not claim.is_stale
    assert timezone.now() - claim.last_activity_at < DAY


def test_someone_elses_activity_leaves_a_claim_as_quiet_as_it_was(researcher, other_researcher):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 40)

    claim.project.add_comment(author=other_researcher, body="Is anyone on this?")

    claim.refresh_from_db()
    assert claim.is_stale


def test_still_on_it_is_in_the_public_history_and_refused_on_an_ended_claim(researcher):
    claim = ProjectFactory().claim(researcher=researcher)

    claim.confirm()
    claim.release(reason=Claim.ReleaseReason.GAVE_UP)

    event = Event.objects.public().get(kind=Event.Kind.CONFIRMED)
    assert (event.actor, event.claim, event.get_kind_display()) == (
        researcher,
        claim,
        "said they are still on it",
    )
    with pytest.raises(ValidationError) as error:
        claim.confirm()
    assert error.value.code == "not_active"


# Reminders of a silence


def test_a_stale_claims_holder_is_reminded_once_per_silence(
    researcher, django_capture_on_commit_callbacks
):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 31)

    assert run_sweep(django_capture_on_commit_callbacks)["stale claims reminded"] == 1
    assert run_sweep(django_capture_on_commit_callbacks)["stale claims reminded"] == 0
    assert len(mail.outbox) == 1

    claim.project.add_comment(author=researcher, body="Back at it.")  # fresh again...
    assert run_sweep(django_capture_on_commit_callbacks)["stale claims reminded"] == 0
    claim.refresh_from_db()
    rewind(claim, 31)  # ...then a new silence earns a new reminder
    assert run_sweep(django_capture_on_commit_callbacks)["stale claims reminded"] == 1

    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 2
    assert mail.outbox[0].to == [researcher.email]


def test_a_fresh_claim_is_not_reminded(researcher, django_capture_on_commit_callbacks):
    silent_for(ProjectFactory().claim(researcher=researcher), 29)

    run_sweep(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and Claim.objects.get().stale_reminded_at is None


def test_the_reminder_is_plain_text_with_absolute_one_click_links(
    researcher, django_capture_on_commit_callbacks
):
    project = ProjectFactory(title="Toy models of <b>deception</b>")
    claim = silent_for(project.claim(researcher=researcher), 31)

    run_sweep(django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    claim.refresh_from_db()
    assert message.subject.endswith("Still on “Toy models of <b>deception</b>”?")
    assert message.alternatives == [] and "Toy models of <b>deception</b>" in message.body
    links = [line for line in message.body.splitlines() if "://" in line]
    # The tokens carry the second they were signed: compare what they say, not their text.
    prefix = freshness.reminder_link(claim, freshness.LinkAction.CONFIRM).rsplit("/", 2)[0]
    for link, action in zip(links, freshness.LinkAction, strict=False):
        assert link.startswith(prefix + "/")
        said = freshness.read_reminder_link(link.rstrip("/").rsplit("/", 1)[1])
        assert (said.claim.pk, said.action) == (claim.pk, action)
    assert links[2] == f"https://board.example.org{project.get_absolute_url()}#claim-panel"
    dormant_from = claim.stale_reminded_at + 14 * DAY
    assert f"by {format_date(dormant_from, 'j F Y')}, your claim turns dormant" in message.body


def test_a_holder_without_an_address_is_sent_nothing_but_the_grace_period_runs(
    django_capture_on_commit_callbacks,
):
    holder = UserFactory(email="")
    claim = silent_for(ProjectFactory().claim(researcher=holder), 31)

    run_sweep(django_capture_on_commit_callbacks)

    claim.refresh_from_db()
    assert mail.outbox == [] and claim.stale_reminded_at is not None


# Dormancy


def reminded(claim: Claim, capture) -> Claim:
    """The claim after the sweep reminded its holder."""
    run_sweep(capture)
    claim.refresh_from_db()
    assert claim.stale_reminded_at
    return claim


def test_a_reminded_claim_turns_dormant_after_the_grace_period(
    researcher, django_capture_on_commit_callbacks
):
    project = ProjectFactory(claim_limit=1)
    claim = reminded(
        silent_for(project.claim(researcher=researcher), 31), django_capture_on_commit_callbacks
    )

    rewind(claim, 13.9)
    assert run_sweep(django_capture_on_commit_callbacks)["quiet claims turned dormant"] == 0
    rewind(claim, 0.2)
    assert run_sweep(django_capture_on_commit_callbacks)["quiet claims turned dormant"] == 1

    claim.refresh_from_db()
    assert claim.state == Claim.State.DORMANT and claim.ended_at
    event = project.events.get(kind=Event.Kind.WENT_DORMANT)
    assert (event.actor, event.claim) == (researcher, claim)
    assert event in Event.objects.public()
    assert event.get_kind_display() == "went quiet; the claim is dormant"
    # No longer counted as active, nor toward the project's limit of one.
    standing = Project.objects.with_standing().get()
    assert (standing.active_count, standing.standing) == (0, Project.Standing.UNCLAIMED)
    project.claim(researcher=UserFactory())
    assert run_sweep(django_capture_on_commit_callbacks)["quiet claims turned dormant"] == 0


def test_activity_in_the_grace_period_keeps_the_claim(
    researcher, django_capture_on_commit_callbacks
):
    claim = reminded(
        silent_for(ProjectFactory().claim(researcher=researcher), 31),
        django_capture_on_commit_callbacks,
    )
    rewind(claim, 10)
    claim.check_in(note="Still here, slowly.")
    claim.refresh_from_db()
    rewind(claim, 5)  # the reminder is past its grace period, but it was answered

    assert run_sweep(django_capture_on_commit_callbacks)["quiet claims turned dormant"] == 0
    assert Claim.objects.get().is_active


def test_a_claim_is_never_dormant_without_a_reminder_first(researcher):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 400)

    with pytest.raises(ValidationError) as error:
        claim.go_dormant()

    assert error.value.code == "not_due" and Claim.objects.get().is_active


def test_a_window_widened_after_the_reminder_keeps_the_claim(
    researcher, curator, django_capture_on_commit_callbacks
):
    claim = reminded(
        silent_for(ProjectFactory().claim(researcher=researcher), 31),
        django_capture_on_commit_callbacks,
    )
    rewind(claim, 15)
    claim.project.set_claim_window(days=90, by=curator)

    assert run_sweep(django_capture_on_commit_callbacks)["quiet claims turned dormant"] == 0
    with pytest.raises(ValidationError) as error:
        claim.go_dormant()
    assert error.value.code == "not_due"


def dormant_claim(researcher, project=None) -> Claim:
    """A claim of ``researcher`` that went dormant the way the sweep makes one."""
    claim = (project or ProjectFactory()).claim(researcher=researcher, plan="Read, then write.")
    claim = silent_for(claim, 50)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 15 * DAY)
    claim.refresh_from_db()
    return claim.go_dormant()


# Revival


def test_the_holder_revives_a_dormant_claim_with_its_plan(researcher):
    claim = dormant_claim(researcher)

    revived = claim.revive(by=researcher)

    assert revived.is_active and revived.ended_at is None and not revived.is_stale
    assert revived.plan == "Read, then write."
    event = Event.objects.get(kind=Event.Kind.REVIVED)
    assert (event.actor, event.claim, event.project) == (researcher, claim, claim.project)
    assert Project.objects.with_standing().get().standing == Project.Standing.IN_PROGRESS


def test_a_revived_claim_that_goes_quiet_again_is_reminded_again(
    researcher, django_capture_on_commit_callbacks
):
    claim = dormant_claim(researcher).revive(by=researcher)
    rewind(claim, 31)

    assert run_sweep(django_capture_on_commit_callbacks)["stale claims reminded"] == 1


def _fill(project, researcher, other):
    project.set_claim_limit(limit=1, by=other)
    project.claim(researcher=other)


def _close(project, researcher, other):
    project.retire(by=UserFactory(curator=True), reason="Superseded.")


def _hold_another(project, researcher, other):
    project.claim(researcher=researcher)


def _hold_too_many(project, researcher, other):
    for _ in range(5):
        ProjectFactory().claim(researcher=researcher)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_fill, "full"),
        (_close, "not_open"),
        (_hold_another, "already_claimed"),
        (_hold_too_many, "personal_cap"),
    ],
)
def test_revival_is_refused_without_room_for_the_holder(researcher, other_researcher, change, code):
    claim = dormant_claim(researcher)
    change(claim.project, researcher, other_researcher)

    with pytest.raises(ValidationError) as error:
        claim.revive(by=researcher)

    assert error.value.code == code
    assert Claim.objects.get(pk=claim.pk).is_dormant
    assert not Event.objects.filter(kind=Event.Kind.REVIVED).exists()


def test_only_the_holder_revives_and_only_a_dormant_claim(researcher, other_researcher):
    claim = dormant_claim(researcher)
    active = ProjectFactory().claim(researcher=researcher)

    with pytest.raises(ValidationError) as someone_else:
        claim.revive(by=other_researcher)
    with pytest.raises(ValidationError) as not_dormant:
        active.revive(by=researcher)

    assert (someone_else.value.code, not_dormant.value.code) == ("not_yours", "not_dormant")


# Target dates


def test_a_holder_is_reminded_once_a_few_days_before_the_target_date(
    researcher, django_capture_on_commit_callbacks
):
    claim = ProjectFactory().claim(
        researcher=researcher, target_date=timezone.localdate() + 10 * DAY
    )
    Claim.objects.filter(pk=claim.pk).update(target_date=timezone.localdate() + 3 * DAY)

    assert run_sweep(django_capture_on_commit_callbacks)["target dates reminded of"] == 1
    assert run_sweep(django_capture_on_commit_callbacks)["target dates reminded of"] == 0

    (message,) = mail.outbox
    assert "target date" in message.subject and "3 days from now" in message.body
    assert f"https://board.example.org{claim.project.get_absolute_url()}" in message.body


def test_a_moved_target_date_earns_a_new_reminder(researcher, django_capture_on_commit_callbacks):
    claim = ProjectFactory().claim(researcher=researcher, target_date=timezone.localdate() + DAY)
    assert claim.target_reminded_for == claim.target_date  # chosen this close: no reminder
    run_sweep(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    claim.check_in(note="Need more time.", target_date=timezone.localdate() + 20 * DAY)
    Claim.objects.filter(pk=claim.pk).update(target_date=timezone.localdate() + 2 * DAY)
    run_sweep(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert Claim.objects.get().target_reminded_for == timezone.localdate() + 2 * DAY


def test_a_target_date_already_past_is_not_mailed_about_but_the_claim_is_overdue(
    researcher, django_capture_on_commit_callbacks
):
    claim = ProjectFactory().claim(researcher=researcher, target_date=timezone.localdate() + DAY)
    Claim.objects.filter(pk=claim.pk).update(
        target_date=timezone.localdate() - DAY, target_reminded_for=None
    )
    claim.refresh_from_db()

    run_sweep(django_capture_on_commit_callbacks)

    assert mail.outbox == [] and claim.is_overdue
    claim = claim.release(reason=Claim.ReleaseReason.GAVE_UP)
    assert not claim.is_overdue  # only an active claim is overdue


def test_a_check_in_moves_or_clears_the_target_date_and_says_so(researcher):
    claim = ProjectFactory().claim(researcher=researcher, target_date=timezone.localdate() + DAY)
    later = timezone.localdate() + 30 * DAY

    claim = claim.check_in(note="Slower than hoped.", target_date=later)
    assert claim.target_date == later and claim.target_reminded_for is None
    claim = claim.check_in(note="Open-ended now.", target_date=None)
    assert claim.target_date is None
    claim = claim.check_in(note="Just a note.")
    assert claim.target_date is None

    notes = list(Event.objects.filter(kind=Event.Kind.CHECKED_IN).values_list("note", flat=True))
    assert notes == [
        "Just a note.",
        "Open-ended now. (Target date cleared.)",
        f"Slower than hoped. (Target date moved to {later.day} {later:%b %Y}.)",
    ]


def test_a_check_in_refuses_to_move_the_target_date_into_the_past(researcher):
    claim = ProjectFactory().claim(researcher=researcher)

    with pytest.raises(ValidationError) as error:
        claim.check_in(note="Oops", target_date=timezone.localdate() - DAY)

    assert error.value.code == "past_date" and Claim.objects.get().target_date is None


# The sweep: what it costs, and the command


def sweep_queries(capture) -> int:
    with CaptureQueriesContext(connection) as queries:
        run_sweep(capture)
    return len(queries)


def test_the_sweep_query_count_does_not_grow_with_claims_that_need_nothing(
    django_capture_on_commit_callbacks,
):
    """Guards a per-claim query in any step: fresh claims, claims already reminded within
    their grace period, and claims whose target date is far cost nothing each."""

    def add_claims(n: int) -> None:
        for _ in range(n):
            silent_for(ClaimFactory(target_date=timezone.localdate() + 30 * DAY), 3)
            quiet = silent_for(ClaimFactory(), 35)
            Claim.objects.filter(pk=quiet.pk).update(stale_reminded_at=timezone.now())

    add_claims(1)
    one = sweep_queries(django_capture_on_commit_callbacks)
    add_claims(9)
    ten = sweep_queries(django_capture_on_commit_callbacks)

    assert one == ten


def test_the_sweep_costs_a_bounded_number_of_queries_per_claim_it_acts_on(
    django_capture_on_commit_callbacks,
):
    """Guards per-claim reads beyond the writes a reminder and a dormancy must make.

    A reminder: mark the claim, queue its email in a savepoint (4), and record its private
    event, which tells the holder: the event, whom it concerns, their notification (3); the
    email: sent by the sweep's outbox pass, then looked up by its after-commit task, which
    finds it sent (7); a dormancy: re-read under the lock, end the claim, record the event
    (with the event's activity update, the one query that finds whom it concerns, and the
    insert of the holder's notification), in a savepoint (8). The holder's preferences come
    joined to the claim, so whether to email costs nothing."""

    def quiet_claims(n: int) -> list[Claim]:
        return [silent_for(ClaimFactory(), 31) for _ in range(n)]

    def dormant_due(n: int) -> None:
        """Silent 50 days (stale for 20), reminded 15 days ago: past the grace period."""
        for claim in [silent_for(ClaimFactory(), 50) for _ in range(n)]:
            Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 15 * DAY)

    quiet_claims(1)
    dormant_due(1)
    one = sweep_queries(django_capture_on_commit_callbacks)
    quiet_claims(10)
    dormant_due(10)
    ten = sweep_queries(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 11 and Claim.objects.dormant().count() == 11
    per_claim = (ten - one) / 9
    # 18 before reminders and dormancy told the holder in their notifications: the
    # reminder's event, the query for whom it concerns and the notification's insert (3),
    # and the dormant holder's notification (1).
    assert per_claim <= 22, f"{per_claim} queries per reminded and dormant claim"


def test_the_sweep_command_reports_what_each_step_did(researcher):
    silent_for(ProjectFactory().claim(researcher=researcher), 31)
    out = io.StringIO()

    call_command("sweep", stdout=out)

    assert "1 stale claims reminded" in out.getvalue()
    assert "0 quiet claims turned dormant" in out.getvalue()


def race(*steps) -> None:
    """Run the steps at the same moment, each in its own thread and database connection."""
    start = threading.Barrier(len(steps))

    def run(step) -> None:
        start.wait()
        try:
            step()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_remind_each_claim_once_and_end_each_once(settings):
    """Two whole sweeps racing on PostgreSQL: every reminder queued and sent once, every
    dormant claim ended once (one event each)."""
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    quiet = [silent_for(ClaimFactory(), 31) for _ in range(8)]
    due = [silent_for(ClaimFactory(), 50) for _ in range(8)]
    Claim.objects.filter(pk__in=[c.pk for c in due]).update(
        stale_reminded_at=timezone.now() - 15 * DAY
    )

    race(sweep, sweep)

    assert len(mail.outbox) == len(quiet)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.researcher.email for c in quiet)
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == len(quiet)
    assert Claim.objects.dormant().count() == len(due)
    assert Event.objects.filter(kind=Event.Kind.WENT_DORMANT).count() == len(due)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_step_of_two_sweeps_at_the_same_moment_acts_on_each_claim_once():
    """Each step racing itself on PostgreSQL, claim for claim: one reminder marked and
    queued per claim, one target date reminder, one dormancy and its one event."""
    quiet = [silent_for(ClaimFactory(), 31) for _ in range(40)]
    dated = [
        ClaimFactory(target_date=timezone.localdate() + 2 * DAY, started_at=timezone.now() - DAY)
        for _ in range(40)
    ]
    due = [silent_for(ClaimFactory(), 50) for _ in range(40)]
    Claim.objects.filter(pk__in=[c.pk for c in due]).update(
        stale_reminded_at=timezone.now() - 15 * DAY
    )

    race(freshness.remind_stale_claims, freshness.remind_stale_claims)
    race(freshness.remind_target_dates, freshness.remind_target_dates)
    race(freshness.make_quiet_claims_dormant, freshness.make_quiet_claims_dormant)

    keys = list(Delivery.objects.values_list("key", flat=True))
    assert len(keys) == len(quiet) + len(dated) == len(set(keys))
    assert Event.objects.filter(kind=Event.Kind.WENT_DORMANT).count() == len(due)
    assert Claim.objects.dormant().count() == len(due)


def test_the_new_events_read_as_sentences_in_feeds_and_on_the_activity_page(client, researcher):
    project = ProjectFactory(title="Toy models")
    claim = dormant_claim(researcher, project)
    claim.revive(by=researcher).confirm()
    project.set_claim_window(days=45, by=UserFactory(username="grace", curator=True))

    headlines = [event.headline for event in Event.objects.for_feed()]
    activity = client.get("/activity/").content.decode()

    assert headlines[:4] == [
        "grace set how long a claim may stay silent on “Toy models”",
        "ada said they are still on “Toy models”",
        "ada revived their claim on “Toy models”",
        "ada went quiet on “Toy models” (the claim is dormant)",
    ]
    assert "went quiet on" in activity and "(the claim is dormant)" in activity


def test_a_wider_window_after_a_reminder_earns_a_new_reminder_before_any_dormancy(
    django_capture_on_commit_callbacks, curator
):
    """Reminded on day 31 of a 30-day window; a curator widens it to 60 days on day 35; on
    day 61 the claim is stale again and must be reminded again, not turned dormant."""
    claim = silent_for(ClaimFactory(), 61)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 30 * DAY)
    claim.project.set_claim_window(days=60, by=curator)
    mail.outbox.clear()

    run_sweep(django_capture_on_commit_callbacks)

    claim.refresh_from_db()
    assert claim.is_active
    assert [m.to for m in mail.outbox] == [[claim.researcher.email]]


def test_a_reminder_from_before_this_silence_turned_stale_does_not_count(
    django_capture_on_commit_callbacks,
):
    """Whatever left a reminder stamped just after the holder's last activity (a sweep
    racing their comment, clocks a little apart), the silence that follows is reminded
    of before the claim can turn dormant."""
    claim = silent_for(ClaimFactory(), 31)
    Claim.objects.filter(pk=claim.pk).update(
        stale_reminded_at=claim.last_activity_at + datetime.timedelta(milliseconds=1)
    )
    mail.outbox.clear()

    run_sweep(django_capture_on_commit_callbacks)

    claim.refresh_from_db()
    assert claim.is_active and len(mail.outbox) == 1


def test_activity_answers_the_reminder(researcher):
    claim = silent_for(ClaimFactory(researcher=researcher), 31)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now())

    claim.project.add_comment(author=researcher, body="Still here.")

    claim.refresh_from_db()
    assert claim.stale_reminded_at is None and not claim.is_stale
