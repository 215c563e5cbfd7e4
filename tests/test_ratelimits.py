"""Rate limits on every write: per account and per address, a 429 that says when to try
again, refusals that count against nobody, the address read as allauth reads it, and a
cache that cannot be reached stopping nothing."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.mail import unsubscribe_token
from projects import freshness, ratelimits
from projects.models import Claim, Comment
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory
from tests.test_permissions_matrix import state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock_at_the_start_of_a_day(rate_limit_clock):
    """Every test here counts from the first second of a day (``rate_limit_clock``)."""


HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    """A project with one of everything, owned by ``owner``."""

    owner: User
    other: User
    curator: User

    def __post_init__(self) -> None:
        self.project = ProjectFactory()
        self.claim = ClaimFactory(project=self.project, researcher=self.owner)
        self.comment = CommentFactory(project=self.project, author=self.owner)
        self.output = OutputFactory(project=self.project, submitted_by=self.owner)
        self.dormant = ClaimFactory(
            researcher=self.owner, state=Claim.State.DORMANT, ended_at=timezone.now()
        )
        # The owner's stale claim, just reminded: its one-click links work.
        self.reminded = ClaimFactory(researcher=self.owner, stale_reminded_at=timezone.now())


@pytest.fixture
def world(researcher, other_researcher, curator) -> World:
    return World(owner=researcher, other=other_researcher, curator=curator)


# name: (kind, who writes, url, data). One for each view that writes.
WRITES = {
    "comment": (
        "comment",
        "owner",
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        lambda w: {"body": "A thought."},
    ),
    "reply": (
        "comment",
        "other",
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        lambda w: {"body": "A reply.", "parent": w.comment.pk},
    ),
    "edit comment": (
        "edit",
        "owner",
        lambda w: reverse("projects:comment-edit", args=[w.comment.pk]),
        lambda w: {"body": "Edited."},
    ),
    "delete comment": (
        "edit",
        "owner",
        # One of the owner's comments, a new one each time: a deleted one is gone (403).
        lambda w: reverse(
            "projects:comment-delete",
            args=[CommentFactory(project=w.project, author=w.owner).pk],
        ),
        lambda w: {},
    ),
    "flag comment": (
        "flag",
        "other",
        lambda w: reverse("projects:comment-flag", args=[w.comment.pk]),
        lambda w: {"reason": "Spam"},
    ),
    "hide comment": (
        "curation",
        "curator",
        lambda w: reverse("projects:comment-hide", args=[w.comment.pk]),
        lambda w: {},
    ),
    "claim": (
        "claim",
        "other",
        lambda w: reverse("projects:project-claim", args=[w.project.slug]),
        lambda w: {"plan": "Go"},
    ),
    "complete": (
        "claim",
        "owner",
        lambda w: reverse("projects:claim-complete", args=[w.claim.pk]),
        lambda w: {},
    ),
    "release": (
        "claim",
        "owner",
        lambda w: reverse("projects:claim-release", args=[w.claim.pk]),
        lambda w: {"reason": "gave_up"},
    ),
    "revive": (
        "claim",
        "owner",
        lambda w: reverse("projects:claim-revive", args=[w.dormant.pk]),
        lambda w: {},
    ),
    "check in": (
        "check-in",
        "owner",
        lambda w: reverse("projects:claim-check-in", args=[w.claim.pk]),
        lambda w: {"note": "Halfway"},
    ),
    "still on it": (
        "check-in",
        "owner",
        lambda w: reverse("projects:claim-confirm", args=[w.claim.pk]),
        lambda w: {},
    ),
    "link output": (
        "output",
        "other",
        lambda w: reverse("projects:output-create", args=[w.project.slug]),
        lambda w: {
            "url": "https://example.org/new",
            "title": "New",
            "kind": "code",
            "addresses": "partly",
        },
    ),
    "accept output": (
        "curation",
        "curator",
        lambda w: reverse("projects:output-accept", args=[w.output.pk]),
        lambda w: {},
    ),
    "propose project": (
        "proposal",
        "other",
        lambda w: reverse("projects:project-propose"),
        lambda w: {"title": "New idea", "description": "Do X.", "kind": "paper"},
    ),
    "propose edit": (
        "proposal",
        "other",
        lambda w: reverse("projects:project-propose-edit", args=[w.project.slug]),
        lambda w: {"title": "Better title", "description": "Do X.", "kind": "paper"},
    ),
    "interest": (
        "signal",
        "other",
        lambda w: reverse("projects:project-interest", args=[w.project.slug]),
        lambda w: {"note": "Keen"},
    ),
    "watch": (
        "signal",
        "other",
        lambda w: reverse("projects:project-watch", args=[w.project.slug]),
        lambda w: {},
    ),
    "mark notifications read": (
        "settings",
        "owner",
        lambda w: reverse("notifications:notification-mark-read"),
        lambda w: {},
    ),
    "notification settings": (
        "settings",
        "owner",
        lambda w: reverse("notifications:preference-edit"),
        lambda w: {"comments": "weekly"},
    ),
    "edit profile": (
        "settings",
        "owner",
        lambda w: reverse("accounts:profile-edit"),
        lambda w: {"display_name": "New name"},
    ),
    "reminder link": (
        "link",
        None,
        lambda w: reverse(
            "projects:claim-reminder-link",
            args=[freshness.reminder_token(w.reminded, freshness.LinkAction.CONFIRM)],
        ),
        lambda w: {},
    ),
    "unsubscribe": (
        "link",
        None,
        lambda w: reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(user_id=w.owner.pk, scope="topic:comments")],
        ),
        lambda w: {},
    ),
}


def limit(settings, kind: str, rates: str) -> None:
    """Set one kind's limits for this test, leaving the others as configured."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, kind: rates}


