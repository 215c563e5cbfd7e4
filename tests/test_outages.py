"""The database or the cache away: 503 with a page that says to try again, never 500, and
the site serves again as soon as it is back, without a restart (projects/outages.py,
agenda_site/cache.py, the health and readiness checks).

Outages are real: a database URL on a port nothing listens on, a SQLite file in a folder
that does not exist, or a TCP proxy in front of the real PostgreSQL or Redis that the test
closes and opens again. The servers themselves stay up.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import pre_save
from django.db.utils import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from agenda_site.cache import FailOpenRedisCache
from projects.models import Comment, Event
from projects.outages import service_unavailable
from tests.conftest import TEST_REDIS_URL
from tests.factories import ProjectFactory, UserFactory
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.outage

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # UserFactory's

# Every kind of page, asked in a process whose database is away: a visitor's, then a
# signed-in person's (a session cookie the site must look up).
OUTAGE_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.db.utils import OperationalError
from django.test import Client, RequestFactory
answers = []
for cookie in ("", "x" * 32):
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    if cookie:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    for method, url in [("get", "/"), ("get", "/projects/some-project/"),
                        ("post", "/projects/some-project/comments/"),
                        ("get", "/api/projects/"), ("get", "/admin/"), ("get", "/healthz")]:
        if method == "post":
            r = client.post(url, {"body": "A thought."})
        else:
            r = client.get(url)
        answers.append({"url": url, "status": r.status_code, "type": r["Content-Type"],
                        "retry": r.get("Retry-After"), "body": r.content.decode()})
print(json.dumps({"options": settings.DATABASES["default"].get("OPTIONS", {}),
                  "answers": answers}))
"""


