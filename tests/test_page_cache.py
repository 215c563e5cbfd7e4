"""Whole pages for visitors from the shared cache (projects.page_cache): one query when
cached, never stale after any write path, and never personal."""

import gzip
import io
import re
import threading
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import projects.page_cache
from projects.checks import pages_are_cached_only_in_a_shared_cache
from projects.models import Comment, Output, Project
from projects.page_cache import (
    HEADER,
    PLAIN_BELOW,
    VERSION_KEY,
    VERSION_SECONDS,
    content_version,
    for_reader_parts,
    offer_version,
    token_slot,
)
from projects.stitching import unpacked
from tests.conftest import DEMO_AGENDA, TEST_REDIS_URL
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    ProjectFactory,
    UserFactory,
)

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def entries() -> list[tuple[int, list, bytes]]:
    """Every page in the cache."""
    return [cache.get(key.split(":", 2)[2]) for key in list(cache._cache) if ":page:" in key]


def public_pages(project) -> list[str]:
    """A page of each kind anyone may read, around ``project``."""
    return [
        "/",
        "/?q=project",
        project.get_absolute_url(),
        project.agenda.get_absolute_url(),
        reverse("projects:agenda-list"),
        reverse("projects:activity"),
        reverse("projects:feed-site"),
        "/api/projects/",
    ]


def visit(path: str, **headers) -> tuple[str, str]:
    """A visitor's GET (no cookie): whether the cache answered, and the page."""
    answer = Client().get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get(HEADER, ""), answer.content.decode()


@transactional
def test_a_visitor_gets_a_page_from_the_cache_with_one_query(page_cache, django_assert_num_queries):
    project = ProjectFactory()
    for path in ("/", project.get_absolute_url(), reverse("projects:agenda-list")):
        assert visit(path)[0] == "miss"
        with django_assert_num_queries(1):  # the content version
            state, html = visit(path)
        assert state == "hit" and project.title in html


@transactional
def test_an_htmx_section_and_the_page_are_kept_apart(page_cache):
    ProjectFactory()
    visit("/")
    state, section = visit("/", **{"HX-Request": "true"})
    assert state == "miss" and "<html" not in section
    assert visit("/", **{"HX-Request": "true"})[0] == "hit"
    assert "<html" in visit("/")[1]


@transactional
def test_signed_in_people_neither_read_nor_write_entries(page_cache):
    project = ProjectFactory()
    client = Client()
    client.force_login(UserFactory(username="ada"))
    visit(project.get_absolute_url())
    answer = client.get(project.get_absolute_url())
    assert HEADER not in answer and "ada" in answer.content.decode()
    assert len(entries()) == 1


@transactional
def test_no_entry_holds_a_csrf_token_a_cookie_a_message_or_a_user_name(page_cache):
    project = ProjectFactory()
    CommentFactory.create_batch(3, project=project)
    pages = public_pages(project)
    # A visitor who has been to the sign-in form holds a CSRF cookie; one signed out has
    # a message waiting; someone signed in has a session.
    visitor = Client()
    assert visitor.get(reverse("account_login")).status_code == 200
    token = visitor.cookies["csrftoken"].value
    ada = UserFactory(username="adalovelace")
    signed_in = Client()
    signed_in.force_login(ada)
    for path in pages:
        visitor.get(path)
        signed_in.get(path)
        visit(path)
    signed_in.post(reverse("account_logout"))
    for path in pages:
        signed_in.get(path)

    kept = entries()
    assert len(kept) == len(pages)
    for _, headers, compressed in kept:
        text = gzip.decompress(compressed).decode()
        assert "csrfmiddlewaretoken" not in text and "csrftoken" not in text.lower()
        assert token not in text and "adalovelace" not in text
        assert 'class="messages"' not in text and "signed out" not in text.lower()
        assert not any(name.lower() == "set-cookie" for name, _ in headers)


# Every write path: (what it does, a function that does it for a project, a researcher and
# the project's page, what the page then shows).


def post(user, path, data):
    client = Client()
    client.force_login(user)
    answer = client.post(path, data)
    assert answer.status_code in (302, 303), (path, answer.status_code)


def comment(project, user):
    post(user, reverse("projects:comment-create", args=[project.slug]), {"body": "Fresh words."})
    return "Fresh words."


