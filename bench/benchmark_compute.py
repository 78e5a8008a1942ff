"""Timing of the benchmarking computation on random data (seeded).

- composite indicators: 10,000 clusters x the 114 indicators of rulebooks/parp-benchmark-2020.yaml,
  2 % of the values missing, each normalisation (target: at most 1 s);
- sensitivity: 1,000 draws on 40 clusters x 114 indicators (target: at most 5 s).

Run: ``.venv/bin/python bench/benchmark_compute.py``. Prints the best and median of several runs
and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from keyclusters.domain.benchmarking import (
    NORMALISATIONS,
    compute,
    parse_framework,
    run_sensitivity,
    to_json,
)

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "rulebooks" / "parp-benchmark-2020.yaml"
COMPOSITE_TARGET = 1.0
SENSITIVITY_TARGET = 5.0


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def random_data(n: int, m: int, seed: int, missing: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(mean=2.0, sigma=1.0, size=(n, m))
    values[rng.random((n, m)) < missing] = np.nan
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    framework = parse_framework(yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8")))
    m = len(framework.indicators)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    ok = True

    values = random_data(args.clusters, m, seed=2020)
    names = [f"Klaster {i:05d}" for i in range(args.clusters)]
    print(f"composite: {args.clusters} clusters x {m} indicators, {args.repeat} runs")
    for method in NORMALISATIONS:
        best, median = timed(
            lambda method=method: compute(framework, names, values, normalisation=method),
            args.repeat,
        )
        ok &= median <= COMPOSITE_TARGET
        print(f"  {method:<20} best {best:.3f} s  median {median:.3f} s")
    result = compute(framework, names, values)
    best, median = timed(lambda: to_json(result, framework), args.repeat)
    print(f"  {'to_json':<20} best {best:.3f} s  median {median:.3f} s  (output, not in target)")

    small = random_data(40, m, seed=40)
    small_names = [f"Klaster {i:02d}" for i in range(40)]
    print(f"sensitivity: 40 clusters x {m} indicators, {args.draws} draws, {args.repeat} runs")
    best, median = timed(
        lambda: run_sensitivity(framework, small_names, small, draws=args.draws, seed=1),
        args.repeat,
    )
    ok &= median <= SENSITIVITY_TARGET
    print(f"  {'all methods':<20} best {best:.3f} s  median {median:.3f} s")
    print(
        f"targets: composite <= {COMPOSITE_TARGET} s, sensitivity <= {SENSITIVITY_TARGET} s: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
