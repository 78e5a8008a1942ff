"""Faults, for real: a throw-away PostgreSQL cluster stopped under a running server and under an
import, and restores under a running server (tests.live; docs/operations.md, "When a component
fails")."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests import live
from tests.factories import valid_nip
from tests.web.test_backup_restore import JOIN, SETUP

MEMBER = "5261040828"  # joins in JOIN
URL = f"/api/v1/verification?nip={MEMBER}&on=2024-06-01"


@pytest.fixture
def postgres():
    live.once_per_suite()
    cluster = live.Postgres()
    yield cluster
    cluster.destroy()


def member(server, key) -> bool:
    status, _headers, body = server.request(URL, key=key)
    assert status == 200, body
    return body["key_cluster_member"]


def wait_for(condition, seconds: float) -> float:
    """Seconds until ``condition()`` held (fails after ``seconds``)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - start


def test_verification_while_the_database_is_stopped(postgres, tmp_path):
    env = live.base_env(postgres.migrated_database("kc_h6_live"), tmp_path / "var")
    key = live.python(SETUP, env=env).strip()
    live.python(JOIN, env=env)
    other_key = live.python(SETUP.split("print(")[0].split("coordinator =")[0] + (
        "print(services.issue_api_key(name='o', organisation='BGK', by=None).key)"
    ), env=env).strip()  # fmt: skip
    with live.Server(env) as server:
        assert member(server, key) is True
        assert server.request("/api/v1/ready")[0] == 200
        postgres.stop()
        time.sleep(1.1)  # the copy is checked against the database once a second

        # answered from memory, marked stale with the time the database last confirmed it
        status, headers, body = server.request(URL, key=key)
        assert status == 200
        assert body["key_cluster_member"] is True
        assert body["stale"] is True and body["as_of"]
        assert int(headers["Age"]) >= 0
        status, _headers, body = server.request(
            "/api/v1/verification/bulk", key=key, body={"on": "2024-06-01", "nips": [MEMBER]}
        )
        assert status == 200 and body["stale"] is True
        assert body["results"][0]["key_cluster_member"] is True

        # a key this process has never seen cannot be checked: 503, not 401
        status, headers, body = server.request(URL, key=other_key)
        assert status == 503 and headers["Retry-After"]
        assert "database" in body["detail"].lower() or "baza" in body["detail"].lower()

        status, _headers, body = server.request("/api/v1/ready")
        assert status == 503
        assert body["failed"][0] == "database" and body["checks"]["database"]["ok"] is False
        assert server.request("/api/v1/health")[:3:2] == (200, {"status": "ok"})

        # the pages say the service is away for a while and when to retry: 503, not a 500
        for page in ("/", "/clusters/", "/statuses/"):
            status, headers, body = server.request(page)
            assert (status, headers.get("Retry-After")) == (503, "30"), (page, status)
            assert "<h1" in body and "Traceback" not in body

        postgres.start()
        wait_for(lambda: server.request("/api/v1/ready")[0] == 200, 10)
        status, headers, body = server.request(URL, key=key)
        assert status == 200 and "stale" not in body and "Age" not in headers


def test_an_import_when_the_database_stops_writes_nothing(postgres, tmp_path):
    env = live.base_env(postgres.migrated_database("kc_h6_live"), tmp_path / "var")
    live.python(SETUP, env=env)
    rows = "\n".join(f"{valid_nip()};Firma {i};2023-01-01" for i in range(60_000))
    source = tmp_path / "members.csv"
    source.write_text("nip;name;joined_on\n" + rows + "\n", encoding="utf-8")
    importing = subprocess.Popen(
        [str(live.BIN / "keyclusters"), "import", "members", "--cluster", "Klaster Łódzki",
         str(source)],
        env=env, cwd=live.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # stop the server once the import writes (its transaction holds a lock on the cluster)
    writing = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'kc_h6_live' "
        "AND state <> 'idle' AND pid <> pg_backend_pid()"
    )
    wait_for(lambda: importing.poll() is not None or postgres.sql(writing)[0][0] > 0, 120)
    assert importing.poll() is None, "the import ended before the database was stopped"
    postgres.stop()
    stdout, stderr = importing.communicate(timeout=120)
    assert importing.returncode == 3, stderr  # keyclusters.cli: the database does not answer
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert stderr.startswith("keyclusters: ")
    postgres.start()
    count = "SELECT count(*) FROM registry_{}"
    assert postgres.sql(count.format("membership"), "kc_h6_live")[0][0] == 0  # nothing written
    assert postgres.sql(count.format("organisation"), "kc_h6_live")[0][0] == 1  # the coordinator


SHIFT_VERSION = """
from django.db.models import F
from keyclusters.statuses.models import DataVersion
DataVersion.objects.filter(pk="verification").update(value=F("value") + {})
"""


def restored_under_a_running_server(env, tmp_path, restore) -> float:
    """Seconds until a server that answered "member" answers as the restored backup says.

    The backup holds the same data version as the database it replaces (the hard case: a
    version check alone sees no change), so only the restore's own mark tells."""
    key = live.python(SETUP, env=env).strip()
    backup = tmp_path / "before.backup"
    live.python(SHIFT_VERSION.format(1), env=env)  # the version JOIN will bring the database to
    assert live.keyclusters("backup", str(backup), env=env).returncode == 0
    live.python(SHIFT_VERSION.format(-1), env=env)
    with live.Server({**env, "VERIFICATION_INDEX_MAX_AGE": "300"}) as server:
        assert member(server, key) is False
        live.python(JOIN, env=env)
        wait_for(lambda: member(server, key), 5)  # the change is seen
        restore(backup)
        return wait_for(lambda: not member(server, key), 5)  # within seconds, not minutes


def test_a_restore_under_a_running_server_is_noticed_on_postgresql(postgres, tmp_path):
    env = live.base_env(postgres.migrated_database("kc_h6_live"), tmp_path / "var")

    def restore(backup):
        done = live.keyclusters("restore", "--yes", str(backup), env=env)
        assert done.returncode == 0, done.stderr

    assert restored_under_a_running_server(env, tmp_path, restore) < 3


def test_a_restore_by_hand_with_pg_restore_is_noticed(postgres, tmp_path):
    url = postgres.migrated_database("kc_h6_live")
    env = live.base_env(url, tmp_path / "var")

    def restore(backup):
        done = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner",
             "--dbname", url, str(backup)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    assert restored_under_a_running_server(env, tmp_path, restore) < 3


def test_a_restore_under_a_running_server_is_noticed_on_sqlite(tmp_path):
    live.once_per_suite()
    env = live.base_env(f"sqlite:///{live.migrated_sqlite(tmp_path)}", tmp_path / "var")

    def restore(backup):
        done = live.keyclusters("restore", "--yes", str(backup), env=env)
        assert done.returncode == 0, done.stderr

    assert restored_under_a_running_server(env, tmp_path, restore) < 3
