"""Load test of the verification API under gunicorn, on a throw-away PostgreSQL database.

1. creates the database `kc_bench_verify` (dropped again at the end), runs `keyclusters migrate`
   and loads 40 clusters (30 with a status valid on the test date), 100,000 organisations and
   their memberships (every organisation a member of one cluster, 5 % of two, 10 % left);
2. serves the application with gunicorn on 127.0.0.1 (a free port), with a throttle rate high
   enough not to interfere (a settings module that only sets ``VERIFICATION_API_RATE``);
3. loads it with wrk (loopback, bounded runs), both endpoints through the same wrk script
   (the API key, a rotating set of NIPs of members and non-members in the query): the trivial
   ``GET /api/v1/health`` (which ignores them) and ``GET /api/v1/verification``;
4. times ``POST /api/v1/verification/bulk`` with 100,000 NIPs (three runs);
5. during writes: while another process imports 100,000 new memberships in chunks through the
   member import (``--write-chunk`` rows per transaction, each commit a new data version),
   loads ``GET /api/v1/verification`` in rounds of ``--write-round`` seconds until the import
   ends, and reports every round (the largest p99 is the figure: an upper bound of the whole
   run's p99) and the errors.

    .venv/bin/python bench/verify_load.py [--duration 10] [--connections 16] [--workers N]
                                          [--worker-class sync|gthread] [--phases reads writes]
                                          [--write-chunk 2000] [--rebuild-interval 5]
                                          [--instrument voucher-tie-break]

With ``--instrument ID`` every verification (single and bulk) asks about that funding
instrument of the catalogue as well (``&instrument=ID``; the same targets).

The server is run as ``keyclusters serve`` runs it: sync workers, 2 x CPUs + 1 of them.

Targets: single verification >= 1,000 requests/s with p99 <= 50 ms and >= 0.7 of the
throughput of the health endpoint; bulk of 100,000 NIPs <= 3 s; during writes p99 <= 50 ms in
every round and no error. Exit 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from import_members import nips  # the same generator of valid, distinct NIPs

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ON = dt.date(2024, 6, 1)
CLUSTERS, ORGANISATIONS = 40, 100_000
WRITE_ROWS = 100_000
INSTRUMENT = ""  # --instrument: asked in every verification when given


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def load(url: str) -> tuple[str, list[str], list[str]]:
    """Migrate and fill the database; the API key, member NIPs and unknown NIPs."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([BIN / "keyclusters", "migrate", "-v", "0"], check=True, env=env)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyclusters.settings")
    import django

    django.setup()
    from keyclusters.registry.models import Cluster, Membership, Organisation
    from keyclusters.statuses import services
    from keyclusters.statuses.models import StatusGrant

    generator = nips(300_000_000)
    organisations = [
        Organisation(name=f"Firma {i}", nip=next(generator), kind="enterprise", size="small")
        for i in range(ORGANISATIONS)
    ]
    Organisation.objects.bulk_create(organisations, batch_size=5000)
    coordinators = [
        Organisation(name=f"Koordynator {c}", nip=next(generator), kind="business-support")
        for c in range(CLUSTERS)
    ]
    Organisation.objects.bulk_create(coordinators)
    clusters = Cluster.objects.bulk_create(
        Cluster(name=f"Klaster {c:02d}", founded_on=dt.date(2010, 1, 1), coordinator=o,
                voivodeship="mazowieckie", specialisation="ICT")
        for c, o in enumerate(coordinators)
    )  # fmt: skip
    memberships = [
        Membership(cluster=c, organisation=c.coordinator, role="coordinator",
                   joined_on=c.founded_on)
        for c in clusters
    ]  # fmt: skip
    for i, organisation in enumerate(organisations):
        joined = dt.date(2012, 1, 1) + dt.timedelta(days=i % 4000)
        left = joined + dt.timedelta(days=700) if i % 10 == 0 else None
        memberships.append(Membership(cluster=clusters[i % CLUSTERS], organisation=organisation,
                                      joined_on=joined, left_on=left))  # fmt: skip
        if i % 20 == 0:
            memberships.append(Membership(cluster=clusters[(i + 7) % CLUSTERS],
                                          organisation=organisation, joined_on=joined))  # fmt: skip
    Membership.objects.bulk_create(memberships, batch_size=5000)
    old = ("IV", dt.date(2019, 12, 20), dt.date(2022, 12, 19))
    current = ("VI", dt.date(2022, 12, 20), dt.date(2025, 12, 19))
    grants = [
        StatusGrant(cluster=cluster, round_label=label, decision_on=start, valid_from=start,
                    valid_to=end)
        for c, cluster in enumerate(clusters)
        for label, start, end in ([old, current] if c < 30 else [old])
    ]  # fmt: skip
    StatusGrant.objects.bulk_create(grants)
    key = services.issue_api_key(name="bench", organisation="bench", by=None).key
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    members = [o.nip for o in organisations]
    unknown = [next(generator) for _ in range(1000)]
    return key, members, unknown