def reply(project, user):
    parent = Comment.objects.filter(project=project).first()
    post(
        user,
        reverse("projects:comment-create", args=[project.slug]),
        {"body": "A fresh reply.", "parent": parent.pk},
    )
    return "A fresh reply."


def edit_comment(project, user):
    own = CommentFactory(project=project, author=user, body="Before.")
    cache.clear()  # the factory wrote outside any request: start from a warm cache again
    visit(project.get_absolute_url())
    post(user, reverse("projects:comment-edit", args=[own.pk]), {"body": "After the edit."})
    return "After the edit."


def claim(project, user):
    post(user, reverse("projects:project-claim", args=[project.slug]), {"plan": "My plan."})
    return "My plan."


def check_in(project, user):
    held = ClaimFactory(project=project, researcher=user)
    cache.clear()
    visit(project.get_absolute_url())
    post(user, reverse("projects:claim-check-in", args=[held.pk]), {"note": "Halfway there."})
    return "Halfway there."


def link_output(project, user):
    post(
        user,
        reverse("projects:output-create", args=[project.slug]),
        {
            "url": "https://example.org/paper",
            "title": "A fresh paper",
            "kind": Output.Kind.values[0],
            "addresses": Output.Addresses.PARTLY,
        },
    )
    return None  # awaiting review: the page changes, the title may not show yet


def interest(project, user):
    post(user, reverse("projects:project-interest", args=[project.slug]), {"note": "Keen."})
    return None


def queryset_update(project, user):
    Project.objects.filter(pk=project.pk).update(title="Renamed in bulk")
    return "Renamed in bulk"


def in_a_transaction(project, user):
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(title="Renamed at commit")
        CommentFactory(project=project, body="Written at commit.")
    return "Renamed at commit"


def management_command(project, user, tmp_path):
    """The project is the demo agenda's third; a new version of the file renames it."""
    changed = DEMO_AGENDA.read_text().replace(
        "3. A list of papers that are particularly useful", "3. A list of papers, re-imported,"
    )
    (tmp_path / "agenda.md").write_text(changed)
    call_command("import_agenda", str(tmp_path / "agenda.md"), stdout=io.StringIO())
    return "A list of papers, re-imported,"


WRITE_PATHS = [
    comment,
    reply,
    edit_comment,
    claim,
    check_in,
    link_output,
    interest,
    queryset_update,
    in_a_transaction,
    management_command,
]


@transactional
@pytest.mark.parametrize("write", WRITE_PATHS, ids=[w.__name__ for w in WRITE_PATHS])
def test_after_any_write_the_next_visitor_sees_it(page_cache, write, tmp_path):
    if write is management_command:
        call_command("import_agenda", str(DEMO_AGENDA), stdout=io.StringIO())
        project = Project.objects.get(number=3)
    else:
        project = ProjectFactory(claim_limit=None)
    CommentFactory(project=project)
    researcher = UserFactory()
    page = project.get_absolute_url()
    visit(page)
    before_state, before = visit(page)
    assert before_state == "hit"

    if write is management_command:
        shown = write(project, researcher, tmp_path)
    else:
        shown = write(project, researcher)

    state, after = visit(page)
    assert state == "miss" and after != before
    if shown:
        assert shown in after
    assert visit(page)[0] == "hit"


@transactional
def test_a_write_rolled_back_changes_no_version(page_cache):
    project = ProjectFactory()
    version = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(title="Never")
        raise RuntimeError
    assert content_version() == version
    Project.objects.filter(pk=project.pk).update(title="Now")
    assert content_version() == version + 1


@transactional
def test_head_requests_and_failed_pages_are_not_cached(page_cache):
    Client().head("/")
    Client().get("/projects/no-such-project/")
    assert entries() == []


def test_page_caching_is_off_with_a_warning_when_the_cache_is_per_process(settings):
    settings.PAGE_CACHE_WANTED, settings.PAGE_CACHE = True, False
    (warning,) = pages_are_cached_only_in_a_shared_cache(None)
    assert warning.id == "board.W003" and "not shared" in warning.msg
    settings.PAGE_CACHE_WANTED = False
    assert pages_are_cached_only_in_a_shared_cache(None) == []
    settings.PAGE_CACHE = True
    assert pages_are_cached_only_in_a_shared_cache(None) == []


