"""With a shared cache (Redis), the API throttle and key revocations hold across server
processes at once: two gunicorn processes on loopback, one Redis database (tests.live)."""

from __future__ import annotations

import time

import pytest

from tests import live

NIP = "5261040828"
URL = f"/api/v1/verification?nip={NIP}&on=2024-06-01"


@pytest.fixture
def shared(tmp_path):
    live.once_per_suite()
    redis_url, prefix = live.redis_cache()
    database = live.migrated_sqlite(tmp_path)
    env = live.base_env(
        f"sqlite:///{database}", tmp_path / "var",
        CACHE_URL=redis_url, CACHE_KEY_PREFIX=prefix, VERIFICATION_API_RATE="10/h",
    )  # fmt: skip
    yield env
    live.delete_keys(redis_url, prefix)


def issue_key(env) -> str:
    code = (
        "from keyclusters.statuses import services\n"
        "print(services.issue_api_key(name='t', organisation='PARP', by=None).key)\n"
    )
    return live.python(code, env=env).strip()


def test_the_throttle_counts_every_process_together(shared):
    key = issue_key(shared)
    if time.time() % 3600 > 3540:  # not across the turn of the hour (the window)
        time.sleep(3600 - time.time() % 3600 + 1)
    with live.servers(shared, 2) as (first, second):
        statuses = [(first if i % 2 == 0 else second).request(URL, key=key)[0] for i in range(16)]
        assert statuses.count(200) == 10, statuses  # 10/h for both processes, not 10 each
        assert statuses.count(429) == 6
        assert statuses[:10] == [200] * 10
        status, headers, body = second.request(URL, key=key)
        assert (status, body) == (429, {"detail": "Too many requests."})
        assert int(headers["Retry-After"]) >= 1
        # another key has its own count
        assert first.request(URL, key=issue_key(shared))[0] == 200


def test_a_revoked_key_is_refused_by_every_process_at_once(shared):
    key = issue_key(shared)
    prefix = key.split(".")[0]
    with live.servers(shared, 2) as (first, second):
        assert first.request(URL, key=key)[0] == 200
        assert second.request(URL, key=key)[0] == 200  # both know the key now
        revoke = (
            "from keyclusters.accounts.models import ApiKey\n"
            "from keyclusters.statuses import services\n"
            f"services.revoke_api_key(api_key=ApiKey.objects.get(prefix='{prefix}'), by=None)\n"
        )
        live.python(revoke, env=shared)  # a third process, as the API keys page would
        assert first.request(URL, key=key)[:3:2] == (401, {"detail": "Unauthorized"})
        assert second.request(URL, key=key)[0] == 401


def test_without_redis_answering_the_api_still_answers(shared):
    # A Redis that refuses connections: the throttle lets requests through, keys are checked
    # in the database; /ready says the cache is degraded but the process is ready.
    env = {**shared, "CACHE_URL": f"redis://127.0.0.1:{live.free_port()}/0"}
    key = issue_key(env)
    with live.Server(env) as server:
        assert [server.request(URL, key=key)[0] for _ in range(12)] == [200] * 12
        status, _headers, body = server.request("/api/v1/ready")
        assert status == 200
        assert body["degraded"] == ["cache"] and body["failed"] == []
