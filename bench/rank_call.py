"""Benchmark: a call with 1,000 applications × 3 experts × 40 criteria aggregated and ranked.

Creates a throw-away PostgreSQL database (`kc_bench_rank` at 127.0.0.1:5432, user postgres;
override with --postgres-url), loads the call in bulk, then times
`keyclusters.evaluation.selectors.ranking_as_of(call, now)`: every submitted score sheet read
from the history, aggregated per stage by the rulebook (mean), totalled and ranked with the
tie-breakers. Prints the median and best of 5 runs and the number of queries.

    .venv/bin/python bench/rank_call.py [--applications 1000] [--experts 3] [--criteria 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rulebook_text(criteria: int, experts: int) -> str:
    lines = [
        "rulebook: bench-rank", "version: 1", "kind: status-competition", "fields: []",
        "stages:", "  - {id: formal, kind: formal}",
        f"  - {{id: merit, kind: expert, experts: {experts}, aggregation: mean}}",
        "areas:",
    ]  # fmt: skip
    for area in range(4):
        lines.append(f"  - id: area{area}")
        lines.append("    criteria:")
        for index in range(area, criteria, 4):
            lines.append(f"      - {{id: c{index}, stage: merit, max: 10}}")
    lines += ["decision:", "  pass: {op: '>=', value: 200}", "  ranking: [total, merit]",
              "status:", "  validity: {years: 3, from: decision}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=3)
    parser.add_argument("--criteria", type=int, default=40)
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/kc_bench_rank"
    )
    args = parser.parse_args()

    import psycopg

    url = urlsplit(args.postgres_url)
    name = url.path.lstrip("/")
    admin = f"host={url.hostname} port={url.port or 5432} user={url.username} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.postgres_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "keyclusters.settings"
    import django

    django.setup()
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(args) -> None:
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from keyclusters.accounts.models import User
    from keyclusters.competitions import services
    from keyclusters.competitions.models import Application
    from keyclusters.evaluation.models import Assignment, Expert, ScoreSheet
    from keyclusters.evaluation.selectors import ranking_as_of
    from keyclusters.registry.models import Cluster, Organisation

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    stored = services.store_rulebook(source=rulebook_text(args.criteria, args.experts))
    now = timezone.now()
    call = services.create_call(
        name="Bench", rulebook=stored, opens_at=now - dt.timedelta(days=30), closes_at=now
    )
    coordinator = Organisation.objects.create(name="Koordynator", nip=None, country="DE")
    clusters = Cluster.objects.bulk_create(
        Cluster(name=f"Klaster {i}", founded_on=dt.date(2010, 1, 1), coordinator=coordinator)
        for i in range(args.applications)
    )
    applications = bulk_create_with_history(
        [Application(call=call, cluster=c, state="evaluated", stage="merit") for c in clusters],
        Application,
        batch_size=1000,
    )
    applications = list(Application.objects.filter(call=call))
    experts = [
        Expert.objects.create(user=User.objects.create(username=f"expert{i}"))
        for i in range(args.experts)
    ]
    assignments = bulk_create_with_history(
        [Assignment(expert=e, application=a, stage="merit") for a in applications for e in experts],
        Assignment,
        batch_size=2000,
    )
    assignments = list(Assignment.objects.all())
    criteria = [f"c{i}" for i in range(args.criteria)]
    bulk_create_with_history(
        [
            ScoreSheet(
                assignment=a,
                state="submitted",
                submitted_at=now,
                points={c: str(rng.randint(0, 20) / 2) for c in criteria},
                justifications=dict.fromkeys(criteria, "bench"),
            )
            for a in assignments
        ],
        ScoreSheet,
        batch_size=1000,
    )
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            ranking = ranking_as_of(call, timezone.now())
            timings.append(time.perf_counter() - start)
    assert len(ranking) == args.applications
    print(
        f"{args.applications} applications x {args.experts} experts x {args.criteria} criteria "
        f"on PostgreSQL: median {statistics.median(timings):.2f} s, best {min(timings):.2f} s, "
        f"{len(queries.captured_queries)} queries"
    )


if __name__ == "__main__":
    main()