@transactional
def test_reading_pages_signed_in_or_not_changes_no_version(page_cache):
    """A read that wrote (a "last seen" time, a counter) would make every page old for
    everyone at each visit."""
    project = ProjectFactory()
    CommentFactory.create_batch(2, project=project)
    reader = UserFactory()
    ClaimFactory(project=project, researcher=reader)
    signed_in = Client()
    signed_in.force_login(reader)
    pages = [
        *public_pages(project),
        reverse("notifications:notification-list"),
        reverse("accounts:dashboard"),
    ]
    version = content_version()
    for path in pages:
        assert signed_in.get(path).status_code == 200, path
        Client().get(path)
    assert content_version() == version


@transactional
def test_a_migration_run_tracks_nothing_while_it_runs_and_makes_every_page_old(page_cache):
    visit("/")
    assert visit("/")[0] == "hit"
    call_command("migrate", verbosity=0)  # as each release's deploy does
    assert visit("/")[0] == "miss"


@transactional
def test_a_cached_page_is_sent_compressed_to_a_browser_that_asks(page_cache):
    ProjectFactory(title="Compressed once")
    visit("/")
    answer = Client().get("/", headers={"Accept-Encoding": "gzip, br"})
    assert answer[HEADER] == "hit" and answer["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer["Vary"]
    assert b"Compressed once" in gzip.decompress(answer.content)
    plain = Client().get("/")
    assert plain[HEADER] == "hit" and "Content-Encoding" not in plain
    assert b"Compressed once" in plain.content


@transactional
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "researcher"])
def test_project_rows_are_rendered_once_for_everyone_until_a_write(page_cache, signed_in):
    """The rows of the list and of an agenda page are the same for everyone: kept once,
    under the content version, they cost no queries until something changes."""
    agenda = AgendaFactory()
    projects = [ProjectFactory(agenda=agenda, number=n) for n in range(1, 6)]
    client = Client()
    if signed_in:
        client.force_login(UserFactory())
    for path in ("/", agenda.get_absolute_url()):
        client.get(path, headers={"Cache-Control": "no-cache"})
        cache.delete_many([k.split(":", 2)[2] for k in list(cache._cache) if ":page:" in k])
        with CaptureQueriesContext(connection) as warm:
            html = client.get(path).content.decode()
        assert all(p.title in html for p in projects)
        assert not any("projects_project_tags" in q["sql"] for q in warm.captured_queries)

    Project.objects.filter(pk=projects[0].pk).update(title="Renamed for everyone")
    for path in ("/", agenda.get_absolute_url()):
        assert "Renamed for everyone" in client.get(path).content.decode()


@transactional
def test_a_visitor_with_a_message_waiting_gets_a_fresh_page_that_is_not_kept(page_cache):
    """Messages ride in a cookie of their own for visitors: such a page shows the message,
    so it is neither served from the cache nor kept there."""
    ProjectFactory()
    visit("/")
    client = Client()
    client.cookies["messages"] = "x"
    answer = client.get("/")
    assert HEADER not in answer
    assert len(entries()) == 1


@transactional
def test_each_host_has_its_own_entries_and_a_host_not_allowed_gets_400(page_cache, settings):
    """Feeds, exports and the API write absolute links with the host asked for."""
    settings.ALLOWED_HOSTS = ["board.example.org", "mirror.example.org"]
    ProjectFactory()
    feed = reverse("projects:feed-site")
    Client(HTTP_HOST="board.example.org").get(feed)
    answer = Client(HTTP_HOST="mirror.example.org").get(feed)
    assert answer[HEADER] == "miss" and b"mirror.example.org" in answer.content
    assert Client(HTTP_HOST="evil.example.com").get(feed).status_code == 400


# The project list's parts for the signed in (page_cache.shell): the same for everyone of a
# role, under the content version; the frame around them is each reader's own.


def untokened(html: str) -> str:
    """A page without its CSRF tokens (masked anew for each answer)."""
    return re.sub(r'(csrfmiddlewaretoken" value="|x-csrftoken": ")[^"]+', r"\1", html)


def kept_shells() -> list[tuple[dict, dict]]:
    """Every page's parts in the cache as kept: as text, and compressed."""
    return [cache.get(key.split(":", 2)[2]) for key in list(cache._cache) if ":shell:" in key]


def shells(compressed: bool = False) -> list[dict]:
    """Every page's parts in the cache, as text (those kept compressed alone, unpacked), or,
    ``compressed``, as kept compressed, unpacked."""
    kept = [
        (text, {name: unpacked(piece).decode() for name, piece in pieces.items()})
        for text, pieces in kept_shells()
    ]
    return [pieces if compressed else pieces | text for text, pieces in kept]


