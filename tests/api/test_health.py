"""Liveness and readiness: /api/v1/health and /api/v1/ready, in process (the database
stopped for real: tests/statuses/test_faults.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import OperationalError

from keyclusters.api import health
from keyclusters.statuses import index
from keyclusters.statuses.models import DataVersion


def test_health_needs_nothing(client):
    response = client.get("/api/v1/health")  # no database access allowed here
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.fixture
def real_commits(transactional_db, settings):
    settings.VERIFICATION_INDEX = True
    index.drop()
    yield
    index.drop()


def test_ready_when_everything_answers(client, real_commits):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["failed"] == [] and body["degraded"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": []}
    checked = body["checks"]["verification_index"]
    assert checked["ok"] is True and checked["loaded"] is True  # built by the check
    assert response["Cache-Control"] == "no-store"


def test_not_ready_with_a_migration_missing(client, real_commits, monkeypatch):
    # this code has a migration the database has not seen
    nodes = health._nodes() | {("statuses", "9999_future")}
    monkeypatch.setattr(health, "_nodes", lambda: nodes)
    future = SimpleNamespace(app_label="statuses", name="9999_future")

    class Executor:
        def __init__(self, connection):
            self.loader = SimpleNamespace(graph=SimpleNamespace(leaf_nodes=list))

        def migration_plan(self, targets):
            return [(future, False)]

    monkeypatch.setattr(health, "MigrationExecutor", Executor)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"]["unapplied"] == ["statuses.9999_future"]


def test_not_ready_when_the_database_does_not_answer(client, real_commits, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')

    monkeypatch.setattr(health, "_database", lambda: {"ok": False, "error": "refused"})
    monkeypatch.setattr(index, "_read_stamp", refuse)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database", "migrations", "verification_index"]
    assert client.get("/api/v1/health").status_code == 200  # alive all the same


def test_the_index_after_a_restore_is_rebuilt_at_the_next_check(real_commits, settings):
    settings.VERIFICATION_INDEX_RECHECK = 0.0
    settings.VERIFICATION_INDEX_REBUILD_INTERVAL = 3600.0  # a newer version alone would wait
    first = index.current()
    assert index.current() is first
    DataVersion.objects.update_or_create(pk=index.NAME, defaults={"value": 1000})
    index.current()  # a version change: rebuilt (the first one is not debounced)
    second = index.current()
    DataVersion.objects.filter(pk=index.NAME).update(value=1001)
    assert index.current() is second  # debounced: the interval has not passed
    # keyclusters restore, run elsewhere, ends with a new installation stamp (mark_replaced)
    DataVersion.objects.update_or_create(pk=index.INSTALLATION, defaults={"value": 12345})
    third = index.current()
    assert third is not second  # a new installation stamp: rebuilt at once, not debounced
    assert third.stamp.installation == 12345
    index.mark_replaced()  # in this process: dropped at once
    assert index.current().stamp.installation not in (None, 12345)
