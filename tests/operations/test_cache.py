"""The shared cache (portico.operations.cache) against a real Redis, configured as
portico.settings configures it with REDIS_URL: its keys are Portico's own, and a Redis
that hangs or is gone costs one socket timeout, not a failed request, nor a wait on
every request."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis as redis_client
from django.core.cache import cache
from django.test import override_settings

from portico.operations import cache as shared
from tests.redis_server import RedisServer, production_caches


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server, override_settings(CACHES=production_caches(server.url)):
        try:
            yield server
        finally:  # what this process learnt of that Redis
            shared._away_until.clear()
            shared._failing.clear()


@pytest.fixture
def hung(redis: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """Redis stopped as by a hung machine: connections open, nothing answers."""
    monkeypatch.setattr(shared, "PAUSE", 0.5)
    assert redis.process is not None
    os.kill(redis.process.pid, signal.SIGSTOP)
    try:
        yield redis
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)


def test_keys_are_portico_s_own_and_versioned(redis: RedisServer) -> None:
    cache.set("throttle_person_user-1", [1.0], 60)
    raw = redis_client.Redis.from_url(redis.url)
    assert raw.keys() == [b"portico:1:throttle_person_user-1"]
    assert 0 < int(raw.ttl("portico:1:throttle_person_user-1")) <= 60


def test_a_hung_redis_costs_one_timeout_then_is_left_alone(
    hung: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    assert cache.get("throttle_anonymous_127.0.0.1", []) == []  # as if nothing were counted
    assert time.monotonic() - started < 1.5  # the socket timeout, half a second
    started = time.monotonic()
    cache.set("throttle_anonymous_127.0.0.1", [1.0], 60)
    assert cache.add("allauth.mfa.totp.used", "y", 30) is True  # fails open
    with pytest.raises(ValueError, match="Redis does not answer"):
        cache.incr("counted")
    assert time.monotonic() - started < 0.1  # left alone: no timeout waited for
    assert [r.getMessage()[:22] for r in caplog.records] == ["Redis does not answer "]


def test_it_is_used_again_once_it_answers(
    hung: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    cache.get("before")
    assert hung.process is not None
    os.kill(hung.process.pid, signal.SIGCONT)
    time.sleep(shared.PAUSE)
    cache.set("after", "kept", 60)
    assert cache.get("after") == "kept"
    assert [r.getMessage() for r in caplog.records][-1] == "Redis answers again"


def test_a_stopped_redis_fails_fast(redis: RedisServer) -> None:
    redis.stop()
    started = time.monotonic()
    assert cache.get("anything", "default") == "default"
    assert time.monotonic() - started < 0.5  # refused at once on loopback
