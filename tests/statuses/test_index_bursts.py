"""The verification index during a burst of commits made elsewhere: few rebuilds, each beside
the answers (the figures under load: bench/verify_load.py, docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db.models import F

from keyclusters.statuses import index
from keyclusters.statuses.models import DataVersion


@pytest.fixture
def loads(transactional_db, settings, monkeypatch):
    settings.VERIFICATION_INDEX = True
    settings.VERIFICATION_INDEX_RECHECK = 0.0  # every answer checks the database
    settings.VERIFICATION_INDEX_MAX_AGE = 3600.0
    settings.VERIFICATION_INDEX_REBUILD_INTERVAL = 3600.0
    DataVersion.objects.get_or_create(pk=index.NAME)
    index.drop()
    calls = []
    load = index.VerificationIndex.load

    def counted(*args, **kwargs):
        calls.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(index.VerificationIndex, "load", counted)
    yield calls
    index.drop()


def commit_elsewhere() -> None:
    DataVersion.objects.filter(pk=index.NAME).update(value=F("value") + 1)


def test_a_burst_of_commits_costs_one_rebuild_per_interval(loads, settings):
    first = index.current()
    assert len(loads) == 1
    commit_elsewhere()
    second = index.current()  # a lone change: rebuilt at once (outside a request)
    assert second is not first and len(loads) == 2
    for _ in range(20):  # the burst goes on: the copy answers, marked as behind
        commit_elsewhere()
        assert index.current() is second
    assert len(loads) == 2
    assert index.state()["current"] is False and index.state()["ok"] is True
    settings.VERIFICATION_INDEX_REBUILD_INTERVAL = 0.0
    settings.VERIFICATION_INDEX_REBUILD_BUDGET = 0.0
    third = index.current()  # the interval has passed: the latest version
    assert third is not second and len(loads) == 3
    assert third.version == DataVersion.objects.get(pk=index.NAME).value


def test_a_change_made_here_is_answered_at_once_even_in_a_burst(loads):
    index.current()
    commit_elsewhere()
    index.current()
    commit_elsewhere()
    behind = index.current()
    index.changed()  # a change committed in this process (outside a transaction: at once)
    assert index.current() is not behind
    assert index.current().version == DataVersion.objects.get(pk=index.NAME).value


def test_inside_a_request_the_rebuild_waits_until_the_response_is_sent(loads):
    from django.core.signals import request_finished, request_started

    first = index.current()
    commit_elsewhere()
    request_started.send(sender=None)
    assert index.current() is first  # this request is answered from the previous copy
    assert len(loads) == 1
    request_finished.send(sender=None)  # the response has gone: now the rebuild
    assert len(loads) == 2
    assert index.current() is not first
