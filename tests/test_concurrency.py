"""The claim limit under real concurrent HTTP requests to two running app servers (PostgreSQL)."""

import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from projects.models import Claim
from tests.conftest import BASE_DIR
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


@pytest.fixture
def app_servers():
    """Two gunicorn app servers (2 workers x 5 threads each) on the test database."""
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
