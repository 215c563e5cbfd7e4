"""Sessions from the shared cache, kept in the database too; ending everywhere at sign-out.

Django's ``cached_db`` engine: a signed-in request finds its session in Redis, with no
query; a miss, or Redis away (the cache fails open, agenda_site.cache), reads the database
as before, and saving writes the database, then Redis. Used only with the board's Redis
cache (settings.py): with a cache per process, one app server would keep a session another
had ended; another shared cache would not fail open.

Redis keeps a copy for ``CACHED_SECONDS`` at most (the database keeps the session to its
expiry): a session saved while Redis was away, which reached only the database, is read as
saved again within that time, even if Redis kept an older copy through the outage.

An ended session must not come back. Django would delete the database row, then the copy;
a request on the same cookie that read the row just before could put a copy back. Here
ending a session first puts ``ENDED`` where its copy was, for ``ENDED_SECONDS``, then
deletes the row; a copy is only ever added where Redis holds none (``load``), and saved
where it does not hold ``ENDED`` (``save``), so nothing takes its place. A request that
finds ``ENDED`` has no session.

Signing out (the sign-out pages, marked by Django's ``user_logged_out``) must end the
session everywhere, so it needs Redis: if ``ENDED`` cannot be put there, nothing is
ended. ``SessionNotEnded``, which the outage middleware answers with 503 and a page
saying the person is still signed in and to try again (projects.outages). Django's other
ends of a session (signing in as someone else, a password changed elsewhere, allauth
confirming an address for another account) go on with Redis away, as Django's do: the
copy Redis may then keep lasts ``CACHED_SECONDS`` at most, and one of a session whose
password changed no longer passes Django's check.

Only the synchronous methods are the board's own: under WSGI nothing calls the others.
"""

from __future__ import annotations

import logging
import pickle

from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.dispatch import receiver
from django.urls import reverse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The longest Redis keeps a copy of a session.
CACHED_SECONDS = 600
# How long Redis remembers that a session ended: longer than any request that read the
# session before its end could take to offer a copy.
ENDED_SECONDS = 600
# What Redis holds for an ended session: a number, which no session (a dict) ever is.
ENDED = 0
# Save a copy unless Redis holds ENDED for it. KEYS[1]: the key; ARGV: the serialized copy,
# ENDED as Redis stores it, seconds.
_SAVE_UNLESS_ENDED = """
if redis.call('GET', KEYS[1]) == ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""
# The pages where people sign out.
SIGN_OUT_PAGES = ("account_logout", "admin:logout")


class SessionNotEnded(Exception):
    """A sign-out that could not end the session everywhere, so ended it nowhere."""

    message = (
        "Signing out needs the board's cache, which cannot be reached just now, so you are "
        "still signed in. Please try again in a minute."
    )


@receiver(user_logged_out)
def signing_out(sender, request, user, **kwargs) -> None:
    """Django's ``logout()`` sends this just before it ends the session: on a sign-out
    page, mark the session so."""
    session = getattr(request, "session", None)
    if isinstance(session, SessionStore) and request.path in {
        reverse(name) for name in SIGN_OUT_PAGES
    }:
        session.signing_out = True


class SessionStore(cached_db.SessionStore):
    signing_out = False

    def _cached_for(self, expiry=None) -> int:
        return min(CACHED_SECONDS, self.get_expiry_age(expiry=expiry))

    def load(self) -> dict:
        """The copy in Redis; else the database's, offered to Redis where it holds none;
        none for a session that ended."""
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an invalid key: a new session, as Django does
            data = None
        if data == ENDED:
            self._session_key = None
            return {}
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache.add(self.cache_key, data, self._cached_for(stored.expire_date))
        return data

    def save(self, must_create: bool = False) -> None:
        """The database, then a copy in Redis unless the session ended meanwhile (dropped,
        while Redis is away)."""
        DBStore.save(self, must_create)
        try:
            client = self._cache._cache.get_client(write=True)
            client.eval(
                _SAVE_UNLESS_ENDED,
                1,
                self._cache.make_and_validate_key(self.cache_key),
                pickle.dumps(self._session, pickle.HIGHEST_PROTOCOL),  # as Django's cache does
                str(ENDED),  # a number, which Django's cache keeps as it is
                self._cached_for(),
            )
        except RedisError:
            pass  # the copy is dropped; the database has the session

    def flush(self) -> None:
        """End the session: ``ENDED`` in Redis (at sign-out, or ``SessionNotEnded`` with
        nothing changed), then the database row; a new empty session."""
        if self.session_key is None:
            super().flush()
            return
        key = self.cache_key
        if self.signing_out:
            try:
                self._cache.set_or_raise(key, ENDED, ENDED_SECONDS)
            except RedisError as error:
                raise SessionNotEnded(SessionNotEnded.message) from error
        else:
            self._cache.set(key, ENDED, ENDED_SECONDS)
        self.clear()
        try:
            DBStore.delete(self)
        except Exception:
            self._cache.delete(key)  # not ended after all: no ENDED in its place
            raise
        self._session_key = None
