"""keyclusters backup and keyclusters restore on SQLite and on PostgreSQL (a throw-away cluster),
run as an operator runs them: into an empty database, over a database with data, refusals."""

from __future__ import annotations

import sqlite3

import pytest

from tests import live

SETUP = """
import datetime as dt
from keyclusters.registry.models import Cluster, Organisation
from keyclusters.statuses import services
coordinator = Organisation.objects.create(name="Fundacja Źródło Innowacji", nip="7251801126")
cluster = Cluster.objects.create(
    name="Klaster Łódzki", founded_on=dt.date(2012, 3, 1), coordinator=coordinator
)
services.grant_status(
    cluster=cluster, round_label="V", decision_on=dt.date(2021, 12, 20),
    valid_from=dt.date(2021, 12, 20), valid_to=dt.date(2030, 12, 31), by=None,
)
print(services.issue_api_key(name="t", organisation="PARP", by=None).key)
"""
JOIN = """
import datetime as dt
from keyclusters.registry.models import Cluster, Membership, Organisation
company = Organisation.objects.create(name="Zakład Świętokrzyski", nip="5261040828")
Membership.objects.create(
    cluster=Cluster.objects.get(), organisation=company, joined_on=dt.date(2022, 1, 1)
)
"""
COUNT = "SELECT count(*) FROM registry_organisation"


def sqlite_count(path):
    connection = sqlite3.connect(path)
    try:
        return connection.execute(COUNT).fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def postgres():
    live.once_per_suite()
    cluster = live.Postgres()
    yield cluster
    cluster.destroy()


def check_backup_and_restore(env, empty_env, tmp_path, organisations, new_organisations):
    live.python(SETUP, env=env)
    backup = tmp_path / "keyclusters.backup"
    done = live.keyclusters("backup", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    assert backup.stat().st_size > 0
    again = live.keyclusters("backup", str(backup), env=env)
    assert again.returncode == 1 and "--force" in again.stderr  # not overwritten silently

    # into a new, empty database: exit 0, nothing to confirm
    done = live.keyclusters("restore", str(backup), env=empty_env)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert new_organisations() == 1

    # over a database with data: refused without --yes (no terminal to ask), then done
    live.python(JOIN, env=env)
    assert organisations() == 2
    refused = live.keyclusters("restore", str(backup), env=env)
    assert refused.returncode == 1
    assert "--yes" in refused.stderr and "Traceback" not in refused.stderr
    assert organisations() == 2
    done = live.keyclusters("restore", "--yes", str(backup), env=env)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert organisations() == 1

    # not a backup: a clear message, exit 1, the database untouched
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    refused = live.keyclusters("restore", "--yes", str(junk), env=env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert str(junk) in refused.stderr
    assert organisations() == 1
    missing_file = live.keyclusters("restore", "--yes", str(tmp_path / "nope"), env=env)
    assert missing_file.returncode == 1 and "Traceback" not in missing_file.stderr


def test_sqlite(tmp_path):
    live.once_per_suite()
    database = live.migrated_sqlite(tmp_path)
    env = live.base_env(f"sqlite:///{database}", tmp_path / "var")
    new = tmp_path / "new" / "empty.sqlite3"  # not even the file exists
    empty_env = live.base_env(f"sqlite:///{new}", tmp_path / "v2")
    check_backup_and_restore(
        env, empty_env, tmp_path, lambda: sqlite_count(database), lambda: sqlite_count(new)
    )


def test_postgresql(postgres, tmp_path):
    env = live.base_env(postgres.migrated_database("kc_h6_live"), tmp_path / "var")
    postgres.sql('CREATE DATABASE "kc_h6_empty"')
    empty_env = live.base_env(postgres.url("kc_h6_empty"), tmp_path / "v2")
    check_backup_and_restore(
        env, empty_env, tmp_path,
        lambda: postgres.sql(COUNT, "kc_h6_live")[0][0],
        lambda: postgres.sql(COUNT, "kc_h6_empty")[0][0],
    )  # fmt: skip


def test_a_restore_that_fails_changes_nothing_on_postgresql(postgres, tmp_path):
    env = live.base_env(postgres.migrated_database("kc_h6_live"), tmp_path / "var")
    live.python(SETUP, env=env)
    backup = tmp_path / "keyclusters.backup"
    assert live.keyclusters("backup", str(backup), env=env).returncode == 0
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    live.python(JOIN, env=env)
    done = live.keyclusters("restore", "--yes", str(truncated), env=env)
    assert done.returncode == 1 and "pg_restore" in done.stderr
    assert "Traceback" not in done.stderr
    assert postgres.sql(COUNT, "kc_h6_live")[0][0] == 2  # one transaction: nothing left
