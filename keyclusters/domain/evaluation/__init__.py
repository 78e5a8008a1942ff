"""Expert scores to decisions: aggregation, divergence, thresholds, ranking and validity.

Pure Python; every function takes the rulebook and plain values and returns plain results that
say how they came about.
"""

from ..points import round_points
from .aggregation import (
    ExpertSheet,
    StageAggregate,
    aggregate,
    aggregate_stage,
    find_divergence,
)
from .decision import Candidate, Outcome, candidate, decide
from .validity import anniversary, status_validity, validity_start

__all__ = [
    "Candidate",
    "ExpertSheet",
    "Outcome",
    "StageAggregate",
    "aggregate",
    "aggregate_stage",
    "anniversary",
    "candidate",
    "decide",
    "find_divergence",
    "round_points",
    "status_validity",
    "validity_start",
]
