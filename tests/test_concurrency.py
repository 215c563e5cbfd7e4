"""Real concurrent HTTP requests to two running app servers (PostgreSQL): the claim limit,
and a rate limit counted in the Redis they share."""

import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from projects.models import Claim, Comment
from tests.conftest import BASE_DIR, TEST_REDIS_URL
from tests.factories import ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RACERS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(**environment: str) -> Iterator[list[str]]:
    """Two gunicorn app servers (2 workers x 5 threads each) on the test database, with
    ``environment`` on top of theirs; yields their base URLs."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "agenda_site.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--worker-class", "gthread", "--threads", "5"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def app_servers():
    """Two app servers, each worker with a cache of its own (the default)."""
    with serving() as urls:
        yield urls


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_twenty_simultaneous_claims_on_an_exclusive_project_end_with_one(app_servers):
    project = ProjectFactory(claim_limit=1)
    sessions = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(UserFactory())
        sessions.append(client.cookies["sessionid"].value)
    path = f"/projects/{project.slug}/claim/"
    start = threading.Barrier(RACERS)
    opener = urllib.request.build_opener(NoRedirect)

    def claim(n: int) -> tuple[int, str]:
        token = secrets.token_hex(16)  # a CSRF secret of our own, sent as cookie and header
        request = urllib.request.Request(
            app_servers[n % 2] + path,
            data=urlencode({"plan": f"Plan {n}"}).encode(),
            headers={"Cookie": f"sessionid={sessions[n]}; csrftoken={token}", "X-CSRFToken": token},
        )
        start.wait()
        try:
            response = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:  # a redirect, not followed
            return n, error.code, error.headers.get("Location", "")
        return n, response.status, ""

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(claim, range(RACERS)))

    # Every answer is a redirect: one to the claim panel, the rest back to the claim form,
    # which shows each refused researcher why.
    assert sorted(status for _, status, _ in results) == [303] * RACERS, results
    won = [n for n, _, location in results if location.endswith("#claim-panel")]
    refused = [(n, location) for n, _, location in results if location.endswith("#claim-form")]
    assert len(won) == 1 and len(refused) == RACERS - 1, results
    for n, location in refused:
        page = urllib.request.Request(
            app_servers[n % 2] + location.split("#")[0],
            headers={"Cookie": f"sessionid={sessions[n]}"},
        )
        html = opener.open(page, timeout=30).read().decode()
        assert "This project already has as many researchers as it takes." in html
    assert Claim.objects.active().filter(project=project).count() == 1
    assert Claim.objects.count() == 1


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


@pytest.mark.redis
def test_a_comment_rate_limit_holds_across_two_app_servers_sharing_redis(shared_redis):
    project = ProjectFactory()
    sessions = []
    for _ in range(2):
        client = Client()
        client.force_login(UserFactory())
        sessions.append(client.cookies["sessionid"].value)
    path = f"/projects/{project.slug}/comments/"
    opener = urllib.request.build_opener(NoRedirect)
    # Per day, so that no window ends during the test.
    limits = {"RATE_LIMIT_COMMENT": "6/d/user,9/d/ip"}

    def race(servers: list[str], session: str, count: int) -> list[tuple[int, str]]:
        """``count`` comments by one researcher at once, alternately to each server: each
        answer's status and Retry-After."""
        start = threading.Barrier(count)

        def post(n: int) -> tuple[int, str]:
            token = secrets.token_hex(16)
            request = urllib.request.Request(
                servers[n % 2] + path,
                data=urlencode({"body": f"Comment {n}"}).encode(),
                headers={"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token},
            )
            start.wait()
            try:
                response = opener.open(request, timeout=60)
            except urllib.error.HTTPError as error:  # a redirect (not followed), or a 429
                return error.code, error.headers.get("Retry-After", "")
            return response.status, ""

        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(post, range(count)))

    with serving(**shared_redis, **limits) as servers:
        first = race(servers, sessions[0], 12)
        # Another researcher from the same address: 3 left of the address's 9.
        second = race(servers, sessions[1], 6)

    for results, allowed in ((first, 6), (second, 3)):
        statuses = sorted(status for status, _ in results)
        assert statuses == [303] * allowed + [429] * (len(results) - allowed), results
        assert all(0 < int(wait) <= 86400 for status, wait in results if status == 429)
    assert Comment.objects.filter(project=project).count() == 9
