"""Sessions from the shared cache, kept in the database too; ending everywhere at sign-out.

Django's ``cached_db`` engine: a signed-in request finds its session in Redis, with no
query; a miss, or Redis away (the cache fails open, agenda_site.cache), reads the database
as before, and saving writes both. Used only with a shared cache (settings.py): with a
cache per process, one app server would keep a session another had ended.

What it changes is signing out. Django deletes the database row, then the cached copy; a
cache failing open would drop that delete while Redis is away, and the copy Redis kept
would sign the cookie in again when it is back. Here the cached copy goes first, and if
Redis cannot be reached nothing is ended: ``SessionNotEnded``, which the outage
middleware answers with 503 and a page saying the person is still signed in and to try
again (projects.outages). Signing in is unaffected: the session it replaces held no one.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db
from redis.exceptions import RedisError


class SessionNotEnded(Exception):
    """A sign-out that could not end the session everywhere, so ended it nowhere."""

    message = (
        "Signing out needs the board's cache, which cannot be reached just now, so you are "
        "still signed in. Please try again in a minute."
    )


class SessionStore(cached_db.SessionStore):
    def flush(self) -> None:
        """End the session: its cached copy first, which must go (or nothing ends), then
        the database row, and a new empty session."""
        if self.session_key is not None:
            key = self.cache_key_prefix + self.session_key
            delete = getattr(self._cache, "delete_or_raise", self._cache.delete)
            try:
                delete(key)
            except RedisError as error:
                raise SessionNotEnded(SessionNotEnded.message) from error
        super().flush()
