"""Checking API keys, and how fast a revocation holds everywhere.

A key is ``<prefix>.<secret>``: the prefix finds the key, the SHA-256 of the secret is compared
with the stored one. Where the key's state is read from:

- **A shared cache** (``CACHE_URL``, Redis): the state of each key checked recently lives
  there, so a request costs one cache read and no database query. Every save or deletion of a
  key (a revocation on the API keys page, in the admin, through
  :func:`~keyclusters.statuses.services.revoke_api_key`) writes the key's new state there when
  its transaction commits, so a revoked key is refused by every process on every host from
  then on. A process that finds no entry reads the database and adds the entry with ``add``
  (never over a revocation written meanwhile). Entries expire after ``SHARED_SECONDS``: a key
  changed by hand in the database is seen within that time.
- **No shared cache** (or one that does not answer): each process remembers a key it found
  active for ``KEY_CACHE_SECONDS``; a revocation holds at once in the process that made it and
  within that time in the others.
- **The database does not answer**: a key this process has seen active is still accepted
  (it was active when the database was last reached, and no revocation reached the shared
  cache); another key cannot be checked and :class:`Unavailable` is raised (the API answers
  503).

``last_used_at`` is written at most once a minute per key and process, and not at all while
the database does not answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from keyclusters.accounts.models import ApiKey

from . import sharedcache

KEY_CACHE_SECONDS = 5.0
SHARED_SECONDS = 600
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
PREFIX_MAX = 16  # ApiKey.prefix's length

_INACTIVE: tuple = ()  # the shared cache's entry of a revoked, deleted or unknown key
_MISSING = object()

# prefix -> (monotonic time when found active, the key): this process's memory
_known: dict[str, tuple[float, ApiKey]] = {}
_last_used: dict[str, dt.datetime] = {}  # prefix -> when last_used_at was last written here


class Unavailable(Exception):
    """The key cannot be checked: the database does not answer and the key is not known."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _cache_key(prefix: str) -> str:
    return f"apikey:{prefix}"


def _entry(api_key: ApiKey | None) -> tuple:
    if api_key is None or api_key.revoked_at is not None:
        return _INACTIVE
    return (api_key.pk, api_key.hashed_secret)


def authenticate(key: str | None) -> ApiKey | None:
    """The active key ``key`` names, else None (raises :class:`Unavailable`, see above)."""
    if not key or "." not in key:
        return None
    prefix, secret = key.split(".", 1)
    if not prefix or len(prefix) > PREFIX_MAX or not prefix.isascii() or not prefix.isalnum():
        return None
    api_key = _find(prefix)
    if api_key is None or not hmac.compare_digest(api_key.hashed_secret, hash_secret(secret)):
        return None
    _touch(api_key)
    return api_key


def _find(prefix: str) -> ApiKey | None:
    if sharedcache.available():
        entry = sharedcache.attempt(lambda: cache.get(_cache_key(prefix), _MISSING), None)
        if isinstance(entry, tuple):
            if entry == _INACTIVE:
                _known.pop(prefix, None)
                return None
            pk, hashed_secret = entry
            api_key = ApiKey(pk=pk, prefix=prefix, hashed_secret=hashed_secret)
            _known[prefix] = (time.monotonic(), api_key)
            return api_key
        if entry is _MISSING:  # not there yet: from the database, then shared
            api_key = _from_database(prefix)
            sharedcache.attempt(
                lambda: cache.add(_cache_key(prefix), _entry(api_key), SHARED_SECONDS), None
            )
            return api_key
        # the cache failed: as without one
    found = _known.get(prefix)
    if found is not None and time.monotonic() - found[0] < KEY_CACHE_SECONDS:
        return found[1]
    return _from_database(prefix)


def _from_database(prefix: str) -> ApiKey | None:
    try:
        api_key = (
            ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True)
            .only("pk", "prefix", "hashed_secret", "revoked_at")
            .first()
        )
    except DatabaseError as exc:
        if transaction.get_connection().in_atomic_block:
            raise
        found = _known.get(prefix)
        if found is None:
            raise Unavailable(str(exc)) from exc
        return found[1]  # known active when the database was last reached
    if api_key is None:
        _known.pop(prefix, None)
        return None
    _known[prefix] = (time.monotonic(), api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    last = _last_used.get(api_key.prefix)
    if last is not None and now - last <= LAST_USED_RESOLUTION:
        return
    try:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    except DatabaseError:
        if transaction.get_connection().in_atomic_block:
            raise
        return  # next time
    _last_used[api_key.prefix] = now
    api_key.last_used_at = now


def forget(prefix: str) -> None:
    """Forget what this process knows of the key (the next request reads it again)."""
    _known.pop(prefix, None)


def _publish(api_key: ApiKey, deleted: bool = False) -> None:
    forget(api_key.prefix)
    if sharedcache.is_shared():
        entry = _INACTIVE if deleted else _entry(api_key)
        sharedcache.attempt(
            lambda: cache.set(_cache_key(api_key.prefix), entry, SHARED_SECONDS), None
        )


def _saved(sender, instance: ApiKey, **kwargs) -> None:
    forget(instance.prefix)  # at once here, even before the commit
    transaction.on_commit(lambda: _publish(instance), robust=True)


def _deleted(sender, instance: ApiKey, **kwargs) -> None:
    forget(instance.prefix)
    transaction.on_commit(lambda: _publish(instance, deleted=True), robust=True)


def connect_signals() -> None:
    post_save.connect(_saved, sender=ApiKey, dispatch_uid="api-key-saved")
    post_delete.connect(_deleted, sender=ApiKey, dispatch_uid="api-key-deleted")
