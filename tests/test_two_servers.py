"""Two app servers as ``make serve`` runs them, on one PostgreSQL and one Redis, answering
real concurrent HTTP requests: a session and its CSRF token work on either, claim races and
rate limits split across them still hold, and nothing is duplicated or lost.

The claim races also run once against a deliberately broken claim (no row lock, no
constraint: tests/broken_claims.py), which they must catch."""

import re
import secrets
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from allauth.account.models import EmailAddress
from django.db import connection

from projects.models import Claim, Comment
from projects.page_cache import HEADER
from tests.conftest import TEST_REDIS_URL
from tests.factories import ProjectFactory, UserFactory
from tests.servers import app_servers, send, signed_in_sessions

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.two_servers,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RACERS = 20
PASSWORD = "correct horse battery staple"  # UserFactory's
BROKEN = {"DJANGO_SETTINGS_MODULE": "tests.settings_broken_claims"}


@pytest.fixture(scope="module")
def servers(django_db_setup) -> Iterator[list[str]]:
    """Two app servers for the tests below that need nothing of their own, started once:
    each test meets them afresh on its own data (between tests the database is emptied)."""
    with app_servers() as urls:
        yield urls


def form_token(page: str) -> str:
    """The CSRF token of the first form in ``page``."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def test_a_session_and_csrf_token_from_one_server_work_on_the_other(servers):
    """A researcher signs in through one server's form; the other knows them and takes the
    CSRF token the first gave; signing out on one signs out of both."""
    ada = UserFactory(username="ada")
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    project = ProjectFactory()
    one, two = servers
    cookies: dict[str, str] = {}

    def request(url: str, data: dict | None = None) -> tuple[int, str, str]:
        status, location, body, set_cookies = send(url, cookies, data)
        cookies.update(set_cookies)
        return status, location, body

    token = form_token(request(one + "/accounts/login/")[2])
    status, _, _ = request(
        one + "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": "ada", "password": PASSWORD},
    )
    assert status == 302 and "sessionid" in cookies
    # The other server knows the session.
    assert request(two + "/notifications/")[0] == 200
    # A token from one server's page (signing in gave a new one), posted to the other.
    comments = f"/projects/{project.slug}/comments/"
    page = f"/projects/{project.slug}/"
    token = form_token(request(one + page)[2])
    assert request(two + comments, {"csrfmiddlewaretoken": token, "body": "Two."})[0] == 303
    # And the other way round.
    token = form_token(request(two + page)[2])
    assert request(one + comments, {"csrfmiddlewaretoken": token, "body": "One."})[0] == 303
    # A forged token is refused by both.
    forged = {"csrfmiddlewaretoken": "x" * 64, "body": "Forged."}
    assert request(one + comments, forged)[0] == 403
    assert request(two + comments, forged)[0] == 403
    # Signing out on one ends the session on both.
    assert request(two + "/accounts/logout/", {"csrfmiddlewaretoken": token})[0] == 302
    status, location, _ = request(one + "/notifications/")
    assert status == 302 and "/accounts/login/" in location

    bodies = sorted(Comment.objects.filter(project=project).values_list("body", flat=True))
    assert bodies == ["One.", "Two."]


def race_claims(servers: list[str], project, sessions: list[str]) -> list[tuple[int, str]]:
    """One claim per session on ``project``, all at once, alternately to each server; each
    answer's status and Location."""
    path = f"/projects/{project.slug}/claim/"
    start = threading.Barrier(len(sessions))

    def claim(n: int) -> tuple[int, str]:
        token = secrets.token_hex(16)  # a CSRF secret of our own, sent as cookie and header
        cookies = {"sessionid": sessions[n], "csrftoken": token}
        start.wait()
        status, location, _, _ = send(
            servers[n % 2] + path, cookies, {"plan": f"Plan {n}"}, **{"X-CSRFToken": token}
        )
        return status, location

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(claim, range(len(sessions))))


@contextmanager
def without_the_one_claim_constraint() -> Iterator[None]:
    """The database without its unique index of one active claim per researcher and
    project; afterwards, every claim is ended and the index comes back."""
    name = "claim_one_active_per_researcher_and_project"
    (constraint,) = [c for c in Claim._meta.constraints if c.name == name]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Claim, constraint)
    try:
        yield
    finally:
        Claim.objects.update(state=Claim.State.RELEASED)
        with connection.schema_editor() as editor:
            editor.add_constraint(Claim, constraint)


def test_twenty_simultaneous_claims_on_an_exclusive_project_end_with_one(servers):
    project = ProjectFactory(claim_limit=1)
    sessions = signed_in_sessions(RACERS)
    results = race_claims(servers, project, sessions)

    # Every answer is a redirect: one to the claim panel, the rest back to the claim form,
    # which shows each refused researcher why.
    assert sorted(status for status, _ in results) == [303] * RACERS, results
    won = [n for n, (_, location) in enumerate(results) if location.endswith("#claim-panel")]
    refused = [n for n, (_, location) in enumerate(results) if location.endswith("#claim-form")]
    assert len(won) == 1 and len(refused) == RACERS - 1, results
    assert Claim.objects.active().filter(project=project).count() == 1
    assert Claim.objects.count() == 1