@pytest.mark.parametrize(
    "database_url",
    ["postgres://nobody@127.0.0.1:1/nothing", "sqlite:////nonexistent-folder/db.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_every_page_answers_503_with_the_page_when_the_database_is_away(database_url):
    """A process whose database cannot be reached: pages, a POST, the API, the admin and the
    health check answer 503 (never 500), each logged once at warning without a traceback.
    Health checks answer their JSON whoever asks (a session cookie is not looked up)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    *logs, last = result.stdout.strip().splitlines()
    report = json.loads(last)
    if database_url.startswith("postgres"):
        assert report["options"]["connect_timeout"] == 5
    visitor, signed_in = report["answers"][:6], report["answers"][6:]
    # A visitor's POST and admin visit go to sign in, which needs no database.
    for answer in visitor:
        if answer["url"].endswith("/comments/") or answer["url"] == "/admin/":
            assert answer["status"] == 302, answer
    for answer in [a for a in visitor if a["status"] != 302] + signed_in:
        assert answer["status"] == 503, answer
        if answer["url"] == "/healthz":
            assert json.loads(answer["body"]) == {
                "status": "unavailable",
                "database": "unreachable",
                "cache": "ok",
            }
        elif answer["url"].startswith("/api/"):
            assert answer["type"] == "application/json"
            assert "try again" in json.loads(answer["body"])["detail"]
            assert answer["retry"] == "30"
        else:
            assert "The board is briefly unavailable" in answer["body"], answer
            assert "try again in a minute" in answer["body"]
            assert answer["retry"] == "30"
    logs = "\n".join(logs) + result.stderr
    assert "Traceback" not in logs
    assert logs.count("Database unreachable:") == 8  # once for each 503 but /healthz


def test_the_503_page_reads_nothing_from_the_database(db, django_assert_num_queries):
    """The page is what a request gets while the database is away: it must not need it."""
    request = RequestFactory().get("/projects/some-project/")
    with django_assert_num_queries(0):
        response = service_unavailable(request, OperationalError("connection refused"))
    assert response.status_code == 503
    assert "The board is briefly unavailable" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def database_behind_a_proxy(transactional_db, django_db_serialized_rollback):
    """The test database reached through a TCP proxy that the test can close (the database
    away) and open again (back), on the same process and the same connection settings.
    Like every transactional test here it puts back what the migrations made (the
    Curators group, content types) for the tests after it."""
    settings_dict = connection.settings_dict
    real = settings_dict["HOST"], settings_dict["PORT"]
    proxy = TcpProxy(real[0] or "127.0.0.1", int(real[1] or 5432)).open()
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    proxy.close()
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = real


@pytest.mark.postgresql
def test_pages_answer_503_while_postgresql_is_away_and_200_as_soon_as_it_is_back(
    database_behind_a_proxy,
):
    proxy = database_behind_a_proxy
    project = ProjectFactory()
    researcher = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(researcher)
    page = project.get_absolute_url()
    assert client.get(page).status_code == 200

    proxy.close()
    for url in ("/", page, "/api/projects/", "/admin/", "/healthz"):
        response = client.get(url)
        assert response.status_code == 503, url
    response = client.post(f"{page}comments/", {"body": "Said while the database was away."})
    assert response.status_code == 503
    assert "The board is briefly unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"
    response = client.get(page, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")  # htmx-errors.js shows it

    proxy.open()
    started = time.monotonic()
    response = client.get(page)
    assert response.status_code == 200
    assert time.monotonic() - started < 5
    assert client.get("/healthz").json()["status"] == "ok"
    assert not Comment.objects.exists()


@pytest.mark.postgresql
def test_a_comment_cut_off_mid_request_answers_503_and_rolls_back(database_behind_a_proxy):
    """The database goes away while a comment is being saved: 503, and once it is back
    neither the comment nor its event is there."""
    proxy = database_behind_a_proxy
    project = ProjectFactory()
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    events = Event.objects.count()

    def cut(sender, **kwargs):
        proxy.close()

    pre_save.connect(cut, sender=Comment)
    try:
        response = client.post(f"{project.get_absolute_url()}comments/", {"body": "Cut off."})
    finally:
        pre_save.disconnect(cut, sender=Comment)
    assert response.status_code == 503

    proxy.open()
    assert client.get(project.get_absolute_url()).status_code == 200
    assert not Comment.objects.exists()
    assert Event.objects.count() == events


def closed_port_cache(prefix: str = "") -> dict:
    """A cache setting whose Redis nothing listens for, as settings.py builds it."""
    return {
        "default": {
            "BACKEND": "agenda_site.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_a_redis_cache_url_fails_open_with_short_timeouts():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env["CACHE_URL"] = "redis://127.0.0.1:1/3"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    cache = json.loads(result.stdout.strip().splitlines()[-1])
    assert cache["BACKEND"] == "agenda_site.cache.FailOpenRedisCache"
    assert cache["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


@pytest.mark.django_db
def test_with_the_cache_away_sign_in_sign_up_reset_and_comments_still_work(
    settings, client, caplog, monkeypatch
):
    settings.CACHES = closed_port_cache()
    settings.SESSION_ENGINE = "agenda_site.sessions"  # as with any shared cache
    monkeypatch.setattr(FailOpenRedisCache, "_last_warning", -1e9)  # warn in this test
    researcher = UserFactory()
    EmailAddress.objects.create(
        user=researcher, email=researcher.email, verified=True, primary=True
    )
    project = ProjectFactory()

    response = client.post(
        reverse("account_login"), {"login": researcher.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(researcher.pk)
    response = client.post(f"{project.get_absolute_url()}comments/", {"body": "Still here."})
    assert response.status_code in (302, 303)
    assert Comment.objects.filter(project=project, author=researcher).exists()

    anonymous = Client()
    response = anonymous.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    response = anonymous.post(reverse("account_reset_password"), {"email": researcher.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    warnings = [r for r in caplog.records if r.name == "agenda_site.cache"]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"  # once a minute at most
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_healthz_says_degraded_and_readyz_503_with_the_cache_away(settings, client):
    settings.CACHES = closed_port_cache()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"


@pytest.mark.django_db
def test_readyz_answers_200_when_all_is_there(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.redis
@pytest.mark.django_db
def test_the_cache_comes_back_without_a_restart(settings, client):
    """Redis behind a proxy: closed, the site says degraded and still signs people in;
    opened again, the next check finds it, and the limits count there again."""
    redis_url = urlsplit(TEST_REDIS_URL)
    proxy = TcpProxy(redis_url.hostname, redis_url.port or 6379).open()
    try:
        settings.CACHES = {
            "default": {
                **closed_port_cache(f"outage-{uuid.uuid4().hex}")["default"],
                "LOCATION": f"redis://127.0.0.1:{proxy.port}{redis_url.path or '/0'}",
            }
        }
        researcher = UserFactory()
        assert client.get("/healthz").json()["cache"] == "ok"
        # The process keeps one client (agenda_site.cache): the same one comes back.
        kept = caches["default"]._cache.get_client(write=True)
        assert caches["default"]._cache.get_client() is kept

        proxy.close()
        assert client.get("/healthz").json()["status"] == "degraded"
        response = client.post(
            reverse("account_login"), {"login": researcher.username, "password": PASSWORD}
        )
        assert response.status_code == 302

        proxy.open()
        started = time.monotonic()
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
        assert client.get("/readyz").status_code == 200
        assert time.monotonic() - started < 5
        assert caches["default"]._cache.get_client(write=True) is kept
    finally:
        proxy.close()


# Sessions from the shared cache, kept in the database (agenda_site.sessions).


@pytest.fixture
def redis_sessions(settings):
    """Sessions in Redis (behind a proxy, to take it away) and in the database."""
    redis_url = urlsplit(TEST_REDIS_URL)
    proxy = TcpProxy(redis_url.hostname, redis_url.port or 6379).open()
    settings.CACHES = {
        "default": {
            **closed_port_cache(f"sessions-{uuid.uuid4().hex}")["default"],
            "LOCATION": f"redis://127.0.0.1:{proxy.port}{redis_url.path or '/0'}",
        }
    }
    settings.SESSION_ENGINE = "agenda_site.sessions"
    yield proxy
    proxy.close()


def signed_in(researcher=None) -> tuple[Client, str]:
    """A researcher (a new one unless given) with a verified address, signed in through the
    sign-in form: the client, and its session key."""
    researcher = researcher or UserFactory()
    EmailAddress.objects.create(user=researcher, email=researcher.email, verified=True)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": researcher.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def holding(session_key: str) -> Client:
    """Someone else sending that session's cookie."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def session_queries(client) -> list[str]:
    """The queries of a signed-in page that read the session table."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as asked:
        assert client.get(reverse("accounts:dashboard")).status_code == 200
    return [q["sql"] for q in asked.captured_queries if "django_session" in q["sql"]]


@pytest.mark.redis
@pytest.mark.django_db
def test_a_signed_in_request_reads_its_session_from_the_cache(redis_sessions):
    client, _ = signed_in()

    assert session_queries(client) == []
    # A copy the cache lost is read from the database, and kept again.
    caches["default"].clear()
    assert len(session_queries(client)) == 1
    assert session_queries(client) == []


@pytest.mark.redis
@pytest.mark.django_db
def test_signing_out_ends_the_session_in_the_cache_and_the_database(redis_sessions):
    client, cookie = signed_in()

    assert client.post(reverse("account_logout")).status_code == 302

    stolen = holding(cookie)
    assert stolen.get(reverse("accounts:dashboard")).status_code == 302  # to sign in
    assert not Session.objects.filter(session_key=cookie).exists()


@pytest.mark.redis
@pytest.mark.django_db
def test_signing_out_with_the_cache_away_ends_nothing_and_says_so(redis_sessions, caplog):
    client, cookie = signed_in()
    assert session_queries(client) == []  # the copy is in Redis

    redis_sessions.close()
    response = client.post(reverse("account_logout"))

    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert "you are still signed in" in page and "try again" in page
    assert "signed out" not in page.replace("Signing out", "")
    assert Session.objects.filter(session_key=cookie).exists()
    assert not any(r.exc_info for r in caplog.records)

    # Back: the person is still signed in (no "You have signed out." waiting), and signing
    # out now ends the session everywhere.
    redis_sessions.open()
    page = client.get(reverse("accounts:dashboard"))
    assert page.status_code == 200 and "signed out" not in page.content.decode().lower()
    assert client.post(reverse("account_logout")).status_code == 302
    stolen = holding(cookie)
    assert stolen.get(reverse("accounts:dashboard")).status_code == 302


def test_sessions_are_kept_in_the_cache_only_when_it_is_shared():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_ENGINE)"
    )
    engines = []
    for url in ("redis://127.0.0.1:1/3", "locmemcache://"):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CACHE_URL": url}
        env.pop("REDIS_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        engines.append(result.stdout.strip().splitlines()[-1])
    assert engines == ["agenda_site.sessions", "django.contrib.sessions.backends.db"]


@pytest.mark.redis
@pytest.mark.django_db
def test_an_ended_session_takes_no_copy_back(redis_sessions):
    """A request that read the session just before the sign-out offers Redis a copy after
    it: Redis remembers the session ended and refuses it."""
    from agenda_site.sessions import ENDED, SessionStore

    researcher = UserFactory()
    client, cookie = signed_in(researcher)
    copy = SessionStore(cookie).load()
    assert copy["_auth_user_id"] == str(researcher.pk)

    assert client.post(reverse("account_logout")).status_code == 302

    key = SessionStore(cookie).cache_key
    assert caches["default"].get(key) == ENDED
    assert caches["default"].add(key, copy) is False  # what a late load() does
    stolen = holding(cookie)
    assert stolen.get(reverse("accounts:dashboard")).status_code == 302


@pytest.mark.redis
@pytest.mark.django_db
def test_with_the_cache_away_signing_in_as_someone_else_still_works(redis_sessions):
    """Django ends the session of whoever was signed in when someone else signs in with the
    same session: not a sign-out, so it needs no Redis."""
    from django.contrib.auth import SESSION_KEY, login

    from agenda_site.sessions import SessionStore

    first, second = UserFactory(), UserFactory()
    _, cookie = signed_in(first)
    request = RequestFactory().get("/")
    request.session = SessionStore(cookie)
    request.user = first
    assert request.session[SESSION_KEY] == str(first.pk)

    redis_sessions.close()
    login(request, second, backend="django.contrib.auth.backends.ModelBackend")

    assert request.session[SESSION_KEY] == str(second.pk)


@pytest.mark.redis
@pytest.mark.django_db
def test_redis_keeps_a_copy_of_a_session_for_ten_minutes_at_most(redis_sessions):
    from agenda_site.sessions import CACHED_SECONDS, SessionStore

    client, cookie = signed_in()
    key = SessionStore(cookie).cache_key

    cache = caches["default"]
    assert 0 < cache._cache.get_client().ttl(cache.make_key(key)) <= CACHED_SECONDS == 600


@pytest.mark.redis
@pytest.mark.django_db
def test_a_copy_saved_after_the_end_does_not_take_its_place(redis_sessions):
    """A request that loaded the session before it ended and saves it after: the database
    takes it (its row was there), Redis keeps ENDED."""
    from agenda_site.sessions import ENDED, ENDED_SECONDS, SessionStore

    _, cookie = signed_in()
    late = SessionStore(cookie)
    late["seen"] = True
    caches["default"].set(late.cache_key, ENDED, ENDED_SECONDS)  # the end begins

    late.save()

    assert caches["default"].get(late.cache_key) == ENDED


@pytest.mark.redis
@pytest.mark.django_db
def test_a_sign_out_the_database_refuses_leaves_the_session_as_it_was(redis_sessions, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore as DBStore

    from agenda_site.sessions import SessionStore

    client, cookie = signed_in()

    def away(self, session_key=None):
        raise OperationalError("the database went away")

    monkeypatch.setattr(DBStore, "delete", away)
    assert client.post(reverse("account_logout")).status_code == 503
    monkeypatch.undo()

    assert caches["default"].get(SessionStore(cookie).cache_key) is None  # no ENDED left
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # still signed in


@pytest.mark.redis
@pytest.mark.django_db
def test_a_cookie_of_an_ended_session_is_deleted(redis_sessions):
    client, cookie = signed_in()
    assert client.post(reverse("account_logout")).status_code == 302

    stolen = holding(cookie)
    response = stolen.get("/")

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