def signed_in_as(user=None) -> Client:
    """A client signed in as ``user`` (a new researcher unless given)."""
    client = Client()
    client.force_login(user or UserFactory())
    return client


@transactional
def test_the_signed_in_list_is_filled_from_kept_parts_with_fewer_queries(
    page_cache, django_assert_max_num_queries
):
    ProjectFactory.create_batch(3)
    ada, alan = UserFactory(username="adalovelace"), UserFactory(username="alanturing")
    first, second = signed_in_as(ada), signed_in_as(alan)
    with CaptureQueriesContext(connection) as cold:
        assert "adalovelace" in first.get("/").content.decode()
    # Session, user, content version, the unread count (kept from the reader's next page on):
    # nothing of the list.
    with django_assert_max_num_queries(4) as warm:
        html = second.get("/").content.decode()
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert "alanturing" in html and "adalovelace" not in html
    assert "Propose a project" in html and 'x-csrftoken": "' in html
    for path in ("/", "/?q=paper", "/?sort=newest"):
        first.get(path)
        second.get(path, headers={"HX-Request": "true"})
    # Kept compressed too, the same (in whichever order the cache lists them); a long part
    # only so, as a stitched answer never reads its text.
    assert sorted(map(repr, shells(compressed=True))) == sorted(map(repr, shells()))
    for text, pieces in kept_shells():
        for name, piece in pieces.items():
            assert (name in text) == (len(unpacked(piece).decode()) < PLAIN_BELOW), name
    assert any(name not in text for text, pieces in kept_shells() for name in pieces)
    # A reader whose browser takes no deflate gets the same page, from the parts unpacked.
    for path in ("/", "/?q=paper"):
        stitched = second.get(path, headers={"Accept-Encoding": "deflate"})
        assert stitched["Content-Encoding"] == "deflate"
        whole = second.get(path)
        assert "Content-Encoding" not in whole
        assert untokened(zlib.decompress(stitched.content).decode()) == untokened(
            whole.content.decode()
        )
        assert "project-row" in whole.content.decode()
    for parts in shells():
        for part in parts.values():
            assert "adalovelace" not in part and "alanturing" not in part
            assert "csrf" not in part.lower()


@transactional
def test_visitors_and_the_signed_in_get_their_own_parts(page_cache):
    ProjectFactory()
    member = signed_in_as()
    for _ in range(2):
        assert "Propose a project" in member.get("/").content.decode()
        assert "Propose a project" not in Client().get("/").content.decode()
    assert len(shells()) == 2