def write(client: Client, world: World, name: str, **extra):
    """Make the named write as its writer (anonymous for the emailed links)."""
    _, who, url, data = WRITES[name]
    return client.post(url(world), data(world), **extra)


def sign_in(client: Client, world: World, name: str) -> None:
    who = WRITES[name][1]
    if who:
        client.force_login(getattr(world, who))


@pytest.mark.parametrize("name", WRITES)
def test_each_write_past_its_limit_gets_a_429_page_that_says_when_to_try_again(
    client, world, settings, name
):
    kind, who, _, _ = WRITES[name]
    limit(settings, kind, "2/m/user" if who else "2/m/ip")
    sign_in(client, world, name)
    for _ in range(2):
        assert write(client, world, name).status_code != 429
    url, data = WRITES[name][2](world), WRITES[name][3](world)
    before = state()

    response = client.post(url, data, HTTP_REFERER=world.project.get_absolute_url())

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    source = "from your account" if who else "from your network"
    assert f"Too many {ratelimits.KINDS[kind]} {source} in a short time." in html
    assert "Nothing was saved: try again in " in html
    assert f'href="{world.project.get_absolute_url()}"' in html
    assert state() == before


@pytest.mark.parametrize("name", ["comment", "watch", "check in", "flag comment"])
def test_htmx_gets_the_refusal_as_a_sentence_to_show_with_retry_after(
    client, world, settings, name
):
    kind = WRITES[name][0]
    limit(settings, kind, "1/h/user")
    sign_in(client, world, name)
    assert write(client, world, name, **HTMX).status_code == 200

    response = write(client, world, name, **HTMX)

    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 1 <= int(response["Retry-After"]) <= 3600
    text = response.content.decode()
    assert text.startswith(f"Too many {ratelimits.KINDS[kind]} from your account")
    assert "try again in " in text and "<" not in text


def test_a_refused_plain_comment_shows_what_was_written_to_copy(client, world, settings):
    limit(settings, "comment", "1/m/user")
    client.force_login(world.owner)
    url = reverse("projects:comment-create", args=[world.project.slug])
    client.post(url, {"body": "First."})

    response = client.post(url, {"body": "A long thought\n<b>with</b> markup", "scope": "on"})

    html = response.content.decode()
    assert response.status_code == 429
    assert (
        '<dt>Body</dt><dd><pre class="kept-text">A long thought\n&lt;b&gt;with&lt;/b&gt; markup'
        "</pre></dd>"
    ) in html
    assert html.count('class="kept-text"') == 1  # not the checkbox's "on", not the token


def test_the_address_counts_everyone_behind_it(client, world, settings):
    limit(settings, "comment", "10/m/user,3/m/ip")
    url = reverse("projects:comment-create", args=[world.project.slug])
    for person in (world.owner, world.other, world.curator):
        client.force_login(person)
        assert client.post(url, {"body": f"From {person}."}).status_code == 303

    client.force_login(UserFactory())
    response = client.post(url, {"body": "One too many."})

    assert response.status_code == 429
    assert "Too many comments from your network in a short time." in response.content.decode()
    assert client.post(url, {"body": "Elsewhere."}, REMOTE_ADDR="198.51.100.9").status_code == 303


