"""The shared cache, failing open: with Redis away, the site keeps serving.

The cache holds nothing the board cannot do without: sessions are kept in the database
too (agenda_site.sessions), and what counts there is the rate limits (the board's,
``projects.ratelimits``, and allauth's on sign-in, sign-up and password reset). Django's
``RedisCache`` raises when Redis cannot be reached, and allauth's limits would answer 500.
Here every read is a miss and every write is dropped instead, so the limits count nothing
until Redis is back (logged at warning, at most once a minute per process); the connection
pool reconnects by itself on the next call after Redis returns.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds between two warnings of one process that the cache cannot be reached.
WARN_EVERY = 60


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping its ``redis.Redis`` per server rather than building
    one for every call: a visitor's page from the cache is a single call, and building the
    client was a fifth of it. Django keeps a cache object, so this client, per thread; a
    ``redis.Redis`` takes a connection from its pool for each command."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable Redis is a miss, never an error:
    ``get`` answers the default, ``add`` answers True (so that a counter or a lock taken
    with it never waits on Redis), ``set``, ``delete`` and ``touch`` do nothing, and
    ``incr`` raises ValueError, as for a key that is not there."""

    _last_warning = 0.0

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    def _unreachable(self, error: RedisError) -> None:
        """Log that the cache is away (no traceback), at most once per ``WARN_EVERY``."""
        now = time.monotonic()
        if now - FailOpenRedisCache._last_warning >= WARN_EVERY:
            FailOpenRedisCache._last_warning = now
            logger.warning(
                "The cache cannot be reached (%s): serving without it, rate limits are "
                "not counted until it is back",
                error,
            )

    def reachable(self) -> bool:
        """Whether Redis answers a PING now (for the health and readiness checks)."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except RedisError as error:
            self._unreachable(error)
            return False

    def get(self, key, default=None, version=None):
        """The value, or ``default`` when it is not there or Redis is away."""
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unreachable(error)
            return default

    def get_many(self, keys, version=None):
        """The values found; none when Redis is away."""
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unreachable(error)
            return {}

    def has_key(self, key, version=None):
        """Whether the key is there; False when Redis is away."""
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._unreachable(error)
            return False

    def add(self, key, value, timeout=None, version=None):
        """Set the key if it is not there. True when Redis is away: whoever asks goes on."""
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._unreachable(error)
            return True

    def set(self, key, value, timeout=None, version=None):
        """Set the key; nothing when Redis is away."""
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._unreachable(error)

    def set_many(self, data, timeout=None, version=None):
        """Set the keys; none of them when Redis is away (each is then reported failed)."""
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._unreachable(error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        """Give the key a new timeout; False when Redis is away."""
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._unreachable(error)
            return False

    def delete(self, key, version=None):
        """Delete the key; False when Redis is away."""
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unreachable(error)
            return False

    def set_or_raise(self, key, value, timeout=None, version=None):
        """Set the key, raising RedisError when Redis is away: for what must be said or not
        done at all, that a session ended (agenda_site.sessions)."""
        super().set(key, value, timeout, version)

    def delete_many(self, keys, version=None):
        """Delete the keys; nothing when Redis is away."""
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._unreachable(error)

    def incr(self, key, delta=1, version=None):
        """Add ``delta`` to the key's number. ValueError, as for a missing key, when Redis is
        away (Django's callers, and the board's rate limits, read that as "start again")."""
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._unreachable(error)
            raise ValueError(f"Key {key!r} not found: the cache cannot be reached") from None

    def clear(self):
        """Empty the cache; nothing when Redis is away."""
        try:
            return super().clear()
        except RedisError as error:
            self._unreachable(error)
            return False