def test_one_researcher_claiming_twenty_times_at_once_holds_one_claim(servers):
    project = ProjectFactory(claim_limit=None)
    sessions = signed_in_sessions(1) * RACERS
    results = race_claims(servers, project, sessions)
    assert sorted(status for status, _ in results) == [303] * RACERS, results
    assert Claim.objects.filter(project=project).count() == 1


def test_the_claim_races_catch_a_claim_with_no_lock_and_no_constraint():
    """The same races against the broken claim: the project takes more researchers than
    its limit, and one researcher holds several claims on one project."""
    exclusive = [ProjectFactory(claim_limit=1) for _ in range(3)]
    unlimited = [ProjectFactory(claim_limit=None) for _ in range(3)]
    sessions = signed_in_sessions(RACERS)
    with without_the_one_claim_constraint(), app_servers(**BROKEN) as servers:
        for project in exclusive:
            race_claims(servers, project, sessions)
        for project, session in zip(unlimited, sessions, strict=False):
            race_claims(servers, project, [session] * RACERS)
        over_the_limit = [Claim.objects.filter(project=p).count() for p in exclusive]
        doubled = [Claim.objects.filter(project=p).count() for p in unlimited]
    assert max(over_the_limit) > 1, over_the_limit
    assert max(doubled) > 1, doubled


@pytest.fixture
def shared_redis() -> Iterator[dict[str, str]]:
    """The environment that gives app servers one Redis cache, under a key prefix of this
    run's own (so that runs side by side never share a count); its keys go afterwards."""
    import redis

    prefix = f"test-{secrets.token_hex(8)}"
    yield {"CACHE_URL": TEST_REDIS_URL, "TEST_CACHE_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def post_comments(servers: list[str], path: str, sessions: list[str]) -> list[tuple[int, str]]:
    """One comment per session on ``path``, all at once, alternately to each server; each
    answer's status and Retry-After."""
    start = threading.Barrier(len(sessions))

    def post(n: int) -> tuple[int, str]:
        token = secrets.token_hex(16)
        cookies = {"sessionid": sessions[n], "csrftoken": token}
        start.wait()
        status, _, _, _ = send(
            servers[n % 2] + path, cookies, {"body": f"Comment {n}"}, **{"X-CSRFToken": token}
        )
        return status

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(post, range(len(sessions))))


def test_forty_comments_at_once_through_both_servers_are_each_kept_once(servers):
    project = ProjectFactory()
    sessions = signed_in_sessions(40)
    statuses = post_comments(servers, f"/projects/{project.slug}/comments/", sessions)
    assert statuses == [303] * 40
    bodies = sorted(Comment.objects.filter(project=project).values_list("body", flat=True))
    assert bodies == sorted(f"Comment {n}" for n in range(40))


@pytest.mark.redis
def test_a_comment_rate_limit_holds_across_two_app_servers_sharing_redis(shared_redis):
    project = ProjectFactory()
    path = f"/projects/{project.slug}/comments/"
    first, second = signed_in_sessions(2)
    # Per day, so that no window ends during the test.
    limits = {"RATE_LIMIT_COMMENT": "6/d/user,9/d/ip"}
    with app_servers(**shared_redis, **limits) as servers:
        one = post_comments(servers, path, [first] * 12)
        # Another researcher from the same address: 3 left of the address's 9.
        other = post_comments(servers, path, [second] * 6)

    for statuses, allowed in ((one, 6), (other, 3)):
        assert sorted(statuses) == [303] * allowed + [429] * (len(statuses) - allowed)
    assert Comment.objects.filter(project=project).count() == 9


@pytest.mark.redis
def test_a_visitor_on_one_server_sees_a_comment_posted_on_the_other_at_once(shared_redis):
    """Pages for visitors come from the Redis both servers share, and the next visit after
    a write, on either server, shows it."""
    project = ProjectFactory()
    (session,) = signed_in_sessions(1)
    page = f"/projects/{project.slug}/"
    # Behind a load balancer every server is asked for the same host.
    host = {"Host": "127.0.0.1"}
    with app_servers(**shared_redis) as (one, two):
        send(one + page, {}, **host)
        # Filed by one, served by two from the cache they share.
        asked = urllib.request.Request(two + page, headers=host)
        assert urllib.request.urlopen(asked, timeout=30).headers[HEADER] == "hit"
        status, _, before, _ = send(two + page, {}, **host)
        token = secrets.token_hex(16)
        cookies = {"sessionid": session, "csrftoken": token}
        posted = send(
            one + page + "comments/",
            cookies,
            {"body": "Seen everywhere."},
            **{"X-CSRFToken": token},
        )
        assert posted[0] == 303
        status, _, after, _ = send(two + page, {}, **host)
    assert status == 200 and "Seen everywhere." not in before and "Seen everywhere." in after