def test_a_limit_per_account_holds_from_any_address(client, world, settings):
    limit(settings, "signal", "2/m/user")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    for address in ("198.51.100.1", "198.51.100.2"):
        assert client.post(url, REMOTE_ADDR=address).status_code == 303

    assert client.post(url, REMOTE_ADDR="203.0.113.3").status_code == 429
    # The others keep theirs.
    client.force_login(world.owner)
    assert client.post(url, REMOTE_ADDR="203.0.113.3").status_code == 303


def test_kinds_count_apart(client, world, settings):
    limit(settings, "comment", "1/m/user")
    client.force_login(world.owner)
    assert write(client, world, "comment").status_code == 303
    assert write(client, world, "comment").status_code == 429

    assert write(client, world, "check in").status_code == 303
    assert write(client, world, "edit comment").status_code == 303


# (name of a write, who makes it, how it is refused): requests refused for who sent them
# or for what they name.
REFUSED = [
    ("edit comment", "other", 403),
    ("delete comment", "other", 403),
    ("check in", "other", 403),
    ("flag comment", "owner", 403),  # one's own comment
    ("hide comment", "owner", 403),  # not a curator
    ("accept output", "other", 403),
    ("edit comment", None, 302),  # anonymous: sent to sign in
    ("comment", None, 302),
    ("watch", None, 302),
]


@pytest.mark.parametrize(("name", "refused_as", "status"), REFUSED)
def test_wrong_role_and_anonymous_requests_count_against_nobody(
    client, world, settings, name, refused_as, status
):
    kind, allowed_as = WRITES[name][:2]
    # Everyone here writes from one address (the test client's): it would fill up first.
    limit(settings, kind, "2/m/user,2/m/ip")
    writer, refused = Client(), Client()
    writer.force_login(getattr(world, allowed_as))
    if refused_as:
        refused.force_login(getattr(world, refused_as))
    assert write(writer, world, name).status_code != 429
    for _ in range(5):
        assert write(refused, world, name).status_code == status

    assert write(writer, world, name).status_code != 429
    assert write(writer, world, name).status_code == 429


def test_an_unknown_object_counts_against_nobody(client, world, settings):
    limit(settings, "edit", "1/m/user,1/m/ip")
    client.force_login(world.owner)
    for _ in range(3):
        missing = reverse("projects:comment-edit", args=[10_000])
        assert client.post(missing, {"body": "Edited."}).status_code == 404

    assert write(client, world, "edit comment").status_code == 303


def test_get_is_never_counted(client, world, settings):
    limit(settings, "edit", "1/m/user")
    client.force_login(world.owner)
    edit = reverse("projects:comment-edit", args=[world.comment.pk])
    for _ in range(3):
        assert client.get(edit).status_code == 200

    assert write(client, world, "edit comment").status_code == 303


def test_an_empty_limit_lifts_that_kind(client, world, settings):
    limit(settings, "signal", "")
    client.force_login(world.other)
    for _ in range(40):
        assert write(client, world, "watch").status_code == 303


def test_the_default_limits_let_a_researcher_comment_ten_times_a_minute_not_eleven(client, world):
    """The production values: generous for a person, a wall for a script (which, before
    these limits, could post 2,300 comments a minute)."""
    client.force_login(world.owner)
    url = reverse("projects:comment-create", args=[world.project.slug])
    for n in range(10):
        assert client.post(url, {"body": f"Thought {n}."}).status_code == 303

    response = client.post(url, {"body": "Thought 11."})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Comment.objects.filter(body__startswith="Thought").count() == 10


def test_the_default_limits_cover_every_kind_and_parse():
    from django.conf import settings

    assert set(settings.RATE_LIMITS) == set(ratelimits.KINDS)
    for kind, text in settings.RATE_LIMITS.items():
        rates = ratelimits.parse_rates(text)
        assert rates, kind
        # Any limit on an account is at least ten a minute (five for proposals).
        assert all(r.amount * 60 / r.seconds >= 5 for r in rates if r.seconds <= 60), kind
    assert ratelimits.parse_rates("10/m/user,100/h/user,30/10m/ip,5/30s") == (
        ratelimits.Rate(10, 60, "user"),
        ratelimits.Rate(100, 3600, "user"),
        ratelimits.Rate(30, 600, "ip"),
        ratelimits.Rate(5, 30, "ip"),
    )


