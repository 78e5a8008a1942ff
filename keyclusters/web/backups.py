"""Backups of the database and their restore: ``keyclusters backup`` and ``keyclusters restore``.

- PostgreSQL: ``pg_dump --format=custom`` into the file; the restore runs ``pg_restore`` in one
  transaction (``--single-transaction --exit-on-error``) with ``--clean --if-exists`` (so an
  empty database is no error), without owners and privileges (the database's user owns what
  it restores): either everything is restored or nothing changes, and the exit status says
  which. The client programs come from PostgreSQL's packages (``pg_dump``, ``pg_restore``; a
  version at least the server's).
- SQLite: the SQLite online backup API, page by page in one transaction, both ways: a backup
  taken while the server writes is consistent, and a restore replaces the live file's content
  without replacing the file (running processes see the restored data).

After a restore the database gets a new installation stamp and data version
(:func:`keyclusters.statuses.index.mark_replaced`): every server process rebuilds its
verification index at its next check (within ``VERIFICATION_INDEX_RECHECK``, 1 s) instead of
answering from the data it had. Uploaded files (``var/media``) are not in the database: back
them up with it (docs/operations.md, "Backups and restore").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from keyclusters.statuses import index
from keyclusters.statuses.models import DataVersion

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why (nothing was changed)."""


@dataclass(frozen=True)
class Restored:
    database: str
    unapplied: list[str]  # migrations of this code that the restored database lacks


def _database() -> dict[str, Any]:
    return connections["default"].settings_dict


def vendor() -> str:
    engine = _database()["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(
        _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine}
    )


def describe() -> str:
    """The database, as the operator knows it (no password)."""
    settings = _database()
    if vendor() == "sqlite":
        return str(settings["NAME"])
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or 5432
    return f"{settings['NAME']} ({host}:{port})"


def _pg_environment() -> dict[str, str]:
    settings = _database()
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", settings.get("NAME")),
        ("PGSSLMODE", (settings.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).")
            % {"program": name}
        )
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(
        command, env=_pg_environment(), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise BackupError(
            _("%(program)s failed (exit status %(status)s): %(output)s")
            % {"program": Path(command[0]).name, "status": done.returncode, "output": output}
        )


# --- backup ---------------------------------------------------------------------------------


def backup(target: Path, *, overwrite: bool = False) -> None:
    """Write a backup of the database to ``target`` (a partial file is never left there)."""
    if target.exists() and not overwrite:
        raise BackupError(
            _("%(file)s exists; give another name or --force to replace it.") % {"file": target}
        )
    partial = target.with_name(target.name + ".partial")
    try:
        if vendor() == "postgresql":
            _run([_program("pg_dump"), "--format=custom", "--file", str(partial)])
        else:
            _sqlite_copy(Path(_database()["NAME"]), partial, source_must_exist=True)
        partial.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _sqlite_copy(source: Path, target: Path, *, source_must_exist: bool) -> None:
    if source_must_exist and not source.exists():
        raise BackupError(_("The database file %(file)s does not exist.") % {"file": source})
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        target_db = sqlite3.connect(target, timeout=30)
        try:
            source_db.backup(target_db)
        finally:
            source_db.close()
            target_db.close()
    except sqlite3.Error as exc:
        raise BackupError(str(exc)) from exc


# --- restore --------------------------------------------------------------------------------


def check_file(source: Path) -> None:
    """The file exists and is a backup for this database's kind."""
    try:
        with source.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise BackupError(
            _("%(file)s cannot be read: %(error)s") % {"file": source, "error": exc.strerror}
        ) from exc
    kind = vendor()
    if kind == "postgresql" and not header.startswith(PG_CUSTOM_HEADER):
        raise BackupError(
            _("%(file)s is not a PostgreSQL backup in the custom format (keyclusters backup).")
            % {"file": source}
        )
    if kind == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(_("%(file)s is not an SQLite database.") % {"file": source})
        try:
            check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                found = check.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    ["django_migrations"],
                ).fetchone()
            finally:
                check.close()
        except sqlite3.Error as exc:
            raise BackupError(f"{source}: {exc}") from exc
        if found is None:
            raise BackupError(
                _("%(file)s is not a backup of keyclusters (it has no migrations table).")
                % {"file": source}
            )


def is_empty() -> bool:
    """Whether the database has no tables (a new database: nothing to overwrite)."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            return not connection.introspection.table_names(cursor)
    except DatabaseError as exc:
        if vendor() == "sqlite" and not Path(_database()["NAME"]).exists():
            return True
        raise BackupError(_("The database does not answer: %(error)s") % {"error": exc}) from exc


def restore(source: Path) -> Restored:
    """Replace the database's content by the backup ``source``: all or nothing."""
    check_file(source)
    connections.close_all()
    if vendor() == "postgresql":
        _run([
            _program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", "--dbname", _database()["NAME"],
            str(source),
        ])  # fmt: skip
    else:
        _sqlite_copy(source, Path(_database()["NAME"]), source_must_exist=True)
    connections.close_all()
    unapplied: list[str] = []
    try:
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        unapplied = [f"{migration.app_label}.{migration.name}" for migration, _back in plan]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        if DataVersion._meta.db_table in tables:
            index.mark_replaced()
    except DatabaseError as exc:
        raise BackupError(
            _("The backup was restored, but the database could not be marked as restored: "
              "%(error)s. Restart the server processes.") % {"error": exc}
        ) from exc  # fmt: skip
    return Restored(describe(), unapplied)
