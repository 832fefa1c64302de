"""The cache backend used with Redis: an unreachable Redis is a cache miss, never an error.

Everything the portal caches can be computed again from the database, so a page or an ingest must
not fail because Redis is down: each call that cannot reach it answers as a miss (get), or does
nothing (set, delete), and a warning is logged at most once a minute. After a failure Redis is left
alone for RETRY_SECONDS, so a page making a dozen cache calls waits for at most one connect timeout.
"""
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
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

    def _call(self, method, *args):
        if time.monotonic() < FallbackRedisCache.down_until:
            raise Unreachable
        try:
            return method(*args)
        except UNREACHABLE as exc:
            now = time.monotonic()
            FallbackRedisCache.down_until = now + RETRY_SECONDS
            if FallbackRedisCache.warned_at is None or now - FallbackRedisCache.warned_at >= WARN_EVERY_SECONDS:
                FallbackRedisCache.warned_at = now
                logger.warning("cache unreachable, computing from the database instead: %s: %s",
                               type(exc).__name__, exc)
            raise Unreachable from exc

    def get(self, key, default=None, version=None):
        try:
            return self._call(super().get, key, default, version)
        except Unreachable:
            return default

    def get_many(self, keys, version=None):
        try:
            return self._call(super().get_many, keys, version)
        except Unreachable:
            return {}

    def has_key(self, key, version=None):
        try:
            return self._call(super().has_key, key, version)
        except Unreachable:
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().add, key, value, timeout, version)
        except Unreachable:
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self._call(super().set, key, value, timeout, version)
        except Unreachable:
            pass  # not stored: the next read computes it again

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().set_many, data, timeout, version)
        except Unreachable:
            return list(data)  # the keys that were not stored

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().touch, key, timeout, version)
        except Unreachable:
            return False

    def delete(self, key, version=None):
        try:
            return self._call(super().delete, key, version)
        except Unreachable:
            return False

    def delete_many(self, keys, version=None):
        try:
            self._call(super().delete_many, keys, version)
        except Unreachable:
            pass

    def incr(self, key, delta=1, version=None):
        try:
            return self._call(super().incr, key, delta, version)
        except Unreachable:
            raise ValueError(f"Key {key!r} not found (cache unreachable).") from None  # as for a missing key

    def clear(self):
        try:
            return self._call(super().clear)
        except Unreachable:
            return False