def serve(
    url: str, port: int, workers: int, worker_class: str, workdir: Path, rebuild_interval: float
) -> subprocess.Popen:
    (workdir / "bench_settings.py").write_text(
        "from keyclusters.settings import *  # noqa: F403\n"
        'VERIFICATION_API_RATE = "100000000/m"\n'
        f"VERIFICATION_INDEX_REBUILD_INTERVAL = {rebuild_interval!r}\n"
    )
    env = {
        **os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KEYCLUSTERS_DEV": "0", "LOG_LEVEL": "ERROR", "SECURE_SSL_REDIRECT": "false",
    }  # fmt: skip
    command = [
        str(BIN / "gunicorn"), "keyclusters.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class, "--log-level", "warning",
    ]  # fmt: skip
    if worker_class == "gthread":
        command += ["--threads", "4", "--keep-alive", "30"]
    process = subprocess.Popen(command, env=env, cwd=workdir)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, duration: int, connections: int, threads: int, script: Path | None) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = re.search(r"(\d+) requests in", output)
    return {
        "rps": rate,
        "p99_ms": float(p99.group(1)) * _UNITS[p99.group(2)],
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(int(n) for n in socket.groups()) if socket else 0,
        "socket_detail": socket.group(0) if socket else "",
        "requests": int(requests.group(1)) if requests else 0,
        "command": " ".join([*command, url]),
    }


def _median(runs: list[dict]) -> dict:
    """The run with the median throughput (its p99 with it), and every run's figures."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = [(round(r["rps"]), round(r["p99_ms"], 1)) for r in runs]
    chosen["non_2xx"] = sum(r["non_2xx"] for r in runs)
    return chosen


def lua(path: Path, key: str, sample: list[str], endpoint: str) -> Path:
    """A wrk script sending ``GET endpoint?on=…&nip=…`` with the API key, the NIP rotating.

    Both endpoints are loaded through the same script, so that wrk (on the same two cores as
    the server) spends the same work on every request; the health endpoint ignores the query
    and the key."""
    values = ",".join(f'"{n}"' for n in sample)
    path.write_text(
        f'wrk.headers["X-API-Key"] = "{key}"\n'
        f"local nips = {{{values}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        f'  return wrk.format("GET", "{endpoint}?on={ON.isoformat()}{_instrument()}&nip=" '
        ".. nips[(i % #nips) + 1])\n"
        "end\n"
    )
    return path


def _instrument() -> str:
    return f"&instrument={INSTRUMENT}" if INSTRUMENT else ""


def bulk(port: int, key: str, nips_list: list[str]) -> tuple[float, int]:
    payload = {"on": ON.isoformat(), "nips": nips_list}
    if INSTRUMENT:
        payload["instrument"] = INSTRUMENT
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/verification/bulk", data=body, method="POST",
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )  # fmt: skip
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        content = response.read()
    elapsed = time.perf_counter() - start
    members = content.count(b'"key_cluster_member":true')
    return elapsed, members


# The other process of the run during writes: 100,000 new organisations and their memberships
# through the member import, in chunks of CHUNK rows, each chunk one transaction (one commit,
# one new data version), spread over the clusters with a valid status.
WRITER = """
import json, sys, time
import django
django.setup()
sys.path.insert(0, {bench!r})
from import_members import nips
from keyclusters.registry import importing
from keyclusters.registry.models import Cluster
total, chunk = {total}, {chunk}
clusters = list(Cluster.objects.filter(status_grants__valid_to__gte="2024-06-01").distinct())
generator = nips(700_000_000)
started, commits, slowest = time.perf_counter(), 0, 0.0
for first in range(0, total, chunk):
    rows = "".join(
        f"{{next(generator)}};Nowa Firma {{first + i}};2024-01-01\\n"
        for i in range(min(chunk, total - first))
    )
    began = time.perf_counter()
    importing.import_members(
        cluster=clusters[commits % len(clusters)],
        source=("nip;name;joined_on\\n" + rows).encode(), filename="members.csv",
    )
    slowest = max(slowest, time.perf_counter() - began)
    commits += 1
