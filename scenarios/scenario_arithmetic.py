"""Exact arithmetic shared by the scenario generators (scenarios/generate_round_*.py).

Fractions only, and no import of keyclusters: the expected results are computed independently of
the application's code, from the rules as the rulebook states them.
"""

from fractions import Fraction as F
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def rulebook(rulebook_id):
    """The shipped rulebook's YAML as data."""
    return yaml.safe_load((ROOT / "rulebooks" / f"{rulebook_id}.yaml").read_text(encoding="utf-8"))


def criteria(book, stage):
    """``[(criterion id, max)]`` of one stage, in the rulebook's order."""
    return [
        (c["id"], F(str(c.get("max", 0))))
        for area in book["areas"]
        for c in area["criteria"]
        if c["stage"] == stage
    ]


def split(total, stage_criteria):
    """``total`` points spread over the criteria in half points, proportional to their maxima
    (the remainder given half a point at a time, in order)."""
    total = F(str(total))
    maximum = sum(m for _, m in stage_criteria)
    assert 0 <= total <= maximum, (total, maximum)
    points = [[cid, F((total * m / maximum * 2).__floor__(), 2), m] for cid, m in stage_criteria]
    rest = total - sum(p[1] for p in points)
    i = 0
    while rest > 0:
        entry = points[i % len(points)]
        if entry[1] + F(1, 2) <= entry[2]:
            entry[1] += F(1, 2)
            rest -= F(1, 2)
        i += 1
    assert sum(p[1] for p in points) == total
    return {cid: int(v) if v.denominator == 1 else float(v) for cid, v, _m in points}


def mean(values):
    values = [F(str(v)) for v in values]
    return sum(values) / len(values)


def median(values):
    ordered = sorted(F(str(v)) for v in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def per_criterion(method, sheets):
    """The stage's points: ``method`` (mean or median) of the experts' points per criterion,
    summed (exact)."""
    ids = sheets[0].keys()
    return sum(method([sheet[cid] for sheet in sheets]) for cid in ids)


def rounded(x):
    """A Fraction rounded half up to two decimals (as a Fraction)."""
    q = F(x) * 100
    return F((q.numerator * 2 + q.denominator) // (2 * q.denominator), 100)


def dec(x):
    """A Fraction written with two decimals, half up."""
    n = int(rounded(x) * 100)
    return f"{n // 100}.{n % 100:02d}"


def bracket_points(brackets, value):
    """The points of the highest bracket whose ``min`` the value reaches (0 below all)."""
    points = F(0)
    for bracket in brackets:
        if F(value) >= F(str(bracket["min"])):
            points = F(str(bracket["points"]))
    return points


def write(path, header, document):
    with open(ROOT / path, "w", encoding="utf-8") as handle:
        handle.write(
            header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        )
