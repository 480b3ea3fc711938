"""The cache every process shares when REDIS_URL is set: Django's Redis cache, made to
keep Portico answering while Redis does not.

What the cache holds can all be lost: the API's rate-limit counts, allauth's
password-reset limits and its record of the authenticator codes used in the last 30
seconds, and the set-up version (portico.access.setup). So when Redis refuses, times out
or errs, an operation answers as if the key were absent and the write had been made —
rate limits fail open (the API answers, uncounted), a code is not checked against reuse
— rather than every page answering 500. Log-in limits are counted in the database and
hold either way.

After a failure the process leaves Redis alone for `PAUSE` seconds: a Redis that hangs
costs one request per process the socket timeout (settings: half a second), not every
request. Each failure and the recovery are logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("portico.cache")

PAUSE = 5.0

# Django keeps one cache object per thread; whether Redis is away is the process's.
_lock = threading.Lock()
_away_until: dict[str, float] = {}  # LOCATION -> monotonic time to try again
_failing: set[str] = set()  # LOCATIONs whose last operation failed


class SharedRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server

    def away(self) -> bool:
        """Whether this process is leaving Redis alone after a failure."""
        return time.monotonic() < _away_until.get(self._location, 0.0)

    def ping(self) -> bool:
        """Whether Redis answers now (for /readyz), whatever the last failure was."""
        ping = self._cache.get_client(write=True).ping
        return bool(self._guard(ping, False, even_if_away=True))

    def _guard[T](
        self, operation: Callable[[], T], fallback: T, *, even_if_away: bool = False
    ) -> T:
        if self.away() and not even_if_away:
            return fallback
        try:
            result = operation()
        except RedisError as error:
            with _lock:
                _away_until[self._location] = time.monotonic() + PAUSE
                first = self._location not in _failing
                _failing.add(self._location)
            if first:
                log.warning(
                    "Redis does not answer (%s): rate limits are not counted and set-up "
                    "changes reach other processes only as their copies expire, until it "
                    "does; trying again every %g s",
                    error,
                    PAUSE,
                )
            return fallback
        if self._location in _failing:
            with _lock:
                _failing.discard(self._location)
                _away_until.pop(self._location, None)
            log.warning("Redis answers again")
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(lambda: RedisCache.get(self, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: RedisCache.has_key(self, key, version), False)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(lambda: RedisCache.set_many(self, data, timeout, version), [])

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> None:
        self._guard(lambda: RedisCache.clear(self), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        result = self._guard(lambda: RedisCache.incr(self, key, delta, version), None)
        if result is None:  # as if the key had gone: the caller's `except ValueError` adds it
            raise ValueError(f"Key {key!r} not counted: Redis does not answer.")
        return result
