"""The cache backend used with Redis: an unreachable Redis is a cache miss, never an error.

Everything the portal caches can be computed again from the database, so a page or an ingest must
not fail because Redis is down: each call that cannot reach it answers as a miss (get), or does
nothing (set, delete), and a warning is logged at most once a minute. After a failure Redis is left
alone for RETRY_SECONDS, so a page making a dozen cache calls waits for at most one connect timeout.
"""
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Every error of the Redis client: refused or timed out, and also a server out of memory, a read-only
# replica or something other than Redis on the port. Each leaves the cache unusable, none the database.
UNREACHABLE = RedisError
WARN_EVERY_SECONDS = 60
RETRY_SECONDS = 5


class Unreachable(Exception):
    """Redis did not answer (or failed within the last RETRY_SECONDS)."""


class FallbackRedisCache(RedisCache):
    # Per process, shared by the threads' cache instances (django.core.cache.caches is per thread).
    warned_at: float | None = None
    down_until: float = 0.0

    def _call(self, method, *args, **kwargs):
        if time.monotonic() < FallbackRedisCache.down_until:
            raise Unreachable
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as exc:
            now = time.monotonic()
            FallbackRedisCache.down_until = now + RETRY_SECONDS
            if FallbackRedisCache.warned_at is None or now - FallbackRedisCache.warned_at >= WARN_EVERY_SECONDS:
                FallbackRedisCache.warned_at = now
                logger.warning("cache unreachable, computing from the database instead: %s: %s",
                               type(exc).__name__, exc)
            raise Unreachable from exc


def _or_miss(name: str, miss):
    """RedisCache.<name>, answering ``miss(*args, **kwargs)`` when Redis cannot be reached."""
    def method(self, *args, **kwargs):
        try:
            return self._call(getattr(RedisCache, name).__get__(self), *args, **kwargs)
        except Unreachable:
            return miss(*args, **kwargs)
    method.__name__ = name
    return method


def _not_found(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (cache unreachable).")  # what incr raises for a missing key


# What each call answers without Redis: a miss for reads, nothing stored for writes.
for _name, _miss in {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,  # not stored: the next read computes it again
    "set_many": lambda data, *args, **kwargs: list(data),  # the keys that were not stored
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "incr": _not_found,
    "clear": lambda: False,
}.items():
    setattr(FallbackRedisCache, _name, _or_miss(_name, _miss))


def cached(key: str, compute):
    """The cached value of ``key``, else ``compute()`` stored under it for PAGE_CACHE_SECONDS.

    The key must hold everything the value depends on (the scoring run, the parameters, and the
    user's grants where they change it); the caller checks access before asking."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found

