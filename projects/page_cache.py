"""Pages from the shared cache, never stale and never personal.

Most visitors read without signing in, and for them a page is the same for everyone. The
middleware serves such a page from the cache (Redis, shared by every app server) when it
was rendered at the current content version, and otherwise renders it and files it there.
For the signed in, ``shell`` does the same for the parts of a page that are the same for
everyone signed in (the project list's and an agenda page's, a project page's for those
with no stake in it), and the page's frame, their own, goes around them. What is a
reader's own is kept for them alone under the same version: the user record
(``for_signed_in``), values such as their unread count (``for_reader``), their pieces of
a page (``for_reader_parts``) and the page's frame (``_frame``), with a slot wherever their
CSRF token goes. What is kept is kept compressed too, and ``stitched_page`` stitches the
reader's compressed answer from it (``projects.stitching``), the token in each slot; what
a signed-in page reads from the cache comes in one round trip (``read_ahead``).

Never stale: every statement that writes to a table a page may show (an INSERT, UPDATE or
DELETE, from a form, the admin, the API, a management command, the sweep, or a
``QuerySet.update()``) schedules one bump of the content version for when its transaction
commits (``track_writes``, on every database connection). Every process tracks its writes,
whether or not it caches pages itself (settings.TRACK_CONTENT_VERSION; only the tests turn
it off, but for the tests of this module). The version lives in the database
(``ContentVersion``); each bump is offered, once committed, to a copy in Redis, which
every cached request reads (no query), in the same round trip as what it reads under it
(``versioned_get_many``), and which only ever goes up. After any write, the
next request of any reader on any app server finds no entry for the new version and
renders afresh. The copy lasts ``VERSION_SECONDS`` (1): then the next request reads the
database and offers what it read. So a bump Redis never heard of (its writer could not
reach Redis, or ran with no shared cache) shows within a second, and so does a Redis
restored from an old copy. A write rolled back bumps nothing; an entry lost or kept by a
Redis that went away is only ever filed under an old version.

Never personal: only GET requests with no session cookie are served or stored as whole
pages, and only answers that set no cookie, are not private, and hold no CSRF token. So
no CSRF token, cookie, message or user name is ever in a shared page. A part ``shell``
keeps depends on nothing about the reader but whether they are signed in, and one that
holds a CSRF token is never kept.

A page or parts missed by many readers at once (after a write, or when they expire) are
rendered by one of them while the others wait for what it files (``_rendered_once``).

Entries expire after ``PAGE_CACHE_SECONDS`` (5 minutes), which is as late as "3 days ago"
or a claim turning stale (changes of time, not of data) can show. With a cache per process
the whole thing is off (settings.PAGE_CACHE; system check board.W003).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, ProgrammingError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.text import compress_string
from redis.exceptions import NoScriptError, RedisError

from projects import stitching
from projects.markdown.links import BOARD_LINK_CLASS

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Tables whose writes no page shows: sessions, the version itself, the task queue.
UNVERSIONED_TABLES = ("django_session", "projects_contentversion", "django_tasks_db_")
# Paths never cached: personal, one-off, or live (settings.PAGE_CACHE_SKIP may add more).
UNCACHED_PATHS = (
    "/admin/",
    "/accounts/",
    "/notifications/",
    "/claims/",
    "/preview/",
    "/mentions/",
    "/healthz",
    "/readyz",
    "/static/",
)
# An answer's headers that are not kept with it.
UNKEPT_HEADERS = {"set-cookie", "date", "content-length"}
ENTRY_LENGTH = 3  # status, headers, compressed content
HEADER = "X-Page-Cache"  # "hit" or "miss", for whoever measures
# A form's CSRF token, or one for htmx's requests.
CSRF_TOKEN = re.compile(r"csrfmiddlewaretoken|x-csrftoken", re.IGNORECASE)
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware reads Accept-Encoding


def content_version() -> int:
    """The current content version in the database (one query, without the ORM: it runs
    whenever Redis has no copy of it)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT number FROM projects_contentversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


