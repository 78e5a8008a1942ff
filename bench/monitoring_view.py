"""Server time and query counts of the ministry's view of the yearly reports.

1. creates a throw-away SQLite database in a temporary directory (``DATABASE_URL`` and
   ``KEYCLUSTERS_VAR_DIR`` set before ``django.setup()``), migrates it, fills the demo registry
   (``--holders`` clusters) and stores a monitoring framework of ``--indicators`` indicators
   (the 8 registry figures and reported ones; every other compared with the application, every
   fourth published);
2. gives 3 holders a status won by an application (its first revision says a figure for every
   compared indicator) and ``--years`` accepted reports with every indicator filled, and counts
   the queries of the pages as an operator sees them: the indicators table (an indicator
   compared with the application and one that is not), a holder's trajectory, the open data;
3. does the same for the other holders (30 in all by default), counts the queries again and
   requests each page ``--repeat`` times: p50 and p95 of the server time (Django's test client
   and SQLite, in this process) and p95 of the process's CPU time (on a machine busy with other
   work the wall time includes waiting for a core).

    .venv/bin/python bench/monitoring_view.py [--holders 30] [--years 10] [--indicators 40]
                                              [--repeat 30]

Targets: p95 <= 300 ms for the indicators table, and the same number of queries for 3 holders
as for all of them on every page. Exit 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pages import percentile95, setup_django  # the page benchmark's p95 and Django set-up

ROOT = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 300.0
FIRST = 3  # holders measured before growth
REGISTRY = (
    "members_total", "enterprises_total", "enterprises_share", "sme_share", "research_members",
    "foreign_members", "strategic_partners", "advanced_cooperation_group",
)  # fmt: skip


def framework_yaml(indicators: int) -> str:
    lines = [
        "kind: monitoring-framework", "id: bench-monitoring", "version: 1",
        "title: {pl: Benchmark, en: Benchmark}", "status_type: kkk", "due: {month: 3, day: 31}",
        "indicators:",
    ]  # fmt: skip
    for index in range(indicators):
        if index < len(REGISTRY):
            name = REGISTRY[index]
            lines += [
                f"  - id: {name}", f"    title: {{pl: '{name}', en: '{name}'}}",
                "    type: integer", "    source: registry", f"    registry: {name}",
                f"    compare_with: {name}",
            ]  # fmt: skip
            continue
        name = f"reported_{index:02d}"
        lines += [
            f"  - id: {name}", f"    title: {{pl: 'Wskaźnik {index}', en: 'Indicator {index}'}}",
            f"    type: {'money' if index % 3 == 0 else 'integer'}", "    source: reported",
            "    required: false",
        ]  # fmt: skip
        if index % 2:
            lines.append(f"    compare_with: {name}")
        if index % 4 == 0:
            lines.append("    public: true")
    return "\n".join(lines) + "\n"


def give_reports(clusters, framework, call, years: int, rng: random.Random) -> None:
    """Each cluster: a status won by an application, and ``years`` accepted reports."""
    from django.utils import timezone

    from keyclusters.competitions.models import Application, ApplicationRevision
    from keyclusters.monitoring.models import YearlyReport
    from keyclusters.statuses import services as statuses

    definition = framework.parsed
    last = dt.date.today().year - 1
    first = last - years + 1
    reports = []
    for cluster in clusters:
        application = Application.objects.create(call=call, cluster=cluster)
        ApplicationRevision.objects.create(
            application=application, stage="formal", number=1, members=[],
            as_of=dt.date(first - 1, 6, 1),
            data={i.compare_with: str(rng.randint(10, 5000))
                  for i in definition.indicators if i.compare_with},
        )  # fmt: skip
        grant = statuses.grant_status(
            cluster=cluster, round_label="B", decision_on=dt.date(first - 1, 12, 1),
            valid_from=dt.date(first, 1, 1), valid_to=dt.date(last + 2, 12, 31), by=None,
            call=call, application=application,
        )  # fmt: skip
        for year in range(first, last + 1):
            registry = {i.id: str(rng.randint(10, 500)) for i in definition.registry_indicators}
            values = {
                i.id: f"{rng.randint(0, 10**6)}.{rng.randint(0, 99):02d}"
                if i.type == "money" else str(rng.randint(0, 5000))
                for i in definition.reported_indicators
            }  # fmt: skip
            reports.append(
                YearlyReport(
                    cluster=cluster,
                    year=year,
                    framework=framework,
                    status_grant=grant,
                    state="accepted",
                    due_on=dt.date(year + 1, 3, 31),
                    registry_values=registry,
                    values=values,
                    reviewed_at=timezone.now(),
                )  # fmt: skip
            )
    YearlyReport.objects.bulk_create(reports)


def measure(client, url: str, repeat: int) -> tuple[int, list[float], list[float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(captured.captured_queries)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return queries, times, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kc-bench-monitoring-"))
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> int:
    setup_django(workdir)
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from keyclusters.accounts.models import User
    from keyclusters.competitions import services as competitions
    from keyclusters.domain.rulebook.loading import shipped_rulebook_path
    from keyclusters.monitoring import services
    from keyclusters.web.demo.registry import build_registry

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    demo = build_registry(clusters=args.holders, organisations=10 * args.holders)
    clusters = sorted(demo.clusters, key=lambda c: c.pk)[: args.holders]
    framework = services.store_framework(source=framework_yaml(args.indicators))
    now = timezone.now()
    call = competitions.create_call(
        name="Bench",
        opens_at=now - dt.timedelta(days=4000),
        closes_at=now - dt.timedelta(days=3900),
        rulebook=competitions.store_rulebook(
            source=shipped_rulebook_path("kkk-2022").read_text(encoding="utf-8")
        ),
    )  # fmt: skip
    operator = User.objects.create(username="bench-operator", is_staff=True)
    operator.groups.add(Group.objects.get(name="operator"))
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.force_login(operator)
    rng = random.Random(2026)
    give_reports(clusters[:FIRST], framework, call, args.years, rng)
    setup = time.perf_counter() - started

    definition = framework.parsed
    compared = next(i.id for i in definition.reported_indicators if i.compare_with)
    plain = next(i.id for i in definition.reported_indicators if not i.compare_with)
    indicators = reverse("monitoring:indicators")
    pages = {
        f"indicators table ({compared}, compared)": f"{indicators}?indicator={compared}",
        f"indicators table ({plain})": f"{indicators}?indicator={plain}",
        "trajectory of a holder": reverse("monitoring:trajectory", args=[clusters[0].pk]),
        "open data (CSV)": reverse("monitoring:open-data", args=["csv"]),
    }
    client.get(indicators)  # the session's first request
    before = {name: measure(client, url, 0)[0] for name, url in pages.items()}
    give_reports(clusters[FIRST:], framework, call, args.years, rng)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"setup {setup:.1f} s; {len(clusters)} holders x {args.years} years x "
        f"{len(definition.indicators)} indicators, {args.repeat} requests a page"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'page':<44} {'q(3)':>5} {'q(all)':>6} {'p50 ms':>8} {'p95 ms':>8} {'cpu p95':>8}")
    ok = True
    for name, url in pages.items():
        queries, times, cpu = measure(client, url, args.repeat)
        p50, p95 = statistics.median(times), percentile95(times)
        print(
            f"{name:<44} {before[name]:>5} {queries:>6} {p50:>8.1f} {p95:>8.1f} "
            f"{percentile95(cpu):>8.1f}"
        )
        if queries != before[name]:
            ok = False
        if name.startswith("indicators table") and p95 > P95_TARGET_MS:
            ok = False
    print(
        f"targets: indicators table p95 <= {P95_TARGET_MS:.0f} ms, constant queries: "
        f"{'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
