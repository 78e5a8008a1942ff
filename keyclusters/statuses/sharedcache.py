"""Django's cache as the place several server processes share, and what happens without it.

With ``CACHE_URL`` naming a shared cache (Redis: Django's RedisCache), every process and host
sees the same API throttle counters, the same state of each API key and the same counter of
changes of the verification data. With the default local-memory cache each process has its
own (right for a single process).

A shared cache that does not answer must not take the API down: each use here says what to do
instead (the throttle lets the request through, a key is checked in the database, a change is
noticed by the database check). After a failure the process does without the cache for
``PAUSE`` seconds, so that a Redis that hangs costs one request its socket timeout, not every
request; the failure is logged once per pause.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

T = TypeVar("T")

LOCAL_BACKENDS = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)
PAUSE = 5.0  # seconds without the cache after it failed

_paused_until = 0.0


def is_shared() -> bool:
    """Whether the default cache is seen by other processes (not a process's own memory)."""
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_BACKENDS


def available() -> bool:
    """A shared cache that has not failed within the last ``PAUSE`` seconds."""
    return is_shared() and time.monotonic() >= _paused_until


def attempt(operation: Callable[[], T], fallback: T) -> T:
    """``operation()`` on the cache, or ``fallback`` when the cache fails or is paused."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return fallback
    try:
        return operation()
    except Exception as exc:  # any error of the cache's client: connection, timeout, protocol
        _paused_until = time.monotonic() + PAUSE
        log.warning("The cache does not answer (%s); going on without it for %s s", exc, PAUSE)
        return fallback


def resume() -> None:
    """Forget an earlier failure (tests)."""
    global _paused_until
    _paused_until = 0.0


def _redis_client(key: str) -> tuple[Any, str]:
    """The redis-py client holding ``key`` and the key as stored (prefix and version added).
    Django's RedisCache keeps its client in ``_cache``; its ``incr`` takes two round trips and
    can leave a counter without expiry, hence the client itself."""
    backend = _backend()
    full = backend.make_and_validate_key(key)
    return backend._cache.get_client(full, write=True), full


def count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (created expiring after ``timeout`` seconds); its value.

    On Redis one round trip (``SET NX EX`` and ``INCR`` in a transaction), so the expiry is
    always set; on other caches ``incr`` (``add`` for a window's first request)."""
    if isinstance(_backend(), RedisCache):
        client, full = _redis_client(key)
        pipeline = client.pipeline(transaction=True)
        pipeline.set(full, 0, ex=timeout, nx=True)
        pipeline.incr(full)
        return int(pipeline.execute()[1])
    try:
        return cache.incr(key)
    except ValueError:  # the first request of a window (here or in another process)
        return 1 if cache.add(key, 1, timeout) else cache.incr(key)


def bump(key: str) -> None:
    """Add one to the counter ``key``, which does not expire (created at 1)."""
    if isinstance(_backend(), RedisCache):
        client, full = _redis_client(key)
        client.incr(full)
        return
    try:
        cache.incr(key)
    except ValueError:
        if not cache.add(key, 1, None):
            cache.incr(key)


def _backend() -> Any:
    return caches["default"]
