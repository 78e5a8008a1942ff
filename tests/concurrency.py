"""Running service calls at the same time, in real threads, each with its own connection.

The tests that use it are marked ``concurrency`` and need a database that several connections
share: PostgreSQL, or a SQLite file (``make test`` runs them against one with
``SQLITE_TEST_DATABASE``). In a shared in-memory SQLite database, threads lock whole tables
and fail instead of waiting, so there they are skipped (see ``tests/conftest.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Start every call at the same moment, each in its own thread; wait for all of them.

    Returns one outcome per call, in order: its return value or the exception it raised.
    """
    start = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout)
            outcomes[index].value = call()
        except BaseException as exc:  # reported to the test
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError("a concurrent call did not finish in time")
    return outcomes