@pytest.mark.parametrize(
    "text", ["10", "10/m/key", "0/m/user", "10/0m/user", "10/00h", "ten/m", "10/w", "10/m/"]
)
def test_a_rate_that_does_not_parse_is_refused(text):
    with pytest.raises(ValueError, match="is not a rate such as 10/m/user"):
        ratelimits.parse_rates(text)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes"),
     (3600, "1 hour"), (5400, "2 hours")],
)  # fmt: skip
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert ratelimits.wait_in_words(seconds) == words


# The address, as allauth reads it.


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(client, world, settings):
    limit(settings, "signal", "100/m/user,2/m/ip")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    for address in ("198.51.100.1", "198.51.100.2"):
        assert client.post(url, HTTP_X_FORWARDED_FOR=address).status_code == 303

    assert client.post(url, HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 429


def test_behind_a_trusted_proxy_the_address_it_forwards_counts(client, world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    limit(settings, "signal", "100/m/user,2/m/ip")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    # Through two of our proxies, its port changing; what the client itself sends first
    # (a spoofed address) is not the proxy's to vouch for.
    sent = [("10.0.0.1", "203.0.113.9, 198.51.100.7:4431"), ("10.0.0.2", "198.51.100.7:5555")]
    for proxy, forwarded in sent:
        response = client.post(url, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 303

    refused = client.post(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = client.post(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert refused.status_code == 429 and other.status_code == 303


def test_a_request_past_fewer_proxies_than_trusted_counts_under_the_address_that_connected(
    client, world, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    limit(settings, "signal", "100/m/user,1/m/ip")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    # Straight to the app server, past neither proxy, with a header of its own making.
    straight = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.post(url, **straight).status_code == 303

    forged_again = {**straight, "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    assert client.post(url, **forged_again).status_code == 429
    client.logout()
    sign_in = client.post(
        reverse("account_login"), {"login": "nobody", "password": "wrong password"}, **straight
    )
    assert sign_in.status_code == 200


def test_a_trusted_client_address_header_counts_when_configured(client, world, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    limit(settings, "signal", "100/m/user,1/m/ip")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    assert client.post(url, HTTP_X_REAL_IP="198.51.100.7").status_code == 303

    assert client.post(url, HTTP_X_REAL_IP="198.51.100.7").status_code == 429
    assert client.post(url, HTTP_X_REAL_IP="198.51.100.8").status_code == 303


def test_ipv6_addresses_count_by_their_network_as_in_allauth(client, world, settings):
    limit(settings, "signal", "100/m/user,1/m/ip")
    client.force_login(world.other)
    url = reverse("projects:project-watch", args=[world.project.slug])
    assert client.post(url, REMOTE_ADDR="2001:db8:1:2::1").status_code == 303

    assert client.post(url, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.post(url, REMOTE_ADDR="2001:db8:1:3::1").status_code == 303


def test_the_board_reads_the_address_with_allauths_own_function(rf, settings):
    from allauth.account.adapter import get_adapter
    from allauth.core.internal.ratelimit import truncate_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = rf.post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7:80, 10.0.0.1"
    )

    assert ratelimits.client_address(request) == "198.51.100.7"
    assert ratelimits.client_address(request) == truncate_ip(get_adapter().get_client_ip(request))


# When the cache is away, and what a refusal costs.


def test_a_cache_that_cannot_be_reached_stops_no_write(client, world, settings, caplog):
    limit(settings, "comment", "1/h/user")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    client.force_login(world.owner)
    for _ in range(3):
        assert write(client, world, "comment").status_code == 303

    assert Comment.objects.filter(body="A thought.").count() == 3
    assert "Rate limits are not counted: the cache cannot be reached" in caplog.text


def test_a_refused_write_query_count_does_not_grow_with_the_discussion(client, world, settings):
    """Guards a refusal that loads the project and its discussion before saying no: it
    reads the session and the user (and the header's unread count), nothing else."""
    limit(settings, "comment", "1/h/user")
    client.force_login(world.owner)
    write(client, world, "comment")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert write(client, world, "comment").status_code == 429
        return len(queries)

    few = count()
    for _ in range(20):
        CommentFactory(project=world.project)
    assert count() == few <= 3
