"""Benchmark of `keyclusters import members` on SQLite and PostgreSQL.

Generates N member rows (valid NIPs and REGONs, all distinct organisations) as a CSV file, then
for each database: a throw-away database, `keyclusters migrate`, the coordinator and the cluster
imported, and `keyclusters import members` timed (wall time of the whole command, so the start
of Python and Django is included). Prints rows/s per database and markdown table rows.

    .venv/bin/python bench/import_members.py [--rows 200000] [--databases sqlite postgres]
                                             [--repeat 1]

With --repeat N each database is measured N times (a fresh database each time) and the best and
the median are printed.

PostgreSQL: the database `kc_bench_import` at 127.0.0.1:5432 (user postgres) is created and
dropped again; override with --postgres-url.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
KEYCLUSTERS = ROOT / ".venv" / "bin" / "keyclusters"
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
VOIVODESHIPS = ("mazowieckie", "małopolskie", "śląskie", "pomorskie", "łódzkie", "lubelskie")
SIZES = ("micro", "small", "medium", "large")


def nips(start: int = 100_000_000):
    """Distinct valid NIPs: 9 consecutive digits plus their check digit (skipping check 10)."""
    base = start
    while True:
        digits = str(base)
        check = sum(w * int(d) for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        if check != 10:
            yield digits + str(check)
        base += 1


def regon(number: int) -> str:
    digits = f"{number % 100_000_000:08d}"
    check = sum(w * int(d) for w, d in zip(REGON_WEIGHTS, digits, strict=True)) % 11 % 10
    return digits + str(check)


def member_csv(rows: int, coordinator_nip: str) -> str:
    lines = ["name,nip,regon,krs,kind,size,voivodeship,city,country,joined_on,left_on,role"]
    start = dt.date(2012, 1, 1)
    generator = nips(200_000_000)
    for i in range(rows):
        nip = next(generator)
        joined = start + dt.timedelta(days=i % 3000)
        left = (joined + dt.timedelta(days=400)).isoformat() if i % 10 == 0 else ""
        lines.append(
            f"Firma {i} Sp. z o.o.,{nip},{regon(i + 1)},,enterprise,{SIZES[i % 4]},"
            f"{VOIVODESHIPS[i % 6]},Miasto {i % 500},PL,{joined.isoformat()},{left},member"
        )
    lines.append(f"Koordynator,{coordinator_nip},,,business-support,,mazowieckie,Warszawa,PL,"
                 "2012-01-01,,coordinator")  # fmt: skip
    return "\n".join(lines) + "\n"


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(KEYCLUSTERS), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"keyclusters {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    if done.stdout.strip():
        print(f"  {done.stdout.strip()}  ({elapsed:.1f} s)", file=sys.stderr)
    return elapsed


def bench(database_url: str, files: Path, var_dir: Path) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "KEYCLUSTERS_VAR_DIR": str(var_dir)}
    run(["migrate", "--skip-checks", "-v", "0"], env)
    run(["import", "organisations", str(files / "coordinator.csv")], env)
    run(["import", "clusters", str(files / "cluster.csv")], env)
    return run(["import", "members", "--cluster", "Klaster Benchmark", str(files / "members.csv")],
               env)  # fmt: skip


def postgres(url: str, action: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, dbname="postgres", autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=1, help="measurements per database")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/kc_bench_import"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        files = Path(tmp)
        coordinator = next(nips(100_000_000))
        (files / "coordinator.csv").write_text(
            f"name,nip,kind,voivodeship,city\nKoordynator,{coordinator},business-support,"
            "mazowieckie,Warszawa\n"
        )
        (files / "cluster.csv").write_text(
            f"name,coordinator_nip,founded_on,specialisation,voivodeship\n"
            f"Klaster Benchmark,{coordinator},2012-01-01,ICT,mazowieckie\n"
        )
        started = time.perf_counter()
        (files / "members.csv").write_text(member_csv(args.rows, coordinator), encoding="utf-8")
        rows = args.rows + 1
        print(f"generated {rows} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        results = []
        for database in args.databases:
            times = []
            for attempt in range(args.repeat):
                var_dir = files / f"var-{database}-{attempt}"
                var_dir.mkdir()
                if database == "sqlite":
                    url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
                    seconds = bench(url, files, var_dir)
                else:
                    postgres(args.postgres_url, "create")
                    try:
                        seconds = bench(args.postgres_url, files, var_dir)
                    finally:
                        postgres(args.postgres_url, "drop")
                times.append(seconds)
                print(f"{database}: {rows} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
            best, median = min(times), statistics.median(times)
            results.append((database, best, median))
            if args.repeat > 1:
                print(f"{database}: best {best:.1f} s = {rows / best:,.0f} rows/s, "
                      f"median {median:.1f} s = {rows / median:,.0f} rows/s")  # fmt: skip

    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    print("\n| database | rows | best s | best rows/s | median s | median rows/s | machine |"
          "\n|---|---:|---:|---:|---:|---:|---|")  # fmt: skip
    for database, best, median in results:
        print(f"| {database} | {rows:,} | {best:.1f} | {rows / best:,.0f} | {median:.1f} "
              f"| {rows / median:,.0f} | {machine} |")  # fmt: skip


if __name__ == "__main__":
    main()