# The shared cache's copy of the content version, and how long a copy stands: at most this
# long may a bump the copy never heard of (its writer could not reach Redis) go unseen.
VERSION_KEY = "content-version"
VERSION_SECONDS = 1
# Redis keeps an offered number only if it is above the copy: writers offer their bumps,
# and a reader that found no copy offers what it read in the database, in any order, and
# the copy never goes back.
_OFFER = """
local held = tonumber(redis.call('GET', KEYS[1]) or '-1')
if held < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
"""


def _shared_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


def offer_version(number: int) -> None:
    """Offer ``number`` as the shared copy of the content version (kept if it is newer).
    With Redis away nothing is kept, and the copy lapses within VERSION_SECONDS."""
    if not _shared_redis():
        return
    try:
        client = cache._cache.get_client(write=True)
        client.eval(_OFFER, 1, cache.make_and_validate_key(VERSION_KEY), number, VERSION_SECONDS)
    except RedisError:
        logger.info("The content version %s could not be offered to the cache", number)


def request_version(request: HttpRequest) -> int:
    """The content version as this request first read it: Redis's copy, else the database's
    (one query), then offered to Redis for the next second's requests."""
    if not hasattr(request, "content_version"):
        number = cache.get(VERSION_KEY) if _shared_redis() else None
        if not isinstance(number, int):
            read_at = time.monotonic()
            number = content_version()
            # Not if this request stalled since: a bump in between could have lapsed, and
            # the old number would be taken for a second.
            if time.monotonic() - read_at < VERSION_SECONDS / 2:
                offer_version(number)
        request.content_version = number
    return request.content_version


# What keys name the version by before it is read: ``versioned_get_many`` reads the
# version and the values under it in one round trip, a script that Redis runs.
VERSION_SLOT = "{version}"
_VERSIONED_GET_MANY = """
local version = redis.call('GET', KEYS[1])
if not version then
  return {false}
end
local keys = {}
for i, key in ipairs(ARGV) do
  keys[i] = (string.gsub(key, '{version}', version, 1))
end
local found = redis.call('MGET', unpack(keys))
table.insert(found, 1, version)
return found
"""

_VERSIONED_GET_MANY_SHA = hashlib.sha1(
    _VERSIONED_GET_MANY.encode(), usedforsecurity=False
).hexdigest()


def versioned_get_many(request: HttpRequest, keys: list[str]) -> dict[str, object] | None:
    """What the cache holds at ``keys``, each naming the version by ``VERSION_SLOT``, read
    with Redis's copy of the version in one round trip (which ``request_version`` then
    gives), by the keys with the version in. None when the request has read the version
    already, or Redis has no copy of it (or is away, or is not the cache): then the version
    is read as ``request_version`` does and the keys are read after it."""
    if hasattr(request, "content_version") or not _shared_redis():
        return None
    client = cache._cache.get_client(write=False)
    asked = [cache.make_and_validate_key(key) for key in (VERSION_KEY, *keys)]
    try:
        try:
            found = client.evalsha(_VERSIONED_GET_MANY_SHA, 1, *asked)
        except NoScriptError:  # the first time this Redis is asked, or after a restart
            found = client.eval(_VERSIONED_GET_MANY, 1, *asked)
    except RedisError:
        return None  # the version is read again, and the failing cache warned of then
    if not found or found[0] is None:
        return None
    request.content_version = number = int(found[0])
    loads = cache._cache._serializer.loads
    return {
        key.replace(VERSION_SLOT, str(number), 1): None if value is None else loads(value)
        for key, value in zip(keys, found[1:], strict=True)
    }