@transactional
def test_the_signed_in_agenda_page_is_filled_from_kept_parts(
    page_cache, django_assert_max_num_queries
):
    agenda = ProjectFactory().agenda
    ada = UserFactory(username="adalovelace")
    client = signed_in_as(ada)
    assert client.get(agenda.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(3):  # session, user, version
        html = client.get(agenda.get_absolute_url()).content.decode()
    assert agenda.title in html and "adalovelace" in html
    assert all("adalovelace" not in part for parts in shells() for part in parts.values())
    assert client.get("/agendas/no-such-agenda/").status_code == 404


@transactional
def test_the_signed_in_list_shows_a_write_at_once(page_cache):
    project = ProjectFactory()
    client = signed_in_as()
    for path in ("/", project.agenda.get_absolute_url()):
        assert project.title in client.get(path).content.decode()
    Project.objects.filter(pk=project.pk).update(title="Renamed for everyone")
    for path in ("/", project.agenda.get_absolute_url()):
        assert "Renamed for everyone" in client.get(path).content.decode()
    assert (
        "Renamed for everyone" in client.get("/", headers={"HX-Request": "true"}).content.decode()
    )


def unread_count(client: Client, path: str = "/") -> int:
    """The unread count in the header of the page at ``path`` (0 when it shows none)."""
    found = re.search(r'class="unread-count">(\d+)', client.get(path).content.decode())
    return int(found.group(1)) if found else 0


@transactional
def test_each_readers_unread_count_is_kept_and_shows_any_change_at_once(page_cache):
    project = ProjectFactory()
    ada, alan = UserFactory(username="adalovelace"), UserFactory(username="alanturing")
    project.set_watch(user=ada, watching=True)
    first, second = signed_in_as(ada), signed_in_as(alan)
    assert unread_count(first) == unread_count(second) == 0
    project.add_comment(author=alan, body="News for Ada.")
    assert unread_count(first) == 1 and unread_count(second) == 0
    with CaptureQueriesContext(connection) as warm:
        assert unread_count(first, project.agenda.get_absolute_url()) == 1
        assert unread_count(first) == 1
    assert not any("notifications_notification" in q["sql"] for q in warm.captured_queries)
    first.post(reverse("notifications:notification-mark-read"))
    assert unread_count(first) == 0 and unread_count(first, "/notifications/") == 0


@transactional
def test_a_count_read_inside_a_transaction_is_neither_kept_nor_taken_from_the_cache(page_cache):
    """A request that may have written (here, in a transaction) could have read the version
    before its own write: its count is counted afresh, and not kept."""
    project = ProjectFactory()
    ada = UserFactory()
    project.set_watch(user=ada, watching=True)
    client = signed_in_as(ada)
    assert unread_count(client) == 0
    kept = {key for key in cache._cache if ":reader:" in key}
    with transaction.atomic():
        project.add_comment(author=UserFactory(), body="Counted in the same transaction.")
        assert unread_count(client) == 1
        assert {key for key in cache._cache if ":reader:" in key} == kept


@transactional
def test_a_readers_own_parts_are_kept_for_them_alone_and_come_out_with_their_token(page_cache):
    ada, alan = UserFactory(), UserFactory()
    slot = token_slot()
    built = []

    def build(token: str = slot) -> dict[str, str]:
        built.append(token)
        return {"form": f'<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'}

    def as_read_by(user, name="piece", build=build) -> str:
        request = RequestFactory().get("/projects/a-project/")
        request.user = user
        return for_reader_parts(request, name, build)["form"]

    first, again = as_read_by(ada), as_read_by(ada)
    assert len(built) == 1  # kept
    for html in (first, again):  # each with a token of its own request
        assert slot not in html and 'name="csrfmiddlewaretoken" value="' in html
    as_read_by(alan)
    assert len(built) == 2  # not ada's
    ProjectFactory()  # any write
    as_read_by(ada)
    assert len(built) == 3
    # A part holding a token that is not the slot is rendered each time, never kept.
    for _ in range(2):
        assert "a-real-token" in as_read_by(ada, "leaky", lambda: build("a-real-token"))
    assert len(built) == 5


@transactional
def test_bad_filter_values_keep_their_400_from_kept_parts(page_cache):
    ProjectFactory()
    client = signed_in_as()
    for _ in range(2):
        assert client.get("/?sort=sideways").status_code == 400


# The content version's copy in the shared cache (Redis): a visitor's page costs no query.


@pytest.fixture
def redis_page_cache(settings):
    """Page caching on, in a real Redis (a key prefix of this test's own), writes tracked."""
    settings.CACHES = {
        "default": {
            "BACKEND": "agenda_site.cache.FailOpenRedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": f"version-{uuid.uuid4().hex}",
        }
    }
    settings.PAGE_CACHE = settings.TRACK_CONTENT_VERSION = True
    yield
    cache.clear()


def lasting_version_copy(monkeypatch) -> None:
    """From the next request on, Redis's copy of the version lasts a minute, not a second,
    so that a slow test finds it. The copy offered before (the test's own writes) goes: an
    offer of the same number does not lengthen it, and it could lapse between a test's
    requests on a busy machine."""
    monkeypatch.setattr(projects.page_cache, "VERSION_SECONDS", 60)
    cache.delete(VERSION_KEY)


@pytest.mark.redis
@transactional
def test_with_redis_a_visitor_gets_a_page_from_the_cache_with_no_query(
    redis_page_cache, django_assert_num_queries, monkeypatch
):
    project = ProjectFactory()
    lasting_version_copy(monkeypatch)
    assert visit(project.get_absolute_url())[0] == "miss"
    with django_assert_num_queries(0):
        state, html = visit(project.get_absolute_url())
    assert state == "hit" and project.title in html


@pytest.mark.redis
@transactional
def test_with_redis_the_next_visit_after_a_write_shows_it(redis_page_cache):
    project = ProjectFactory()
    for path in ("/", project.get_absolute_url()):
        visit(path)
    Project.objects.filter(pk=project.pk).update(title="Renamed just now")
    assert cache.get(VERSION_KEY) == content_version()
    for path in ("/", project.get_absolute_url()):
        assert "Renamed just now" in visit(path)[1]


@pytest.mark.redis
@transactional
def test_the_copy_of_the_version_never_goes_back(redis_page_cache):
    offer_version(7)
    offer_version(5)  # a reader that read the database before a writer's bump
    assert cache.get(VERSION_KEY) == 7
    offer_version(8)
    assert cache.get(VERSION_KEY) == 8
    assert cache._cache.get_client().ttl(cache.make_key(VERSION_KEY)) <= VERSION_SECONDS


@pytest.mark.redis
@transactional
def test_without_a_copy_the_version_is_read_from_the_database_and_published(
    redis_page_cache, django_assert_num_queries
):
    ProjectFactory()
    visit("/")
    cache.delete(VERSION_KEY)  # expired, or Redis lost it
    with django_assert_num_queries(1):
        assert visit("/")[0] == "hit"
    assert cache.get(VERSION_KEY) == content_version()


@pytest.mark.redis
@transactional
def test_a_bump_the_cache_never_heard_of_shows_within_a_second(redis_page_cache, monkeypatch):
    """A writer that could not reach Redis (or a process without it) bumps only the
    database: the copy it could not raise lapses within VERSION_SECONDS."""
    project = ProjectFactory()
    visit(project.get_absolute_url())
    monkeypatch.setattr(projects.page_cache, "offer_version", lambda number: None)
    Project.objects.filter(pk=project.pk).update(title="Renamed unheard")
    monkeypatch.undo()
    time.sleep(VERSION_SECONDS + 0.2)
    assert "Renamed unheard" in visit(project.get_absolute_url())[1]


def redis_commands(monkeypatch) -> list[str]:
    """The commands sent to Redis from now on, each its name and first argument, with a
    lasting copy of the version (``lasting_version_copy``)."""
    lasting_version_copy(monkeypatch)
    sent, real = [], redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(" ".join(map(str, args[:2])))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


@pytest.mark.redis
@transactional
def test_with_redis_a_visitor_page_from_the_cache_is_one_round_trip(redis_page_cache, monkeypatch):
    """The version and the page under it, read at once (``versioned_get_many``)."""
    project = ProjectFactory()
    sent = redis_commands(monkeypatch)
    for path in ("/", project.get_absolute_url()):
        visit(path)
        sent.clear()
        state, html = visit(path)
        assert state == "hit" and project.title in html
        assert [command.split()[0] for command in sent] == ["EVALSHA"]


@pytest.mark.redis
@transactional
def test_with_redis_a_signed_in_page_read_again_is_two_round_trips(
    redis_page_cache, monkeypatch, settings
):
    """The session, then the version with everything kept under it that the page reads."""
    settings.SESSION_ENGINE = "agenda_site.sessions"  # as production has it with Redis
    project = ProjectFactory()
    client = signed_in_as(UserFactory(username="adalovelace"))
    sent = redis_commands(monkeypatch)
    for path in ("/", project.agenda.get_absolute_url(), project.get_absolute_url()):
        client.get(path, headers={"Accept-Encoding": "deflate"})
        sent.clear()
        html = client.get(path, headers={"Accept-Encoding": "deflate"})
        assert "adalovelace" in zlib.decompress(html.content).decode()
        assert [command.split()[0] for command in sent] == ["GET", "EVALSHA"], (path, sent)
        assert ":django.contrib.sessions." in sent[0]


@transactional
def test_a_signed_in_page_read_again_reads_the_cache_in_one_round_trip(page_cache, monkeypatch):
    """The reader, the kept parts, the frame, the reader's stakes and pieces and who the
    curators are: read ahead at once (``read_ahead``), not one after another."""
    project = ProjectFactory()
    client = signed_in_as(UserFactory(username="adalovelace"))
    researcher = UserFactory(username="alanturing")
    ClaimFactory(project=project, researcher=researcher)
    reads, backend, inside = [], caches["default"], []
    for name in ("get", "get_many"):
        real = getattr(backend, name)

        def counted(*args, real=real, name=name, **kwargs):
            if not inside:  # locmem's get_many calls get
                reads.append(name)
            inside.append(name)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)
    pages = [("/", "adalovelace"), (project.agenda.get_absolute_url(), "adalovelace")]
    pages += [(project.get_absolute_url(), name) for name in ("adalovelace", "alanturing")]
    readers = {"adalovelace": client, "alanturing": signed_in_as(researcher)}
    for path, name in pages:
        for _ in range(2):
            reads.clear()
            html = readers[name].get(path, headers={"Accept-Encoding": "deflate"})
        assert reads == ["get_many"], (path, name, reads)
        assert name in zlib.decompress(html.content).decode()
    # The researcher's own pieces were among what was read ahead.
    assert "Your claim" in zlib.decompress(html.content).decode()


