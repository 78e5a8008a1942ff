"""Timing of the dedicated benchmarking reports: 40 cluster PDFs of one edition.

A throw-away SQLite database in a temporary directory is migrated and filled with the demo
registry (40 clusters) and the demo benchmarking editions (2018 and 2020, the 114 indicators of
rulebooks/parp-benchmark-2020.yaml); then every report PDF of the 2020 edition is generated as the
background task does it (rendering the HTML, the radar SVG, WeasyPrint, storing the file).
Target: 40 reports in at most 60 s.

Run: ``.venv/bin/python bench/reports.py [--clusters 40]``. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=40)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="kc-bench-reports-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["KEYCLUSTERS_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyclusters.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from keyclusters.accounts.models import User
    from keyclusters.benchmarking import tasks
    from keyclusters.benchmarking.models import ClusterReport
    from keyclusters.web.demo.benchmarking import build_benchmarking
    from keyclusters.web.demo.registry import build_registry

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    demo = build_registry(clusters=args.clusters, organisations=20 * args.clusters)
    analyst = User.objects.create(username="analyst")
    edition = build_benchmarking(clusters=demo.clusters, analyst=analyst)
    setup = time.perf_counter() - started

    times: list[float] = []
    last = time.perf_counter()

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        times.append(now - last)
        last = now
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    with translation.override("pl"):
        start = time.perf_counter()
        total = tasks.generate_all(edition, progress=progress)
        elapsed = time.perf_counter() - start
    print(file=sys.stderr)
    sizes = [r.pdf.size for r in ClusterReport.objects.filter(edition=edition)]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"setup (migrate, demo registry and editions): {setup:.1f} s")
    print(
        f"{total} reports in {elapsed:.1f} s = {elapsed / max(total, 1):.2f} s per report "
        f"(first {times[0]:.2f} s, slowest {max(times):.2f} s, fastest {min(times):.2f} s); "
        f"PDF size {min(sizes) // 1024}-{max(sizes) // 1024} KiB"
    )
    met = elapsed <= TARGET_SECONDS
    print(f"target {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT MET'}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
