"""App servers as ``make serve`` runs them (``manage.py serve``: granian), started by the
tests that need real ones: over the test database, each in a process of its own."""

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.db import connection
from django.test import Client

from bench.slow_clients import free_port, stop, wait_until_serving
from tests.conftest import BASE_DIR
from tests.factories import UserFactory


def served_database_url(port: int | None = None) -> str:
    """The test database's URL (PostgreSQL), reached on ``port`` if given (a proxy's)."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{port or db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def app_servers(count: int = 2, **environment: str) -> Iterator[list[str]]:
    """``count`` app servers (2 workers x 5 threads each) on the test database under the
    test settings (DEBUG off), with ``environment`` on top; yields their base URLs."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": served_database_url(),
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        # Mail to a port nothing listens on: it waits in the outbox (DEBUG off refuses the
        # console backend).
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "TRACK_CONTENT_VERSION": "1",  # as deployed
        **environment,
    }
    ports = [free_port() for _ in range(count)]
    servers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--skip-prepare", "--no-background",
             "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--threads", "5"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port in ports:
            wait_until_serving(f"http://127.0.0.1:{port}", servers)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        stop(servers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def send(url: str, cookies: dict[str, str], data: dict | None = None, **headers: str):
    """One request, redirects not followed -> (status, Location, body, Set-Cookie values)."""
    headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = urlencode(data).encode() if data is not None else None
    try:
        response = OPENER.open(urllib.request.Request(url, data=body, headers=headers), timeout=60)
    except urllib.error.HTTPError as error:  # a redirect (not followed), or a 4xx
        response = error
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        set_cookies.update({name: morsel.value for name, morsel in cookie.items()})
    location = response.headers.get("Location", "")
    return response.status, location, response.read().decode(), set_cookies


def signed_in_sessions(count: int) -> list[str]:
    """Session keys of ``count`` new researchers, signed in."""
    sessions = []
    for _ in range(count):
        client = Client()
        client.force_login(UserFactory())
        sessions.append(client.cookies["sessionid"].value)
    return sessions