# One render at a time: a page missed by many readers at once is rendered by one of them.


def held_elsewhere(monkeypatch, *, files: bool) -> list[list[str]]:
    """The cache as another request sees it that has claimed the first page rendered: it
    files its page (``files``), or only lets the claim go, while this request looks at the
    cache a second time. The looks, each the keys it read."""
    backend, claims, looks = caches["default"], [], []
    real_add, real_get_many = backend.add, backend.get_many

    def add(key, *args, **kwargs):
        taken = real_add(key, *args, **kwargs)
        if key.endswith(":rendering") and not claims:
            claims.append(key)
            return False  # the other request's
        return taken

    def get_many(keys, *args, **kwargs):
        looks.append(list(keys))
        if len(looks) == 2:
            if files:
                page = gzip.compress(b"<p>Rendered by the other request</p>")
                real_set(claims[0].removesuffix(":rendering"), (200, [], page), 60)
            backend.delete(claims[0])
        return real_get_many(keys, *args, **kwargs)

    real_set = backend.set
    monkeypatch.setattr(backend, "add", add)
    monkeypatch.setattr(backend, "get_many", get_many)
    return looks


@transactional
def test_a_visitor_waits_for_the_page_another_request_is_rendering(page_cache, monkeypatch):
    project = ProjectFactory()
    looks = held_elsewhere(monkeypatch, files=True)
    assert visit(project.get_absolute_url()) == ("hit", "<p>Rendered by the other request</p>")
    assert len(looks) == 2


