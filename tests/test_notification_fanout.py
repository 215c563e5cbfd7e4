"""Who hears of what: each kind of event told to each way of following a project, never to
whoever did it, never about what is private; in the change's transaction, at a fixed cost."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Delivery, Frequency, Notification, Preference, Reason, Topic
from projects.models import Claim, Event, Output, Project
from projects.services import project_merge
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@dataclass
class Board:
    """A project with one person for each way of following it, an actor who watches it too,
    a stranger and a curator."""

    project: Project
    watcher: User
    holder: User
    fan: User
    actor: User
    stranger: User
    curator: User

    @classmethod
    def make(cls, **project) -> "Board":
        board = cls(
            project=ProjectFactory(**project),
            **{
                name: UserFactory(username=name)
                for name in ("watcher", "holder", "fan", "actor", "stranger")
            },
            curator=UserFactory(username="curator", curator=True),
        )
        board.project.set_watch(user=board.watcher, watching=True)
        board.project.set_watch(user=board.actor, watching=True)
        board.project.set_interest(researcher=board.fan, interested=True)
        ClaimFactory(project=board.project, researcher=board.holder)
        return board

    def actor_claim(self) -> Claim:
        return ClaimFactory(project=self.project, researcher=self.actor)


@pytest.fixture
def board() -> Board:
    return Board.make()


def told(event_kind: str | None = None) -> dict[str, tuple[str, str]]:
    """Who was told of the latest event (of ``event_kind``): username -> (topic, reason)."""
    events = Event.objects.filter(kind=event_kind) if event_kind else Event.objects.all()
    event = events.order_by("-pk").first()
    return {
        n.recipient.username: (n.topic, n.reason)
        for n in Notification.objects.filter(event=event).select_related("recipient")
    }


def followers_told(topic: str, *, by_curator: bool = False) -> dict[str, tuple[str, str]]:
    """What the followers hear; the actor, who watches too, hears when a curator acted."""
    told = {
        "watcher": (topic, Reason.WATCHING),
        "holder": (topic, Reason.CLAIM),
        "fan": (topic, Reason.INTEREST),
    }
    return {**told, "actor": (topic, Reason.WATCHING)} if by_curator else told


# What each action does, and the topic its followers hear of it under.
FOLLOWED_ACTIONS = {
    "claim": (lambda b: b.project.claim(researcher=b.actor, plan="Go"), Topic.CLAIMS),
    "check in": (lambda b: b.actor_claim().check_in(note="Halfway there"), Topic.CLAIMS),
    "complete": (lambda b: b.actor_claim().complete(), Topic.CLAIMS),
    "release": (lambda b: b.actor_claim().release(reason="gave_up"), Topic.CLAIMS),
    "comment": (lambda b: b.project.add_comment(author=b.actor, body="Scope?"), Topic.COMMENTS),
    "link output": (
        lambda b: b.project.link_output(
            by=b.actor, url="https://example.org/p", title="A paper", kind=Output.Kind.PAPER
        ),
        Topic.OUTPUTS,
    ),
}


@pytest.mark.parametrize("action", FOLLOWED_ACTIONS)
def test_followers_hear_of_what_others_do_on_their_project_and_the_actor_does_not(board, action):
    do, topic = FOLLOWED_ACTIONS[action]

    do(board)

    assert told() == followers_told(topic)


def test_a_reply_tells_its_parents_author_even_if_they_do_not_follow_the_project(board):
    parent = board.project.add_comment(author=board.stranger, body="What counts as done?")

    board.project.add_comment(author=board.actor, parent=parent, body="A toy model.")

    assert told(Event.Kind.REPLIED) == {
        **followers_told(Topic.COMMENTS),
        "stranger": (Topic.REPLIES, Reason.REPLY),
    }


def test_a_reply_to_a_follower_is_told_as_a_reply_not_as_a_comment(board):
    parent = board.project.add_comment(author=board.watcher, body="What counts as done?")

    board.project.add_comment(author=board.actor, parent=parent, body="A toy model.")

    assert told(Event.Kind.REPLIED)["watcher"] == (Topic.REPLIES, Reason.REPLY)


def test_replying_to_yourself_tells_you_nothing(board):
    parent = board.project.add_comment(author=board.actor, body="A question.")

    board.project.add_comment(author=board.actor, parent=parent, body="My own answer.")

    assert "actor" not in told(Event.Kind.REPLIED)


def test_an_accepted_output_tells_its_linker_and_the_followers(board):
    output = OutputFactory(project=board.project, submitted_by=board.stranger)

    output.accept(by=board.curator)

    assert told() == {
        **followers_told(Topic.OUTPUTS, by_curator=True),
        "stranger": (Topic.DECISIONS, Reason.YOUR_OUTPUT),
    }


def test_a_rejected_output_tells_its_linker_alone(board):
    output = OutputFactory(project=board.project, submitted_by=board.watcher)

    output.reject(by=board.curator)

    assert told() == {"watcher": (Topic.DECISIONS, Reason.YOUR_OUTPUT)}


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.project.retire(by=b.curator, reason="Answered elsewhere."),
        lambda b: b.project.mark_addressed(
            by=b.curator,
            reason="Done.",
            outputs=[OutputFactory(project=b.project, accepted=True)],
        ),
    ],
    ids=["retired", "addressed"],
)
def test_a_status_change_tells_the_followers(board, change):
    change(board)

    assert told(Event.Kind.STATUS_CHANGED) == followers_told(Topic.STATUS, by_curator=True)


def test_a_merge_tells_the_followers_of_both_projects_on_the_kept_one(board):
    duplicate = ProjectFactory()
    duplicate.set_watch(user=board.stranger, watching=True)

    project_merge(duplicate=duplicate, kept=board.project, by=board.curator, reason="Same idea")

    kept = Event.objects.filter(kind=Event.Kind.MERGED, project=board.project).get()
    assert set(kept.notifications.values_list("recipient__username", flat=True)) == {
        "watcher",
        "holder",
        "fan",
        "actor",
        "stranger",
    }


def test_a_curator_who_watches_hears_of_others_but_not_of_their_own_action(board):
    board.project.set_watch(user=board.curator, watching=True)
    board.project.add_comment(author=board.stranger, body="A question.")
    assert "curator" in told(Event.Kind.COMMENTED)

    board.project.retire(by=board.curator, reason="Done elsewhere.")
    assert "curator" not in told(Event.Kind.STATUS_CHANGED)


def test_someone_who_watches_and_wants_it_done_hears_once_as_someone_who_wants_it(board):
    board.project.set_interest(researcher=board.watcher, interested=True)

    board.project.add_comment(author=board.actor, body="Scope?")

    assert told()["watcher"] == (Topic.COMMENTS, Reason.INTEREST)
    assert Notification.objects.filter(recipient=board.watcher).count() == 1


@pytest.mark.parametrize(
    "action",
    [
        lambda b: b.project.set_interest(researcher=b.actor, interested=True),
        lambda b: b.project.set_watch(user=b.stranger, watching=True),
        lambda b: b.project.edit_summary(text="Agreed scope.", by=b.curator),
        lambda b: b.project.set_claim_limit(limit=1, by=b.curator),
        lambda b: CommentFactory(project=b.project, author=b.actor).edit(body="Better"),
        lambda b: CommentFactory(project=b.project, author=b.actor).delete_by_author(),
        lambda b: CommentFactory(project=b.project, author=b.actor).hide(by=b.curator),
        lambda b: CommentFactory(project=b.project, author=b.holder).flag(by=b.actor),
    ],
    ids=["interest", "watch", "summary", "limit", "edit", "delete", "hide", "flag"],
)
def test_other_changes_tell_no_one(board, action):
    action(board)

    assert Notification.objects.count() == 0


def test_nothing_on_an_unpublished_proposal_is_told(board):
    proposal = ProjectFactory(proposed=True)
    proposal.set_watch(user=board.watcher, watching=True)
    ClaimFactory(project=proposal, researcher=board.holder)
    parent = CommentFactory(project=proposal, author=board.fan)

    proposal.add_comment(author=board.actor, body="Before it is published.")
    proposal.add_comment(author=board.actor, parent=parent, body="A reply, unpublished.")
    OutputFactory(project=proposal, submitted_by=board.fan).accept(by=board.curator)

    assert Notification.objects.count() == 0


def test_a_deactivated_account_hears_nothing(board):
    User.objects.filter(pk=board.watcher.pk).update(is_active=False)

    board.project.add_comment(author=board.actor, body="Scope?")

    assert "watcher" not in told()


def test_a_notification_never_shows_a_hidden_comments_text(board):
    comment = board.project.add_comment(author=board.actor, body="Something *rude*.")
    notification = Notification.objects.get(recipient=board.watcher)
    assert notification.summary == "Something rude."

    comment.hide(by=board.curator)

    notification = Notification.objects.for_list().get(recipient=board.watcher)
    assert notification.summary == ""
    assert notification.get_absolute_url() == f"/comments/{comment.pk}/"


def test_a_rejected_outputs_title_stays_with_its_linker(board):
    output = board.project.link_output(
        by=board.actor, url="https://example.org/x", title="A dubious result", kind="paper"
    )
    output.reject(by=board.curator)

    watcher_sees = Notification.objects.for_list().get(recipient=board.watcher)
    linker_sees = Notification.objects.for_list().get(recipient=board.actor)
    assert watcher_sees.summary == "" and watcher_sees.get_absolute_url().endswith("#history")
    assert linker_sees.summary == "A dubious result"
    assert linker_sees.get_absolute_url().endswith(f"#output-{output.pk}")


# Free again


def test_releasing_the_last_claim_tells_people_who_want_it_done_that_it_is_free(board):
    board.holder.claims.get().release(reason="gave_up")

    assert told() == {
        "watcher": (Topic.CLAIMS, Reason.WATCHING),
        "fan": (Topic.FREE_AGAIN, Reason.INTEREST),
        "actor": (Topic.CLAIMS, Reason.WATCHING),
    }


def test_a_release_beside_another_claim_is_news_but_not_free_again(board):
    board.actor_claim().release(reason="gave_up")

    assert told()["fan"] == (Topic.CLAIMS, Reason.INTEREST)


def test_a_release_that_leaves_room_under_the_limit_is_free_again(board):
    Project.objects.filter(pk=board.project.pk).update(claim_limit=2)

    board.actor_claim().release(reason="gave_up")

    assert told()["fan"] == (Topic.FREE_AGAIN, Reason.INTEREST)


def test_a_claim_released_by_a_merge_leaves_nothing_free(board):
    kept = ProjectFactory()
    ClaimFactory(project=kept, researcher=board.holder)

    project_merge(duplicate=board.project, kept=kept, by=board.curator, reason="Same idea")

    released = Notification.objects.filter(event__kind=Event.Kind.RELEASED)
    assert not released.filter(topic=Topic.FREE_AGAIN).exists()


def quiet(claim: Claim) -> Claim:
    """The claim, silent past its window and reminded past the grace period: due to turn
    dormant."""
    now = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(
        started_at=now - 60 * DAY, last_activity_at=now - 45 * DAY, stale_reminded_at=now - 15 * DAY
    )
    claim.refresh_from_db()
    return claim


def test_a_claim_turning_dormant_tells_people_who_want_it_done_that_it_is_free(board):
    quiet(board.holder.claims.get()).go_dormant()

    assert told() == {
        "watcher": (Topic.CLAIMS, Reason.WATCHING),
        "fan": (Topic.FREE_AGAIN, Reason.INTEREST),
        "actor": (Topic.CLAIMS, Reason.WATCHING),
        # The silent holder is the event's actor, and is told all the same (in the list).
        "holder": (Topic.REMINDERS, Reason.YOUR_CLAIM),
    }


def test_a_revived_claim_is_news_for_the_followers(board):
    claim = quiet(board.holder.claims.get()).go_dormant()

    claim.revive(by=board.holder)

    assert told(Event.Kind.REVIVED) == {
        "watcher": (Topic.CLAIMS, Reason.WATCHING),
        "fan": (Topic.CLAIMS, Reason.INTEREST),
        "actor": (Topic.CLAIMS, Reason.WATCHING),
    }


def test_a_holders_still_on_it_is_nobody_elses_news(board):
    board.holder.claims.get().confirm()

    assert Notification.objects.count() == 0


# In the change's transaction, at a fixed cost


def test_a_rolled_back_change_notifies_no_one_and_mails_nothing(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    parent = board.project.add_comment(author=board.stranger, body="A question.")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                board.project.add_comment(author=board.actor, parent=parent, body="Answer.")
                assert Notification.objects.count() == 4
                raise RuntimeError("the change fails after its event")
        except RuntimeError:
            pass

    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0 and mailoutbox == []


def comment_queries(watchers: int) -> int:
    """Queries of one comment on a project with ``watchers`` watchers who want every
    comment by email at once."""
    project = ProjectFactory()
    for _ in range(watchers):
        watcher = UserFactory()
        project.set_watch(user=watcher, watching=True)
        Preference(user=watcher).choose(comments=Frequency.AT_ONCE)
    author = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        project.add_comment(author=author, body="Scope?")
    assert Delivery.objects.filter(key__startswith="notification:").count() == watchers
    Delivery.objects.all().delete()
    return len(queries)


def test_telling_a_comment_costs_the_same_for_1_or_20_watchers():
    """Guards an N+1 in the fan-out: a query (or an insert, or an email's insert) per
    person told, or per person's preferences."""
    assert comment_queries(1) == comment_queries(20)


def test_telling_people_costs_four_queries_more_than_telling_no_one():
    """Guards the fan-out's own queries: the people with their choices (one, even for no
    one), the notifications' insert, the outbox's look for used keys and its insert."""
    assert comment_queries(3) == comment_queries(0) + 3
