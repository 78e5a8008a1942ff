"""Benchmarking of clusters: frameworks, composite indicators and their sensitivity.

Pure Python and numpy; the rules are those of the shared rulebook notes
("Benchmarking frameworks").
"""

from .composite import (
    BenchmarkInputError,
    CompositeResult,
    InputIssue,
    compute,
    format_score,
    to_dict,
    to_json,
)
from .framework import (
    AGGREGATIONS,
    NORMALISATIONS,
    Framework,
    FrameworkError,
    FrameworkIssue,
    parse_framework,
    valid_normalisations,
    with_normalisation,
)
from .sensitivity import SensitivityResult, run_sensitivity

__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "BenchmarkInputError",
    "CompositeResult",
    "Framework",
    "FrameworkError",
    "FrameworkIssue",
    "InputIssue",
    "SensitivityResult",
    "compute",
    "format_score",
    "parse_framework",
    "run_sensitivity",
    "to_dict",
    "to_json",
    "valid_normalisations",
    "with_normalisation",
]
