"""Digests: once a day or once a week, one email per person with what waited for it, grouped
by project; sent once per period however often (and however many) sweeps run."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.digests import digests_send_due, period_start
from notifications.models import Delivery, Frequency, Notification, Preference
from tests.factories import OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# A Wednesday, two hours after the digests' hour (7:00).
NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LAST_NIGHT = NOW - datetime.timedelta(hours=12)


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    """The sweep runs at NOW unless a test moves it (``clock(datetime)``)."""
    settings.DIGEST_HOUR = 7
    settings.TIME_ZONE = "UTC"
    settings.SITE_URL = "https://board.example.org"

    def move(to: datetime.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: to)

    move(NOW)
    return move


@pytest.fixture
def ada():
    return UserFactory(username="ada", display_name="Ada Lovelace")


def made_at(when: datetime.datetime, notifications=None) -> None:
    """Date the notifications (all, by default) as made at ``when``."""
    (notifications or Notification.objects.all()).update(created_at=when)


def sweep() -> None:
    call_command("sweep", stdout=io.StringIO())


def digests() -> list[Delivery]:
    return list(Delivery.objects.filter(key__startswith="digest:").order_by("pk"))


# When a digest goes out


@pytest.mark.parametrize(
    ("now", "frequency", "period", "start"),
    [
        ("2026-12-02 09:00", "daily", "2026-12-02", "2026-12-02 07:00"),
        ("2026-12-02 06:59", "daily", "2026-12-01", "2026-12-01 07:00"),
        ("2026-12-02 09:00", "weekly", "2026-W49", "2026-11-30 07:00"),
        ("2026-11-30 06:00", "weekly", "2026-W48", "2026-11-23 07:00"),
        ("2026-11-30 07:00", "weekly", "2026-W49", "2026-11-30 07:00"),
    ],
)
def test_a_digest_period_starts_at_the_digest_hour_daily_or_on_mondays(
    now, frequency, period, start
):
    def at(text: str) -> datetime.datetime:
        return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)

    assert period_start(frequency, at(now)) == (period, at(start))


def test_the_daily_digest_carries_what_waited_before_its_hour_and_goes_once(ada, clock):
    project = ProjectFactory()
    project.set_watch(user=ada, watching=True)
    project.add_comment(author=UserFactory(), body="Last night.")
    made_at(LAST_NIGHT)
    project.add_comment(author=UserFactory(), body="This morning, after the digest's hour.")
    this_morning = Notification.objects.filter(event__comment__body__startswith="This morning")
    made_at(NOW - datetime.timedelta(minutes=30), this_morning)

    sweep()
    sweep()

    [digest] = digests()
    assert digest.key == f"digest:daily:{ada.pk}:2026-12-02"
    assert "Last night." in digest.body and "This morning" not in digest.body
    assert Notification.objects.waiting().count() == 1  # this morning's, for tomorrow

    clock(NOW + datetime.timedelta(days=1))
    sweep()
    assert len(digests()) == 2 and "This morning" in digests()[1].body
    assert not Notification.objects.waiting().exists()


def test_nothing_waiting_sends_no_digest(ada):
    sweep()

    assert digests() == []


def test_the_weekly_digest_goes_on_monday_with_the_weeks_news(ada, clock):
    Preference.of(ada).choose(comments=Frequency.WEEKLY)
    project = ProjectFactory()
    project.set_watch(user=ada, watching=True)
    project.add_comment(author=UserFactory(), body="On Wednesday.")
    made_at(NOW)

    clock(NOW + datetime.timedelta(days=4))  # Sunday
    sweep()
    assert digests() == []

    clock(datetime.datetime(2026, 12, 7, 7, 5, tzinfo=UTC))  # Monday, past the hour
    sweep()
    [digest] = digests()
    assert digest.key == f"digest:weekly:{ada.pk}:2026-W50"
    assert "Your weekly digest" in digest.body and "On Wednesday." in digest.body


def test_mail_chosen_at_once_or_never_is_in_no_digest(ada):
    Preference.of(ada).choose(comments=Frequency.NEVER)
    project = ProjectFactory()
    project.set_watch(user=ada, watching=True)
    parent = project.add_comment(author=ada, body="Mine.")
    project.add_comment(author=UserFactory(), body="Never mailed.")
    project.add_comment(author=UserFactory(), parent=parent, body="Mailed at once.")
    made_at(LAST_NIGHT)

    sweep()

    assert digests() == []


# What a digest says


def test_a_digest_groups_by_project_newest_first_with_links(ada):
    quiet, busy = ProjectFactory(title="A quiet project"), ProjectFactory(title="A busy project")
    for project in (quiet, busy):
        project.set_watch(user=ada, watching=True)
    alan = UserFactory(username="alan")
    busy.add_comment(author=alan, body="The oldest news.")
    quiet.add_comment(author=alan, body="The middle news.")
    claim = busy.claim(researcher=alan, plan="Go")
    for hours, notification in zip((12, 11, 10), Notification.objects.order_by("pk"), strict=True):
        made_at(
            NOW - datetime.timedelta(hours=hours), Notification.objects.filter(pk=notification.pk)
        )

    sweep()

    [digest] = digests()
    body = digest.body
    assert digest.subject == "[Research Agenda Board] Daily digest: 3 notifications on 2 projects"
    assert body.index("A busy project") < body.index("A quiet project")
    assert (
        body.index("alan claimed") < body.index("The oldest news.") < body.index("A quiet project")
    )
    assert f"https://board.example.org{busy.get_absolute_url()}\n" in body
    assert f"https://board.example.org{claim.project.get_absolute_url()}#history" in body
    assert "Stop the daily digest: https://board.example.org/notifications/unsubscribe/" in body
    assert digest.headers["List-Unsubscribe"].startswith(
        "<https://board.example.org/notifications/unsubscribe/"
    )
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "@example.org" not in body


def test_a_digest_never_tells_a_hidden_comment_or_a_rejected_outputs_title(ada):
    project = ProjectFactory()
    project.set_watch(user=ada, watching=True)
    curator = UserFactory(curator=True)
    project.add_comment(author=UserFactory(), body="Something rude.").hide(by=curator)
    output = project.link_output(
        by=UserFactory(), url="https://example.org/spam", title="Buy my course", kind="other"
    )
    output.reject(by=curator)
    made_at(LAST_NIGHT)

    sweep()

    [digest] = digests()
    assert "commented on" in digest.body and "linked an output" in digest.body
    assert "Something rude" not in digest.body and "Buy my course" not in digest.body


def test_someone_with_no_address_gets_no_digest_and_their_news_stops_waiting(ada):
    project = ProjectFactory()
    project.set_watch(user=ada, watching=True)
    project.add_comment(author=UserFactory(), body="News.")
    made_at(LAST_NIGHT)
    type(ada).objects.filter(pk=ada.pk).update(is_active=False)

    sweep()

    assert digests() == []
    assert not Notification.objects.waiting().exists()


def test_an_output_decision_for_its_linker_goes_in_their_digest_when_they_chose_one(ada):
    Preference.of(ada).choose(decisions=Frequency.DAILY)
    OutputFactory(submitted_by=ada, title="My preprint").reject(by=UserFactory(curator=True))
    made_at(LAST_NIGHT)

    sweep()

    [digest] = digests()
    assert "My preprint" in digest.body


# Cost, and two sweeps at once


def sweep_queries(people: int, notifications_each: int) -> int:
    """Queries of a sweep with ``people`` people, each with that many waiting notifications."""
    project = ProjectFactory()
    watchers = UserFactory.create_batch(people)
    for watcher in watchers:
        project.set_watch(user=watcher, watching=True)
    for _ in range(notifications_each):
        project.add_comment(author=UserFactory(), body="News.")
    made_at(LAST_NIGHT)
    Delivery.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        digests_send_due()
    assert len(digests()) == people
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    return len(queries)


def test_the_sweep_costs_the_same_for_1_or_20_notifications_a_person():
    """Guards an N+1 in the digests: a query per notification (its event, project, actor,
    comment or output), or a write per notification."""
    assert sweep_queries(2, 1) == sweep_queries(2, 20)


def test_the_sweep_costs_a_fixed_few_queries_per_person():
    """Guards the sweep's work per person: their row, locked; their notifications with all
    a digest says; the outbox's savepoint and insert; marking what was sent."""
    one, three = sweep_queries(1, 3), sweep_queries(3, 3)
    assert (three - one) / 2 == (one - 2)  # two queries find the people, daily and weekly


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_each_digest_exactly_once(settings):
    """Guards the person's lock: locking their notifications row by row instead lets two
    sweeps each take a part, so that one sends half a digest and the other half waits a
    day (this test then fails, often though not every run)."""
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    project = ProjectFactory()
    people = UserFactory.create_batch(6)
    for person in people:
        project.set_watch(user=person, watching=True)
    for n in range(25):
        project.add_comment(author=UserFactory(), body=f"News {n}.")
    made_at(LAST_NIGHT)
    mail.outbox.clear()
    start = threading.Barrier(4)

    def sweeper() -> None:
        start.wait()
        try:
            digests_send_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(d.recipient_id for d in digests()) == sorted(p.pk for p in people)
    assert len(mail.outbox) == 6  # one digest each, none twice
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("News 0." in m.body and "News 24." in m.body for m in mail.outbox)
    assert not Notification.objects.waiting().exists()
