"""Real processes for the operations tests: gunicorn servers, throw-away PostgreSQL clusters,
SQLite files, the shared Redis, and commands run as an operator runs them.

These tests bring their own databases (whatever database the suite runs on), so they run once,
in the SQLite run of ``make test`` (:func:`once_per_suite`). Redis and PostgreSQL that are not
there skip the tests that need them, saying why; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI") == "true"
REDIS_URL = os.environ.get("KEYCLUSTERS_TEST_REDIS", "redis://127.0.0.1:6379/15")


def missing(reason: str) -> None:
    """Skip, saying why; in CI a missing service is a failure."""
    if CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def once_per_suite() -> None:
    """These tests use databases of their own: run them in one of make test's runs only."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and not os.environ.get(
        "KEYCLUSTERS_LIVE_TESTS"
    ):
        pytest.skip(
            "runs in the SQLite run of make test (it brings its own databases); "
            "KEYCLUSTERS_LIVE_TESTS=1 runs it here too"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like process on loopback."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "SQLITE_TEST", "CACHE_", "VERIFICATION_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="keyclusters.settings",
        DATABASE_URL=database_url,
        KEYCLUSTERS_VAR_DIR=str(var_dir),
        KEYCLUSTERS_DEV="0",
        SECRET_KEY="live-tests-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def keyclusters(
    *args: str, env: dict[str, str], timeout: float = 300, input: str | None = None
) -> subprocess.CompletedProcess:
    """``keyclusters ARGS`` as an operator runs it."""
    return subprocess.run(
        [str(BIN / "keyclusters"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def python(code: str, *, env: dict[str, str], timeout: float = 120) -> str:
    """Run Python with Django set up in a process of its own; its stdout."""
    prelude = "import django\ndjango.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"python failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


# --- SQLite ---------------------------------------------------------------------------------


_template: dict[str, Path] = {}


def migrated_sqlite(folder: Path) -> Path:
    """A migrated SQLite database in ``folder`` (copied from one migrated once per session)."""
    if "sqlite" not in _template:
        template_dir = Path(tempfile.mkdtemp(prefix="kc_h6_sqlite_"))
        atexit.register(shutil.rmtree, template_dir, True)
        path = template_dir / "template.sqlite3"
        done = keyclusters(
            "migrate", "-v", "0", env=base_env(f"sqlite:///{path}", template_dir / "var")
        )
        assert done.returncode == 0, done.stderr
        _template["sqlite"] = path
    target = folder / "keyclusters.sqlite3"
    source = sqlite3.connect(_template["sqlite"])
    destination = sqlite3.connect(target)
    with destination:
        source.backup(destination)
    source.close()
    destination.close()
    return target


# --- PostgreSQL: a throw-away cluster -------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Postgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free loopback port, that a
    test may stop and start again (as root, the server runs as the postgres user)."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            missing("initdb and pg_ctl (Debian's postgresql) are not installed")
        self.bin = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="kc_h6_pg_"))
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
        self.start()
        self.template: str | None = None

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise AssertionError(f"{tool} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "log"), "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def migrated_database(self, name: str) -> str:
        """A new migrated database (a copy of one migrated once for this cluster); its URL."""
        if self.template is None:
            self.sql('CREATE DATABASE "kc_h6_template"')
            done = keyclusters(
                "migrate", "-v", "0", env=base_env(self.url("kc_h6_template"), self.folder / "v")
            )
            assert done.returncode == 0, done.stderr
            self.template = "kc_h6_template"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(AssertionError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# --- Redis ----------------------------------------------------------------------------------


def redis_cache() -> tuple[str, str]:
    """The test Redis URL and a key prefix of its own (the test deletes only its keys)."""
    try:
        import redis
    except ImportError:
        missing("the redis package is not installed (requirements/base.txt)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        missing(f"Redis does not answer at {REDIS_URL} ({exc})")
    return REDIS_URL, f"kc_h6_{uuid.uuid4().hex[:12]}"


def delete_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


# --- servers --------------------------------------------------------------------------------


class Server:
    """gunicorn serving keyclusters on a free loopback port (sync workers, as ``keyclusters
    serve`` runs it)."""

    def __init__(self, env: dict[str, str], workers: int = 1, log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log or Path(tempfile.mkstemp(prefix="kc_h6_server_", suffix=".log")[1])
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "keyclusters.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--log-level", "warning", "--graceful-timeout", "2"],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn ended: {self.log_path.read_text()}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=1).close()
                return
            time.sleep(0.2)
        self.close()
        raise AssertionError(f"gunicorn did not answer: {self.log_path.read_text()}")

    def request(
        self, path: str, *, key: str | None = None, body: object = None, timeout: float = 30
    ) -> tuple[int, dict[str, str], object]:
        headers = {"X-API-Key": key} if key else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, got, content = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, got, content = error.code, dict(error.headers), error.read()
        try:
            parsed: object = json.loads(content)
        except ValueError:
            parsed = content.decode(errors="replace")
        return status, got, parsed

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def servers(env: dict[str, str], count: int) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for _ in range(count):
            started.append(Server(env))
        yield started
    finally:
        for server in started:
            server.close()