print(json.dumps({{"seconds": time.perf_counter() - started, "commits": commits,
                  "rows": total, "slowest_chunk": slowest}}))
"""


def during_writes(
    url: str, base: str, script: Path, args: argparse.Namespace
) -> tuple[dict, list[dict]]:
    """Rounds of wrk on the verification endpoint while the writer imports; the writer's
    figures and the rounds."""
    code = WRITER.format(bench=str(Path(__file__).parent), total=WRITE_ROWS, chunk=args.write_chunk)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "keyclusters.settings",
           "LOG_LEVEL": "ERROR"}  # fmt: skip
    writer = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    rounds = []
    while writer.poll() is None:
        rounds.append(wrk(base, args.write_round, args.connections, args.threads, script))
    output, _ = writer.communicate()
    if writer.returncode != 0:
        raise SystemExit("the import during the writes failed")
    return json.loads(output.strip().splitlines()[-1]), rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/kc_bench_verify"
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument(
        "--phases", nargs="+", default=["reads", "writes"], choices=["reads", "writes"]
    )
    parser.add_argument("--write-chunk", type=int, default=2000, help="rows per transaction")
    parser.add_argument("--write-round", type=int, default=5, help="seconds per wrk round")
    parser.add_argument(
        "--rebuild-interval", type=float, default=5.0,
        help="VERIFICATION_INDEX_REBUILD_INTERVAL of the server (0: a rebuild per commit)",
    )  # fmt: skip
    parser.add_argument("--instrument", default="", help="a funding instrument's id")
    args = parser.parse_args()
    global INSTRUMENT
    INSTRUMENT = args.instrument
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    name = urlsplit(args.postgres_url).path.lstrip("/")
    admin_sql(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(args.postgres_url, f'CREATE DATABASE "{name}"')
    server = None
    results: dict = {}
    try:
        started = time.perf_counter()
        key, members, unknown = load(args.postgres_url)
        print(f"loaded {CLUSTERS} clusters, {len(members)} organisations in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            server = serve(args.postgres_url, port, args.workers, args.worker_class, workdir,
                           args.rebuild_interval)  # fmt: skip
            sample = members[::97][:900] + unknown[:100]
            scripts = {
                name: lua(workdir / f"{name}.lua", key, sample, f"/api/v1/{name}")
                for name in ("health", "verification")
            }
            base = f"http://127.0.0.1:{port}"
            for name in scripts:  # warm-up (each worker builds its verification index)
                wrk(base, 2, args.connections, args.threads, scripts[name])
            if "reads" in args.phases:
                results["reads"] = reads(base, port, key, members, unknown, scripts, args)
            if "writes" in args.phases:
                results["writes"] = during_writes(
                    args.postgres_url, base, scripts["verification"], args
                )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        admin_sql(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"gunicorn {args.worker_class} {args.workers} workers, wrk -t{args.threads} "
          f"-c{args.connections}")  # fmt: skip
    met = True
    if "reads" in results:
        met = report_reads(args, *results["reads"]) and met
    if "writes" in results:
        met = report_writes(args, *results["writes"]) and met
    return 0 if met else 1


def reads(base, port, key, members, unknown, scripts, args) -> tuple:
    rounds: dict[str, list[dict]] = {"health": [], "verification": []}
    for _ in range(args.rounds):  # alternated, so that other load hits both alike
        for name, script in scripts.items():
            rounds[name].append(wrk(base, args.duration, args.connections, args.threads, script))
    runs = [bulk(port, key, members[:90_000] + unknown[:1000] + members[-9_000:])
            for _ in range(3)]  # fmt: skip
    return rounds, runs


def report_reads(args, rounds: dict[str, list[dict]], runs: list) -> bool:
    health, verify = _median(rounds["health"]), _median(rounds["verification"])
    ratio = verify["rps"] / health["rps"]
    paired = zip(rounds["health"], rounds["verification"], strict=True)
    pairs = [v["rps"] / h["rps"] for h, v in paired]
    bulk_median = statistics.median(t for t, _ in runs)
    print(f"reads: -d{args.duration}s, {args.rounds} alternated rounds (median)")
    for label, r in (("health", health), ("verification", verify)):
        print(f"  {label:<13} {r['rps']:8.0f} req/s  p99 {r['p99_ms']:6.1f} ms  "
              f"non-2xx {r['non_2xx']}  (rounds: {r['runs']})")  # fmt: skip
    per_round = ", ".join(f"{p:.2f}" for p in pairs)
    print(f"  ratio verification/health {ratio:.2f} (of the medians; per round: {per_round}, "
          f"median {statistics.median(pairs):.2f})")  # fmt: skip
    print("  bulk 100,000 NIPs: " + ", ".join(f"{t:.2f} s" for t, _ in runs)
          + f" (median {bulk_median:.2f} s; {runs[0][1]} members in the answer)")  # fmt: skip
    met = (verify["rps"] >= 1000 and verify["p99_ms"] <= 50 and ratio >= 0.7
           and bulk_median <= 3 and verify["non_2xx"] == 0 and health["non_2xx"] == 0)  # fmt: skip
    print(f"targets: >= 1000 req/s, p99 <= 50 ms, ratio >= 0.7, bulk <= 3 s: "
          f"{'met' if met else 'NOT met'}")  # fmt: skip
    return met


def report_writes(args, writer: dict, rounds: list[dict]) -> bool:
    worst = max(r["p99_ms"] for r in rounds)
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in rounds)
    requests = sum(r["requests"] for r in rounds)
    print(f"during writes: {writer['rows']:,} memberships imported in {writer['commits']} "
          f"transactions of {args.write_chunk} rows in {writer['seconds']:.1f} s (slowest "
          f"{writer['slowest_chunk']:.2f} s); server VERIFICATION_INDEX_REBUILD_INTERVAL="
          f"{args.rebuild_interval:g}")  # fmt: skip
    print(f"  verification: {len(rounds)} rounds of {args.write_round} s, {requests:,} requests, "
          f"{statistics.median(r['rps'] for r in rounds):.0f} req/s (median), p99 per round: "
          + ", ".join(f"{r['p99_ms']:.1f}" for r in rounds)
          + f" ms; largest {worst:.1f} ms; errors {errors} (non-2xx "
          f"{sum(r['non_2xx'] for r in rounds)}, socket errors and time-outs "
          f"{sum(r['socket_errors'] for r in rounds)})")  # fmt: skip
    for number, r in enumerate(rounds, 1):
        if r["socket_detail"]:
            print(f"    round {number}: {r['socket_detail']}")
    met = worst <= 50 and errors == 0
    print(f"target during writes: p99 <= 50 ms in every round, no error: "
          f"{'met' if met else 'NOT met'}")  # fmt: skip
    return met


if __name__ == "__main__":
    sys.exit(main())
