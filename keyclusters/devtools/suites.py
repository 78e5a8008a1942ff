"""The test suites of ``make test``, side by side: ``python -m keyclusters.devtools.suites``.

Three pytest runs start together, each with its own log and its own var folder (uploads,
generated files), and the command waits for all of them:

- ``sqlite``: the whole suite on SQLite in memory (tests marked ``concurrency`` are skipped
  there); the only run that writes the browser tests' screenshots to docs/screenshots;
- ``postgresql``: the whole suite on the server at ``--pg-url``, when it answers; when it does
  not, the run is left out with a note, or fails when ``CI=true``;
- ``concurrency``: the tests marked ``concurrency`` against a SQLite file (threads that share
  a database and wait for each other's locks); no such test is not a failure.

Then each log is printed in full (and kept in ``var/test-logs``), and one line per run with
pytest's closing line (``sqlite: 649 passed, 3 skipped in 301.2s``), the main suite last. The
exit status is 1 when any run failed. Options after ``--`` go to every pytest run
(``-- -x -k import``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from keyclusters.devtools import pg_available

NO_TESTS_COLLECTED = 5  # pytest's exit status when nothing was selected


@dataclass
class Run:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    no_tests_is_success: bool = False
    process: subprocess.Popen[bytes] | None = None
    handle: IO[bytes] | None = None
    started: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None
    closing_line: str = ""

    def start(self, pytest: str) -> None:
        self.handle = self.log.open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [pytest, *self.args],
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def finished(self) -> bool:
        """Whether the run has ended (its log is complete then)."""
        assert self.process is not None and self.handle is not None
        if self.returncode is not None:
            return True
        returncode = self.process.poll()
        if returncode is None:
            return False
        self.returncode = returncode
        self.seconds = time.monotonic() - self.started
        self.handle.close()
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line]
        self.closing_line = lines[-1].strip("= ") if lines else "(no output)"
        return True

    @property
    def ok(self) -> bool:
        if self.returncode == NO_TESTS_COLLECTED and self.no_tests_is_success:
            return True
        return self.returncode == 0


def plan(pg_url: str, work: Path, extra: list[str], *, ci: bool) -> tuple[list[Run], list[str]]:
    """The runs to start, and the problems that fail ``make test`` before any run starts."""
    base = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_TEST_DATABASE")
    }

    def env(name: str, **values: str) -> dict[str, str]:
        var = work / name / "var"
        var.mkdir(parents=True)
        return {**base, "KEYCLUSTERS_VAR_DIR": str(var), **values}

    runs, problems = [], []
    concurrency = work / "concurrency"
    runs.append(
        Run(
            "concurrency",
            ["-q", "-m", "concurrency", *extra],
            env(
                "concurrency",
                DATABASE_URL=f"sqlite:///{concurrency / 'keyclusters.sqlite3'}",
                SQLITE_TEST_DATABASE=str(concurrency / "test.sqlite3"),
                KEYCLUSTERS_SCREENSHOTS="0",
            ),
            work / "concurrency.log",
            no_tests_is_success=True,
        )
    )
    if pg_available.main(pg_url) == 0:
        runs.append(
            Run(
                "postgresql",
                ["-q", "--create-db", *extra],
                env("postgresql", DATABASE_URL=pg_url, KEYCLUSTERS_SCREENSHOTS="0"),
                work / "postgresql.log",
            )
        )
    elif ci:
        problems.append(f"PostgreSQL is not reachable at {pg_url}; CI requires it.")
    else:
        print(
            f"PostgreSQL is not reachable at {pg_url}: the suite runs on SQLite only.",
            file=sys.stderr,
        )
    runs.append(
        Run(
            "sqlite",
            ["-q", *extra],
            env("sqlite", DATABASE_URL="sqlite:///:memory:"),
            work / "sqlite.log",
        )
    )
    return runs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/keyclusters")
    parser.add_argument("--logs", default="var/test-logs", help="folder of the runs' logs")
    parser.add_argument("extra", nargs="*", help="options for every pytest run (after --)")
    options = parser.parse_args(argv)
    pytest = str(Path(sys.executable).with_name("pytest"))
    logs = Path(options.logs)
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="keyclusters-tests-") as folder:
        work = Path(folder)
        runs, problems = plan(
            options.pg_url, work, options.extra, ci=os.environ.get("CI") == "true"
        )
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        names = ", ".join(run.name for run in runs)
        print(f"== pytest side by side: {names} (logs as they grow: {work}/*.log) ==", flush=True)
        try:
            for run in runs:
                run.start(pytest)
            running = list(runs)
            while running:
                time.sleep(0.5)
                for run in [run for run in running if run.finished()]:
                    running.remove(run)
                    print(f"   {run.name} finished in {run.seconds:.0f} s", flush=True)
        except BaseException:
            for run in runs:
                if run.process is not None and run.process.poll() is None:
                    run.process.terminate()
            raise
        finally:
            for run in runs:
                if run.log.exists():
                    shutil.copy(run.log, logs / run.log.name)
        for run in runs:
            print(f"\n== pytest on {run.name}: {logs / run.log.name} ==", flush=True)
            sys.stdout.write(run.log.read_text(errors="replace"))
        print("\n== results ==")
        for run in runs:
            if run.returncode == NO_TESTS_COLLECTED and run.no_tests_is_success:
                print(f"{run.name}: no tests collected")
            else:
                print(f"{run.name}: {run.closing_line}")
    failed = [run.name for run in runs if not run.ok]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
