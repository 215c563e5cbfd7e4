"""Sessions from the shared cache, kept in the database too; ending everywhere at sign-out.

Django's ``cached_db`` engine: a signed-in request finds its session in Redis, with no
query; a miss, or Redis away (the cache fails open, agenda_site.cache), reads the database
as before, and saving writes the database, then Redis. Used only with the board's Redis
cache (settings.py): with a cache per process, one app server would keep a session another
had ended; another shared cache would not fail open.

Redis keeps a copy for ``CACHED_SECONDS`` at most (the database keeps the session to its
expiry): a session saved while Redis was away, which reached only the database, is read as
saved again within that time, even if Redis kept an older copy through the outage.

Signing out must end the session on every app server, and no copy may outlive it. Django
would delete the database row, then the copy; a cache failing open drops that delete while
Redis is away, and a request on the same cookie that read the row just before could put a
copy back. Here, at sign-out (Django's ``user_logged_out`` marks the session), Redis is
told first that the session ended, and told again after the row is deleted: a copy saved
in between is overwritten, and one offered later is refused (a copy is only ever added
where Redis holds none). If Redis cannot be reached, nothing is ended:
``SessionNotEnded``, which the outage middleware answers with 503 and a page saying the
person is still signed in and to try again (projects.outages). Django's other ends of a
session (signing in as someone else, a password changed elsewhere) end it as Django does:
the session they end held no one, or no longer passes Django's password check.

Only the synchronous methods are the board's own: under WSGI nothing calls the others.
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.dispatch import receiver
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The longest Redis keeps a copy of a session.
CACHED_SECONDS = 600
# How long Redis remembers that a session ended: longer than any request that read the
# session before its end could take to offer a copy.
ENDED_SECONDS = 600
# What Redis holds for an ended session: a session with nothing in it (no one signed in).
ENDED: dict = {}


class SessionNotEnded(Exception):
    """A sign-out that could not end the session everywhere, so ended it nowhere."""

    message = (
        "Signing out needs the board's cache, which cannot be reached just now, so you are "
        "still signed in. Please try again in a minute."
    )


@receiver(user_logged_out)
def signing_out(sender, request, user, **kwargs) -> None:
    """Django's ``logout()`` sends this just before it ends the session: mark it a sign-out."""
    session = getattr(request, "session", None)
    if isinstance(session, SessionStore):
        session.signing_out = True


class SessionStore(cached_db.SessionStore):
    signing_out = False

    def _cached_for(self, expiry=None) -> int:
        return min(CACHED_SECONDS, self.get_expiry_age(expiry=expiry))

    def load(self) -> dict:
        """The copy in Redis; else the database's, offered to Redis where it holds none."""
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an invalid key: a new session, as Django does
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache.add(self.cache_key, data, self._cached_for(stored.expire_date))
        return data

    def save(self, must_create: bool = False) -> None:
        """The database, then a copy in Redis (dropped while Redis is away)."""
        DBStore.save(self, must_create)
        self._cache.set(self.cache_key, self._session, self._cached_for())

    def flush(self) -> None:
        """End the session. At sign-out: Redis first (or ``SessionNotEnded``, with nothing
        changed), the database row, then Redis again; otherwise as Django does."""
        if not (self.signing_out and self.session_key is not None):
            super().flush()
            return
        key = self.cache_key
        set_or_raise = getattr(self._cache, "set_or_raise", self._cache.set)
        try:
            set_or_raise(key, ENDED, ENDED_SECONDS)
        except RedisError as error:
            raise SessionNotEnded(SessionNotEnded.message) from error
        self.clear()
        DBStore.delete(self)
        self._cache.set(key, ENDED, ENDED_SECONDS)
        self._session_key = None