def bump_content_version() -> int:
    """One more version: every page cached before is old. Returns it."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "UPDATE projects_contentversion SET number = number + 1 WHERE id = 1 RETURNING number"
        )
        row = cursor.fetchone()
    if row:
        return row[0]
    from projects.models import ContentVersion

    ContentVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    return content_version()


def _is_versioned_write(sql: str) -> bool:
    verb = sql.lstrip()[:6].upper()
    return verb in ("INSERT", "UPDATE", "DELETE") and not any(
        table in sql for table in UNVERSIONED_TABLES
    )


def _versioned_write_tracker(alias: str):
    """An execute wrapper for connection ``alias``: after a statement that writes a
    versioned table, one bump when the transaction commits (at once in autocommit)."""

    def bump() -> None:
        offer_version(bump_content_version())

    def track(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if settings.TRACK_CONTENT_VERSION and not _Migrating.now and _is_versioned_write(sql):
            connection = connections[alias]
            pending = connection.in_atomic_block and any(
                callback is bump for _, callback, _ in connection.run_on_commit
            )
            if not pending:
                # Robust: should the bump fail after the commit, the write still stands and
                # is answered as done (logged; pages catch up within PAGE_CACHE_SECONDS).
                transaction.on_commit(bump, using=alias, robust=True)
        return result

    track.bumps_content_version = True
    return track


class _Migrating:
    """Whether ``migrate`` is running in this process: its writes bump nothing (the version's
    own table may not exist yet); the whole run bumps once, at its end."""

    now = False


def migration_starts(sender, **kwargs) -> None:
    """pre_migrate: stop tracking writes until the end of the run."""
    _Migrating.now = True


def migration_ends(sender, **kwargs) -> None:
    """post_migrate: track writes again, and make every cached page old: a release's new
    templates and data show at once. (Migrated back past the version's table, there is
    nothing to bump.)"""
    _Migrating.now = False
    try:
        with transaction.atomic():
            number = bump_content_version()
    except DatabaseError:
        logger.info("No content version to bump: its table is not there.")
    else:
        offer_version(number)


def track_writes(sender, connection, **kwargs) -> None:
    """On each new database connection (the connection_created signal): track its writes,
    once."""
    if not any(getattr(w, "bumps_content_version", False) for w in connection.execute_wrappers):
        # First, beneath any wrapper a ``with connection.execute_wrapper()`` block pushes
        # and pops (it pops the last one).
        connection.execute_wrappers.insert(0, _versioned_write_tracker(connection.alias))


# The request headers a page may answer differently to (htmx asks for a section).
VARYING_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def _key(request: HttpRequest, version: int | str, kind: str = "page", *also: str) -> str:
    """The entry's key: what it is, the version, and everything the page may depend on. The
    host (which also refuses a host not in ALLOWED_HOSTS, as a page would) and the scheme
    are in it for the absolute links of feeds, exports and the API."""
    asked = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        *(request.headers.get(h, "") for h in VARYING_HEADERS),
        *also,
    ]
    return f"{kind}:{version}:{hashlib.sha256(repr(asked).encode()).hexdigest()}"


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and _cached_path(request)
    )


def _cached_path(request: HttpRequest) -> bool:
    """Whether the request's path is one pages may be kept for (``UNCACHED_PATHS``, and
    settings.PAGE_CACHE_SKIP)."""
    return not request.path.startswith((*UNCACHED_PATHS, *settings.PAGE_CACHE_SKIP))


def _cacheable_response(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and b"csrfmiddlewaretoken" not in response.content
    )


def _from_entry(request: HttpRequest, entry: tuple) -> HttpResponse:
    """The answer an entry holds: compressed for a browser that accepts gzip (every one
    today), unpacked for a client that does not."""
    status, headers, compressed = entry
    gzipped = ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    response = HttpResponse(compressed if gzipped else gzip.decompress(compressed), status=status)
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response[HEADER] = "hit"
    return response


# One render of an entry at a time, on every app server together: the first request to miss
# it claims it and renders, and the others wait for what it files. Otherwise every reader of
# a popular page renders it at once after each write or expiry, each as slowly as all of
# them together (seconds, on a large board), and the threads of every other page wait too.
CLAIM_SECONDS = 10  # a claim lapses by then (its request died)
WAIT_SECONDS = 5.0  # the longest a request waits for another's render before its own
POLL_SECONDS = (0.005, 0.05)  # the first wait between looks at the cache, and the longest


def _claim(key: str) -> str:
    return f"{key}:rendering"


def _rendered_once(
    key: str,
    valid: Callable[[object], bool],
    kept: Callable[[object], T],
    render: Callable[[], T],
) -> T:
    """What ``render`` gives (it files the entry at ``key`` when the answer may be kept),
    rendered by one request at a time: this one, if it claims the key, else the entry the
    claiming request files (``kept`` of it, once ``valid``), or this request's own render
    when that request files none, or not within ``WAIT_SECONDS``. With Redis away, every
    request renders (a claim is always granted)."""
    claim = _claim(key)
    if cache.add(claim, 1, CLAIM_SECONDS):
        try:
            return render()
        finally:
            cache.delete(claim)
    deadline, pause = time.monotonic() + WAIT_SECONDS, POLL_SECONDS[0]
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, POLL_SECONDS[1])
        found = cache.get_many([key, claim])  # both at once: filed, then released
        if valid(found.get(key)):
            return kept(found[key])
        if claim not in found:  # rendered but not filed (an answer not kept), or died
            break
    return render()


def reader_role(request: HttpRequest) -> str:
    """What a shared part of a page may depend on about its reader: signed in or not."""
    return "member" if request.user.is_authenticated else "visitor"


def _masked_token(request: HttpRequest) -> str:
    """The reader's CSRF token for this answer, masked once (``get_token`` masks it anew on
    each call) for every form and the frame of what the page cache fills in; again if the
    secret has changed since (a sign-in rotates it)."""
    kept = getattr(request, "_page_cache_token", None)
    if kept is None or kept[0] != request.META.get("CSRF_COOKIE"):
        token = get_token(request)
        kept = request._page_cache_token = (request.META.get("CSRF_COOKIE"), token)
    return kept[1]


def token_slot() -> str:
    """What kept parts hold where a form's CSRF token goes (``shell(..., tokens=True)``),
    replaced by the reader's own token on the way out. Derived from SECRET_KEY: no one who
    writes on the site can put it in a comment and have a token appear there."""
    return salted_hmac("page-cache-token-slot", "slot").hexdigest()


# A form's token as Django's {% csrf_token %} writes it, and htmx's header for one.
HEADER_TOKEN = re.compile("x-csrftoken", re.IGNORECASE)
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def _token_input(token: str) -> str:
    return f'name="csrfmiddlewaretoken" value="{token}"'


def _holds_no_token(html: str, *, tokens: bool) -> bool:
    """Whether a part may be kept: no CSRF token in it; or, for parts rendered with the slot
    (``tokens``), forms whose tokens are all the slot, the slot nowhere else (not even in
    what someone wrote), and nothing else naming a token."""
    if not tokens:
        return not CSRF_TOKEN.search(html)
    slot = token_slot()
    values = TOKEN_INPUT.findall(html)
    return (
        all(value == slot for value in values)
        and html.count(slot) == len(values)
        and not HEADER_TOKEN.search(html)
    )


def shell(
    request: HttpRequest,
    name: str,
    parts: tuple[str, ...],
    build: Callable[[], dict[str, str]],
    *,
    tokens: bool = False,
    cut: Callable[[str], object] | None = None,
) -> dict[str, str]:
    """A page's ``parts`` that are the same for every reader of a role (``reader_role``), as
    ``build`` renders them: from the shared cache when they were rendered at the current
    content version for this request (the key is the page's), else rendered and filed
    there. The page's frame (the reader's name, their CSRF token, messages) is rendered
    around them for each request. A part holding a CSRF token is never filed; with
    ``tokens``, ``build`` renders its forms' tokens as ``token_slot()``, and each comes out
    as this reader's own token. With page caching off, rendered each time.

    Parts are kept compressed too (``Parts.pieces``): as ``stitching.piece`` does, or with
    ``tokens``, as ``cut`` makes them ready to stitch around the slots (None: not at all).

    The version is read before ``build`` reads anything: parts (and the rows and glance
    inside them, ``rows_cache``) are never filed under a version newer than their data."""
    if not settings.PAGE_CACHE:
        return _with_token(request, build(), {}, tokens)
    try:
        key = _shell_key(request, name, tokens, reader_role(request))
    except ProgrammingError:  # deployed before its migration: render, uncached
        return _with_token(request, build(), {}, tokens)

    def valid(kept) -> bool:  # filed by this code, every part as text or compressed
        return (
            isinstance(kept, tuple)
            and len(kept) == 2
            and set(parts) == set(kept[0]) | set(kept[1])
            and all(name in kept[0] or kept[1][name] for name in parts)
        )

    def shown(kept: tuple) -> dict[str, str]:
        return _with_token(request, *kept, tokens)

    def render() -> dict[str, str]:
        built = build()
        pieces = {}
        if all(_holds_no_token(html, tokens=tokens) for html in built.values()):
            text = built
            if tokens:
                pieces = {k: cut(v) for k, v in built.items()} if cut else {}
            else:
                # Parts with no slot are the same bytes for every reader: kept compressed,
                # and a long one only so (a stitched answer never reads the text); but for
                # any with links to fill in on the way out.
                pieces = {
                    k: stitching.piece(v.encode()) for k, v in built.items() if BOARD_LINK not in v
                }
                text = {k: v for k, v in built.items() if k not in pieces or len(v) < PLAIN_BELOW}
            cache.set(key, (text, pieces), settings.PAGE_CACHE_SECONDS)
        return shown((built, pieces))

    kept = _read(request, key)
    return shown(kept) if valid(kept) else _rendered_once(key, valid, shown, render)


def _shell_key(
    request: HttpRequest, name: str, tokens: bool, role: str, version: int | str | None = None
) -> str:
    # With the slot in the key: a new SECRET_KEY never meets parts with the old slot.
    slot = token_slot() if tokens else ""
    version = request_version(request) if version is None else version
    return _key(request, version, "shell", name, role, slot)


# What a part kept compressed alone (``shell``) holds until it is first read.
_PACKED = object()
# A part shorter than this is kept as text as well as compressed: unpacking it would cost
# more than reading it from the cache.
PLAIN_BELOW = 2048


class Parts(dict):
    """A page's parts, rendered, and ``pieces``: those kept compressed (``stitching``);
    ``raw``: the parts as kept, forms' tokens as the slot. A part kept only compressed is
    unpacked when it is first read: a stitched answer never reads it."""

    pieces: dict[str, stitching.Piece]
    raw: dict[str, str]

    def __getitem__(self, name: str):
        value = super().__getitem__(name)
        if value is _PACKED:
            value = self[name] = mark_safe(stitching.unpacked(self.pieces[name]).decode())
        return value

    def is_packed(self, name: str) -> bool:
        """Whether the part is as yet only compressed (so holds no ``BOARD_LINK``)."""
        return super().get(name) is _PACKED

    def get(self, name: str, default=None):
        return self[name] if name in self else default  # noqa: SIM401 (self.get is this)

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


def _with_token(
    request: HttpRequest, parts: dict[str, str], pieces: dict, tokens: bool
) -> dict[str, str]:
    """The parts, safe to show, with the reader's own CSRF token in each slot (``tokens``);
    without, those kept compressed alone (in ``pieces`` but not ``parts``), unpacked when
    read."""
    if tokens:
        slot, token = _token_input(token_slot()), _token_input(_masked_token(request))
        filled = {part: html.replace(slot, token) for part, html in parts.items()}
        shown = Parts((part, mark_safe(html)) for part, html in filled.items())
        shown.pieces, shown.raw = pieces, parts
        return shown
    shown = Parts((part, mark_safe(html)) for part, html in parts.items())
    shown.update((name, _PACKED) for name in pieces if name not in parts)
    shown.pieces, shown.raw = pieces, shown
    return shown


# A browser that takes the zlib format (every one today), unless it says q=0.
ACCEPTS_DEFLATE = re.compile(r"\bdeflate\b(?!\s*;\s*q=0(?:\.0*)?\s*(?:,|$))")


def _stitchable(request: HttpRequest) -> bool:
    """Whether this answer may be stitched: for a browser that takes the zlib format, and
    not for an answer the middleware may keep whole (a visitor's), which it compresses
    itself."""
    accepted = request.headers.get("Accept-Encoding", "")
    return not _cacheable_request(request) and bool(ACCEPTS_DEFLATE.search(accepted))


def _kept_pieces(parts: dict) -> dict[str, stitching.Piece]:
    """The parts kept compressed, but for any with links to fill in (``BOARD_LINK``)."""
    kept = getattr(parts, "pieces", {})
    return {
        name: piece
        for name, piece in kept.items()
        if isinstance(piece, stitching.Piece)
        and (parts.is_packed(name) or BOARD_LINK not in parts[name])
    }


# How long a form's token is, as ``{% csrf_token %}`` writes it (a masked token's length is
# fixed): what a kept chain's holes take (``stitching.Chain``).
TOKEN_INPUT_LENGTH = len(_token_input("0" * CSRF_TOKEN_LENGTH))


def token_input_slot() -> str:
    """A form's token as kept parts hold it (``shell(..., tokens=True)``)."""
    return _token_input(token_slot())


def token_input(request: HttpRequest) -> str:
    """What a form's token is for this reader, as ``{% csrf_token %}`` writes it."""
    return _token_input(_masked_token(request))


def _stitched(stretches: list, status: int) -> HttpResponse:
    response = HttpResponse(stitching.stitched(stretches), status=status)
    response["Content-Encoding"] = "deflate"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def respond(request: HttpRequest, template: str, parts: dict, *, status: int = 200) -> HttpResponse:
    """The page ``template`` renders around ``parts`` (each shown once at most): for a
    browser that takes it, stitched from the parts and the frame as kept compressed
    (``stitched_page``), the same bytes once unpacked; else rendered whole, for
    GZipMiddleware to compress."""
    return stitched_page(request, template, parts, status=status) or render(
        request, template, {"parts": parts}, status=status
    )


def stitched_page(
    request: HttpRequest,
    template: str,
    parts: dict,
    *,
    status: int = 200,
    stretches: dict[str, list] | None = None,
) -> HttpResponse | None:
    """The page ``template`` renders around ``parts``, stitched (``stitching``) from the
    parts as kept compressed, or as ``stretches`` gives them (pieces, and bytes to compress
    apart), and the page's frame (``_frame``); None when it may not be (``_stitchable``),
    or a part it shows is not kept compressed. Apart, the reader's CSRF token shares no
    compression window with what a part holds (what others wrote, the query the reader
    asked for): the frame holds it only as a stored block."""
    if not _stitchable(request):
        return None
    pieces = {**_kept_pieces(parts), **(stretches or {})}
    frame = _frame(request, template, parts) if "content" in pieces else None
    if not frame or any(isinstance(item, str) and item not in pieces for item in frame):
        return None
    token, answer = _masked_token(request).encode(), []
    for item in frame:
        if isinstance(item, str):  # a part's name
            answer += pieces[item] if isinstance(pieces[item], list) else [pieces[item]]
        else:  # a chain of the frame's text
            filled = item.filled(token)
            if filled is None:
                return None
            answer += filled
    return _stitched(answer, status)


def frame_token_slot() -> str:
    """What a kept frame holds where the reader's CSRF token goes: as long as a token, and
    derived from SECRET_KEY, as ``token_slot`` is."""
    slot = salted_hmac("page-cache-frame-token-slot", "slot", algorithm="sha256").hexdigest()
    return slot[:CSRF_TOKEN_LENGTH]


def _frame(request: HttpRequest, template: str, parts: dict) -> tuple | None:
    """The page's frame, as ``template`` renders it around ``parts``: in order, the parts'
    names where they go and chains (``stitching.Chain``) of the text between, with a hole
    wherever the reader's token goes. Kept for a signed-in reader with no message waiting,
    under the content version (``for_reader``), per page and query: it holds their name
    and unread count, both changed by writes alone. None when a part shows more than once,
    or none does, or the text holds links to fill in on the way out."""

    def build() -> tuple | None:
        return _frame_of(request, template, parts)

    if not request.user.is_authenticated or len(get_messages(request)):
        return build()
    return for_reader(request, _frame_name(request, template, parts), build, tuple)


def _frame_name(request: HttpRequest, template: str, parts) -> str:
    asked = repr([request.scheme, request.get_host(), request.get_full_path(), template])
    return f"frame:{hashlib.sha256(f'{asked}{sorted(parts)}'.encode()).hexdigest()}"


def _frame_of(request: HttpRequest, template: str, parts: dict) -> tuple | None:
    marked = Parts(parts)
    markers = {name: f"<!--kept:{secrets.token_hex(16)}-->" for name in parts}
    for name, marker in markers.items():
        marked[name] = mark_safe(marker)
    slot = frame_token_slot()
    html = render_to_string(template, {"parts": marked, "csrf_token": slot}, request)
    if BOARD_LINK in html or any(html.count(marker) > 1 for marker in markers.values()):
        return None
    found = sorted((html.index(marker), name) for name, marker in markers.items() if marker in html)

    def chain(text: str) -> stitching.Chain | None:
        return stitching.chain([s.encode() for s in text.split(slot)], CSRF_TOKEN_LENGTH)

    items, at = [], 0
    for begin, name in found:
        items += [chain(html[at:begin]), name]
        at = begin + len(markers[name])
    items.append(chain(html[at:]))
    return tuple(items) if found and None not in items else None


def respond_part(request: HttpRequest, parts: dict, name: str) -> HttpResponse:
    """One part alone (a section htmx swaps in): as kept compressed, for a browser that
    takes it."""
    piece = _kept_pieces(parts).get(name) if _stitchable(request) else None
    return HttpResponse(parts[name]) if piece is None else _stitched([piece], 200)


# Links to the board's projects in what people wrote, which a middleware fills in on the
# way out (projects.middleware.board_links): a page that holds one is not stitched.
BOARD_LINK = f'class="{BOARD_LINK_CLASS}'


def _versioned_key(request: HttpRequest, name: str, version: str | None = None) -> str | None:
    """Where a value a page reads (``for_reader``, ``for_everyone``) is kept under the
    content version (or ``version``, VERSION_SLOT, before it is read); None when it may not
    be kept: page caching off, or a request that may write (not a GET or HEAD, a path never
    cached, inside a transaction: it could have read the version before its own write)."""
    if not (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and _cached_path(request)
        and not connections["default"].in_atomic_block
    ):
        return None
    try:
        return f"kept:{request_version(request) if version is None else version}:{name}"
    except ProgrammingError:  # deployed before its migration
        return None


def _kept_value(request: HttpRequest, name: str, compute: Callable, kind: type, keep=bool):
    """The value ``compute`` gives, kept under the content version at ``name``: from the
    cache when it holds one of ``kind`` there, else computed, and kept if ``keep`` says so.
    Computed afresh each time when it may not be kept (``_versioned_key``)."""
    key = _versioned_key(request, name)
    if key is None:
        return compute()
    kept = _read(request, key)
    if isinstance(kept, kind):
        return kept
    value = compute()
    if keep(value):
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def _read(request: HttpRequest, key: str):
    """What the cache holds at ``key``: as read ahead for this request (``read_ahead``),
    once, else from the cache."""
    ahead = getattr(request, "_read_ahead", None)
    if ahead is not None and key in ahead:
        return ahead.pop(key)
    return cache.get(key)


def read_ahead(
    request: HttpRequest,
    *,
    shell: tuple[str, bool],
    template: str | None = None,
    parts: tuple[str, ...] = (),
    reader: tuple[str, ...] = (),
    reader_parts: tuple[str, ...] = (),
    everyone: tuple[str, ...] = (),
) -> None:
    """Read at once, in one round trip, what a signed-in reader's page reads from the cache
    one value after another: the user the session names (``for_signed_in``), the page's kept
    parts (``shell``: its name and whether they hold token slots), its frame (``template``
    around ``parts``), the values kept about the reader (``reader``, as ``for_reader`` names
    them), their own parts (``reader_parts``, as ``for_reader_parts`` names them) and values
    for everyone (``everyone``). Each is then taken from here, once. Nothing for a
    request whose values may not be kept (``_versioned_key``), or with no one signed in."""
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return
    names = [
        f"user:{user_id}",
        *(f"reader:{name}:{user_id}" for name in reader),
        *(f"reader:{_reader_parts_name(name)}:{user_id}" for name in reader_parts),
        *(f"everyone:{name}" for name in everyone),
    ]
    if template is not None:
        names.append(f"reader:{_frame_name(request, template, parts)}:{user_id}")
    keys = [_versioned_key(request, name, VERSION_SLOT) for name in names]
    if None in keys:
        return
    keys.append(_shell_key(request, *shell, role="member", version=VERSION_SLOT))
    found = versioned_get_many(request, keys)
    if found is None:
        try:
            version = str(request_version(request))
        except ProgrammingError:  # deployed before its migration
            return
        keys = [key.replace(VERSION_SLOT, version, 1) for key in keys]
        found = dict.fromkeys(keys) | cache.get_many(keys)
    request._read_ahead = found


def _always(value) -> bool:
    return True


def for_everyone(request: HttpRequest, name: str, compute: Callable[[], frozenset]) -> frozenset:
    """A set that pages read for every reader (who the curators are), kept under the content
    version for all of them: any write that could change it bumps the version, so it is
    never stale. It must hold nothing personal (ids, not names)."""
    return _kept_value(request, f"everyone:{name}", compute, frozenset, _always)


def for_reader(request: HttpRequest, name: str, compute: Callable, kind: type = int):
    """A value about the signed-in reader (a number every page's frame shows, their unread
    notifications; what they hold on a project) kept for them under the content version: any
    write that could change it bumps the version, so it is never stale, and a page filled
    from kept parts costs no query for it. An empty tuple (no such project) is not kept, so
    that addresses of no project leave nothing in the cache."""
    keep = bool if kind is tuple else _always
    return _kept_value(request, f"reader:{name}:{request.user.pk}", compute, kind, keep)


def _is_signed_in(user) -> bool:
    return user.is_authenticated


def for_signed_in(request: HttpRequest, user_id: str, find: Callable):
    """The user a session names (``user_id``), as ``find`` finds them, kept under the
    content version (``accounts.middleware.kept_user`` checks the session against them);
    no one is not kept."""
    from django.contrib.auth import get_user_model

    return _kept_value(request, f"user:{user_id}", find, get_user_model(), _is_signed_in)


def _reader_parts_name(name: str) -> str:
    # With the slot in the name: a new SECRET_KEY never meets parts with the old slot.
    return f"{name}:{token_slot()}"


def for_reader_parts(
    request: HttpRequest,
    name: str,
    build: Callable[[], dict[str, str]],
    *,
    holds: object = None,
    cut: Callable[[dict[str, str]], dict] | None = None,
) -> dict[str, str]:
    """Parts of a page that are the signed-in reader's own (their claim's forms, say), as
    ``build`` renders them with forms' tokens left as ``token_slot()``: kept for this
    reader alone under the content version, as ``for_reader`` keeps a number, and each
    slot filled with their token on the way out. Parts holding a token that is not the
    slot are never kept. Rendered afresh when they may not be kept (``_versioned_key``).
    ``holds`` is what else the parts depend on (what the reader holds on the page), kept
    with them: parts kept for something else are rendered afresh. ``cut`` gives what is
    kept compressed with them (``Parts.pieces``), from the parts as ``build`` rendered
    them."""
    key = _versioned_key(request, f"reader:{_reader_parts_name(name)}:{request.user.pk}")
    if key is not None:
        kept = _read(request, key)
        # Filed by this code, for what the reader holds now.
        if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == holds:
            return _with_token(request, *kept[1:], True)
    built = build()
    pieces = {}
    if key is not None and all(_holds_no_token(html, tokens=True) for html in built.values()):
        pieces = cut(built) if cut else {}
        cache.set(key, (holds, built, pieces), settings.PAGE_CACHE_SECONDS)
    return _with_token(request, built, pieces, True)


def page_cache(get_response):
    """Middleware: a visitor's page from the shared cache, or rendered and filed there."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or not _cacheable_request(request):
            return get_response(request)
        found = versioned_get_many(request, [_key(request, VERSION_SLOT)])
        if found:
            [(key, entry)] = found.items()
        else:
            try:
                key = _key(request, request_version(request))
            except ProgrammingError:  # deployed before its migration: serve, uncached
                return get_response(request)
            entry = cache.get(key)
        if _is_entry(entry):
            return _from_entry(request, entry)

        def render() -> HttpResponse:
            response = get_response(request)
            if _cacheable_response(response):
                headers = [(n, v) for n, v in response.items() if n.lower() not in UNKEPT_HEADERS]
                # Compressed once, here, rather than by GZipMiddleware on every hit, and kept
                # only so: a hit moves a seventh of the page out of Redis. GZipMiddleware's
                # random padding against BREACH guards secrets in a page; these hold none.
                compressed = compress_string(response.content)
                entry = (response.status_code, headers, compressed)
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                response[HEADER] = "miss"
            return response

        return _rendered_once(key, _is_entry, lambda entry: _from_entry(request, entry), render)

    return middleware


def _is_entry(entry) -> bool:
    """Whether ``entry`` is a page filed by this code."""
    return isinstance(entry, tuple) and len(entry) == ENTRY_LENGTH
