"""No accepted write is lost: comments and claims are posted to two app servers while
PostgreSQL restarts. Every request that got a success answer is in the database
afterwards; every other one got a 503 that says nothing was changed, and indeed nothing
was; and writes succeed again within seconds of the database's return, with no restart.

The restart is what PostgreSQL's own does to its clients, reproduced for the test
database alone: new connections are refused (a proxy in front of it stops listening),
every open session is terminated (``pg_terminate_backend``, as a fast shutdown does), and
three seconds later connections are accepted again."""

import itertools
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from projects.models import Claim, Comment
from tests.factories import ProjectFactory
from tests.servers import app_servers, send, served_database_url, signed_in_sessions
from tests.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.lost_writes,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITERS = 8  # threads posting at once: six comment writers, two claimers
BEFORE, DOWN, AFTER = 2.0, 3.0, 4.0  # seconds of writing before, during and after the outage


def terminate_other_sessions() -> int:
    """End every session on the test database but this one, as a fast shutdown does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_no_accepted_write_is_lost_while_the_database_restarts():
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).open()
    projects = [ProjectFactory(claim_limit=None) for _ in range(400)]
    comment_on = ProjectFactory()
    sessions = signed_in_sessions(WRITERS)
    environment = {
        "DATABASE_URL": served_database_url(proxy.port),
        "CONN_MAX_AGE": "60",  # as deployed: connections kept, checked before reuse
        "RATE_LIMIT_COMMENT": "",
        "RATE_LIMIT_CLAIM": "",
        "MAX_ACTIVE_CLAIMS": "1000",
    }
    answers: list[tuple[str, str, int, str, float]] = []  # kind, key, status, body, time
    next_project = itertools.count()
    stop = threading.Event()

    def write(n: int, servers: list[str]) -> None:
        token = secrets.token_hex(16)
        cookies = {"sessionid": sessions[n], "csrftoken": token}
        for i in itertools.count():
            if stop.is_set():
                return
            url = servers[i % 2]
            if n < 6:
                kind, key = "comment", f"Writer {n}, comment {i}."
                path, data = f"/projects/{comment_on.slug}/comments/", {"body": key}
            elif (index := next(next_project)) < len(projects):
                kind, key = "claim", projects[index].slug
                path, data = f"/projects/{key}/claim/", {"plan": "A plan."}
            else:
                return
            status, _, body, _ = send(url + path, cookies, data, **{"X-CSRFToken": token})
            answers.append((kind, key, status, body, time.monotonic()))
            time.sleep(0.02 if status == 303 else 0.2)  # a refused client waits a little

    try:
        with app_servers(**environment) as servers, ThreadPoolExecutor(WRITERS) as pool:
            writing = [pool.submit(write, n, servers) for n in range(WRITERS)]
            time.sleep(BEFORE)
            proxy.close(cut=False)  # no new connections ...
            terminated = terminate_other_sessions()  # ... and the open ones end
            time.sleep(DOWN)
            proxy.open()
            back = time.monotonic()
            time.sleep(AFTER)
            stop.set()
            for future in writing:
                future.result()
    finally:
        proxy.close()

    statuses = Counter(status for _, _, status, _, _ in answers)
    accepted = {(kind, key) for kind, key, status, _, _ in answers if status == 303}
    refused = {(kind, key) for kind, key, status, _, _ in answers if status != 303}
    recovered = min(t for _, _, status, _, t in answers if status == 303 and t > back) - back
    print(
        f"lost writes: {len(answers)} writes, {dict(statuses)}; {terminated} sessions ended;"
        f" writes succeeded again {recovered:.2f} s after the database came back"
    )
    # The outage was real: writes were refused, and every refusal was a 503 saying so.
    assert terminated > 0 and refused
    assert set(statuses) == {303, 503}, statuses
    assert all("nothing was changed" in body for _, _, status, body, _ in answers if status == 503)
    assert recovered < 5
    # Every accepted write is there once; no refused one is.
    comments = Counter(Comment.objects.filter(project=comment_on).values_list("body", flat=True))
    claimed = Counter(Claim.objects.values_list("project__slug", flat=True))
    stored = {("comment", body) for body in comments} | {("claim", slug) for slug in claimed}
    assert accepted <= stored, accepted - stored
    assert not refused & stored, refused & stored
    assert set(comments.values()) == {1} and set(claimed.values()) == {1}
