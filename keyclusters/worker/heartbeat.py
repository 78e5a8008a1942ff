"""Is a background worker running? Each ``keyclusters worker`` process writes a heartbeat row
every :data:`INTERVAL` seconds (from a thread of its own, so a long task does not stop it); a
worker seen within :data:`ALIVE_WITHIN` seconds counts as running.

The rows are in the database, the one thing every web process and every worker share (on one
machine or several), so the check needs no other service. When tasks do not go through the
database backend (tests run them at once), nothing waits for a worker and none is needed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from .models import Heartbeat

log = logging.getLogger(__name__)

INTERVAL = 10  # seconds between two beats of a worker
ALIVE_WITHIN = 45  # a worker not seen for longer than this has stopped (or hangs)
FORGET_AFTER = dt.timedelta(days=7)  # rows of workers that died unseen are removed after this


def needs_worker() -> bool:
    """Do queued tasks wait for a worker (the database backend), or run at once?"""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend == "django_tasks_db.DatabaseBackend"


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{os.urandom(4).hex()}"[:64]


def beat(worker_id: str, *, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    Heartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )
    Heartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def forget(worker_id: str) -> None:
    Heartbeat.objects.filter(worker_id=worker_id).delete()


def running(now: dt.datetime | None = None) -> list[Heartbeat]:
    now = now or timezone.now()
    return list(Heartbeat.objects.filter(seen_at__gte=now - dt.timedelta(seconds=ALIVE_WITHIN)))


def worker_missing(now: dt.datetime | None = None) -> bool:
    """True when queued work would wait: the database backend and no worker running."""
    return needs_worker() and not running(now)


@dataclass(frozen=True)
class Queue:
    waiting: int
    running: int
    failed_last_day: int


def queue(now: dt.datetime | None = None) -> Queue | None:
    """The database backend's tasks: waiting, running, failed in the last 24 hours."""
    if not needs_worker():
        return None
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    tasks = DBTaskResult.objects.all()
    return Queue(
        waiting=tasks.ready().count(),
        running=tasks.running().count(),
        failed_last_day=tasks.failed().filter(finished_at__gte=now - dt.timedelta(days=1)).count(),
    )


def pending(task: Any, *args: Any) -> bool | None:
    """Is ``task(*args)`` queued or running in the database backend? None when tasks do not go
    through it (they ran where they were started)."""
    if not needs_worker():
        return None
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(task_path=task.module_path, args_kwargs__args=list(args))
    return tasks.filter(status__in=["READY", "RUNNING"]).exists()


def status(now: dt.datetime | None = None) -> dict[str, Any]:
    """What the administrator's dashboard shows about background work."""
    now = now or timezone.now()
    last = Heartbeat.objects.order_by("-seen_at").first()
    return {
        "needs_worker": needs_worker(),
        "workers": running(now),
        "last_seen": last.seen_at if last else None,
        "queue": queue(now),
        "alive_within": ALIVE_WITHIN,
    }


class Pulse(threading.Thread):
    """Writes the worker's heartbeat every :data:`INTERVAL` seconds until :meth:`stop`."""

    def __init__(self, worker_id: str, started_at: dt.datetime, interval: float = INTERVAL):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = started_at
        self.interval = interval
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.interval):
                try:
                    beat(self.worker_id, started_at=self.started_at)
                except DatabaseError as exc:  # the database is away: beat again later
                    log.warning("worker heartbeat not written: %s", exc)
                    connections.close_all()
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
