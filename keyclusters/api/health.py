"""Health checks for load balancers and orchestrators (public, no key, never throttled).

- ``GET /api/v1/health`` (liveness): the process answers. Nothing else is asked, so a process
  is not restarted because the database is down.
- ``GET /api/v1/ready`` (readiness): 200 when the process can serve: the database answers,
  every migration of this code is applied and the verification index is confirmed against the
  database (loaded first if needed, so that a new process becomes ready once it can answer
  from memory); 503 otherwise. The body names what failed (``failed``) and what is degraded
  without stopping service (``degraded``: a shared cache that does not answer).

docs/operations.md, "Health checks" and "When a component fails".
"""

from __future__ import annotations

import json
import threading

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from keyclusters.statuses import index, sharedcache

router = Router(tags=["operations"])

_migration_nodes: set[tuple[str, str]] | None = None
_nodes_lock = threading.Lock()


def _json(data: object, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class HealthOut(Schema):
    status: str


@router.get("/health", response=HealthOut, summary="Liveness: the process answers")
def health(request: HttpRequest):
    return _json({"status": "ok"})


class ReadyOut(Schema):
    status: str
    failed: list[str]
    degraded: list[str]
    checks: dict


@router.get(
    "/ready",
    response={200: ReadyOut, 503: ReadyOut},
    summary="Readiness: database, migrations and the verification index",
)
def ready(request: HttpRequest):
    checks: dict[str, dict] = {"database": _database()}
    if checks["database"]["ok"]:
        checks["migrations"] = _migrations()
        checks["verification_index"] = index.state()
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
        checks["verification_index"] = {"ok": False, "error": "database unavailable"}
    checks["cache"] = _cache()
    failed = [name for name, check in checks.items() if not check["ok"] and name != "cache"]
    degraded = [] if checks["cache"]["ok"] else ["cache"]
    body = {
        "status": "unavailable" if failed else "ready",
        "failed": failed,
        "degraded": degraded,
        "checks": checks,
    }
    return _json(body, status=503 if failed else 200)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": _first_line(exc)}
    return {"ok": True, "vendor": connection.vendor}


def _nodes() -> set[tuple[str, str]]:
    """The migrations of this code (read from disk once per process)."""
    global _migration_nodes
    with _nodes_lock:
        if _migration_nodes is None:
            loader = MigrationLoader(None, ignore_no_migrations=True)
            _migration_nodes = set(loader.graph.nodes)
        return _migration_nodes


def _migrations() -> dict:
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError as exc:
        return {"ok": False, "error": _first_line(exc)}
    missing = sorted(f"{app}.{name}" for app, name in _nodes() - applied)
    if missing:  # the loader's rules (squashed migrations) decide, at the cost of a slower check
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        missing = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    return {"ok": not missing, "unapplied": missing}


def _cache() -> dict:
    if not sharedcache.is_shared():
        return {"ok": True, "shared": False}
    from django.core.cache import cache

    def probe() -> bool:
        cache.set("ready-probe", 1, 30)
        return cache.get("ready-probe") == 1

    try:
        answered = probe()
    except Exception as exc:  # any error of the cache's client
        return {"ok": False, "shared": True, "error": _first_line(exc)}
    return {"ok": answered, "shared": True}
