"""Fixtures shared by the suite, and the rules for tests that need PostgreSQL, Chromium or
Redis.

Where PostgreSQL, Chromium or Redis is missing, those tests skip and say why. CI sets
REQUIRE_ALL_TESTS=1, which turns such a skip into an error: there, every test runs.
"""

import os
import textwrap
import time
import types
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.test import Client

from projects import ratelimits
from projects.models import Agenda, Event, Project, Tag, TextVersion
from tests import factories
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_AGENDA = BASE_DIR / "projects" / "demo" / "some-conceptual-alignment-research-projects.md"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _test_redis_url() -> str:
    """A Redis for tests that share a cache between processes. Database 12 is only a default
    that development servers are unlikely to use. Each worker of a parallel run (``-n``) takes
    the next database of its own, since a test empties its whole database."""
    url = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/12"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    database = int(url.path.strip("/") or 0) + worker
    return url._replace(path=f"/{database}").geturl()


TEST_REDIS_URL = _test_redis_url()


def _on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _missing_for_browser() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright: run `make install`"
    if not CHROMIUM.exists():
        return f"needs Chromium at {CHROMIUM}: `apt-get install chromium`, or set CHROMIUM_PATH"
    return ""


def _missing_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return f"needs Redis at {TEST_REDIS_URL}: start redis-server, or set TEST_REDIS_URL"
    return ""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"redis: needs Redis shared by app servers (TEST_REDIS_URL, {TEST_REDIS_URL})"
    )


def pytest_report_header(config: pytest.Config) -> str:
    database = settings.DATABASES["default"]
    browser = _missing_for_browser() or f"Chromium at {CHROMIUM}"
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]}; browser tests: {browser}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (or, in CI, refuse to skip) tests whose PostgreSQL or Chromium is missing."""
    missing = {
        "postgresql": ""
        if _on_postgresql()
        else "needs PostgreSQL: set DATABASE_URL=postgres://... (see the README)",
        "browser": _missing_for_browser(),
    }
    if any(item.get_closest_marker("redis") for item in items):
        missing["redis"] = _missing_redis()
    required = os.environ.get("REQUIRE_ALL_TESTS") == "1"
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                if required:
                    raise pytest.UsageError(f"REQUIRE_ALL_TESTS is set, but {item.nodeid} {reason}")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def _emptied_by_delete():
    """On PostgreSQL, a test that commits (``transaction=True``) is followed by emptying
    every table, which Django does with one TRUNCATE of them all: about half a second
    whatever they hold (each table gets new files). Here that is a DELETE from each table
    instead, in one transaction with the foreign keys checked at its end (Django makes them
    deferrable): a tenth of the time for the few rows a test writes. Where sequences are to
    start again (``reset_sequences``), Django's own TRUNCATE."""
    if not _on_postgresql():
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(t)};" for t in tables]
        return [f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};", *deletes]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, where allauth and the board count their rate
    limits."""
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """Page caching on, in this process's cache (shared by every request of the test), and
    writes tracked (projects.page_cache)."""
    settings.PAGE_CACHE = settings.TRACK_CONTENT_VERSION = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rate_limit_clock(monkeypatch):
    """The rate limits count in fixed windows (a minute, an hour): a test whose requests
    straddle the end of one would see its count start again. Here the limits' clock runs
    from the first second of a day, at the real pace."""
    started, day = time.time(), 1_800_000_000 // 86400 * 86400 + 1
    monkeypatch.setattr(
        ratelimits, "time", types.SimpleNamespace(time=lambda: day + time.time() - started)
    )


@pytest.fixture
def demo_agenda_bytes() -> bytes:
    """The seed agenda the project ships as demo data."""
    return DEMO_AGENDA.read_bytes()


@pytest.fixture
def researcher(db):
    return UserFactory(username="ada")


@pytest.fixture
def other_researcher(db):
    return UserFactory(username="alan")


@pytest.fixture
def curator(db):
    """A staff member with the curation permissions (not a superuser)."""
    return UserFactory(username="grace", curator=True)


@pytest.fixture
def sign_in_with_two_factor(db):
    """A function that signs a test client in as a user the way the site's sign-in does for
    an account with an authenticator app (password, then code), as staff must be for the
    admin. It sets the app up first if the user has none (``UserFactory(two_factor=True)``).
    tests/test_staff_mfa.py goes through the real pages instead."""
    return factories.sign_in_with_two_factor


@pytest.fixture
def admin_client(admin_user, sign_in_with_two_factor) -> Client:
    """pytest-django's client signed in as its superuser, with the second factor that the
    admin asks staff for."""
    client = Client()
    sign_in_with_two_factor(client, admin_user)
    return client


@pytest.fixture
def curating(client, curator, sign_in_with_two_factor):
    """The test client, signed in as the curator (with a second factor, as for the admin)."""
    sign_in_with_two_factor(client, curator)
    return curator


@pytest.fixture
def multi_line_agenda() -> str:
    """An agenda file whose items run over several lines, some of them lazily."""
    return textwrap.dedent(
        """\
        ---
        title: A small agenda
        href: https://example.org/small
        tags: [Interpretability]
        ---

        Some questions we would like answered.

        1. A paper which runs over
           several lines, with [a link](https://example.org/a)
           on the second.
        2. A sketch whose text continues
        lazily on an unindented line.

           And a second paragraph, indented.
        3. An investigation, short.
        """
    )


@pytest.fixture
def snapshot():
    """A function that reads every field of every agenda, project, tag, text version and
    event, to compare before and after something that should change nothing."""

    def read() -> list[dict]:
        rows = []
        for model in (Agenda, Project, Tag, TextVersion, Event):
            for obj in model.objects.order_by("pk"):
                row = model_to_dict(obj)
                row.update(
                    {f.name: getattr(obj, f.name) for f in model._meta.fields if not f.editable}
                )
                row["tags"] = sorted(t.pk for t in row.get("tags", []))
                rows.append(row)
        return rows

    return read