@transactional
def test_a_visitor_renders_the_page_when_the_other_request_files_none(page_cache, monkeypatch):
    """An answer that is not kept (or a request that died) lets the claim go: whoever waits
    renders at once, not after WAIT_SECONDS."""
    project = ProjectFactory()
    looks = held_elsewhere(monkeypatch, files=False)
    state, html = visit(project.get_absolute_url())
    assert state == "miss" and project.title in html
    assert len(looks) == 2


@transactional
def test_a_signed_in_reader_waits_for_the_parts_another_request_is_rendering(
    page_cache, monkeypatch
):
    project = ProjectFactory(title="Kept apart from the claimed parts")
    client = signed_in_as()
    looks = held_elsewhere(monkeypatch, files=False)
    assert project.title in client.get("/").content.decode()
    # Read ahead, then one look at the parts and the claim on them.
    assert looks[-1][0].startswith("shell:") and looks[-1][1] == f"{looks[-1][0]}:rendering"


@transactional
def test_no_claim_outlives_its_render(page_cache):
    """Rendered, kept or not, or ending in a 404 raised while rendering parts: the claim
    goes with the render."""
    project = ProjectFactory()
    for client in (Client(), signed_in_as()):
        for path in ("/", project.get_absolute_url(), "/tags/no-such-tag/", "/?sort=sideways"):
            client.get(path)
    assert not [key for key in cache._cache if key.endswith(":rendering")]


def test_many_readers_at_once_render_an_entry_once(page_cache, monkeypatch):
    readers, renders, looked = 4, [], threading.Semaphore(0)
    real_get_many = LocMemCache.get_many

    def get_many(self, keys, *args, **kwargs):
        looked.release()
        return real_get_many(self, keys, *args, **kwargs)

    def render() -> str:
        renders.append(threading.get_ident())
        for _ in range(readers - 1):  # until every other reader waits for this render
            assert looked.acquire(timeout=30)
        cache.set("an-entry", "filed", 60)
        return "rendered"

    def read(_) -> str:
        return projects.page_cache._rendered_once(
            "an-entry", lambda entry: entry == "filed", lambda entry: "kept", render
        )

    monkeypatch.setattr(LocMemCache, "get_many", get_many)
    with ThreadPoolExecutor(readers) as pool:
        answers = sorted(pool.map(read, range(readers)))
    assert len(renders) == 1
    assert answers == ["kept"] * (readers - 1) + ["rendered"]
