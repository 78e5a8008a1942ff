"""Rulebooks of status competitions: the model, validation, eligibility and parametric scoring.

Pure Python (pydantic and PyYAML); no Django. A rulebook is loaded with :func:`load_rulebook`,
which validates it and raises :class:`RulebookInvalid` with every error and its path.
"""

from __future__ import annotations

from .comparison import ComparisonError, compare, is_present, to_decimal
from .eligibility import EligibilityResult, MissingField, RuleOutcome, evaluate_eligibility
from .loading import (
    SHIPPED_RULEBOOKS_DIR,
    canonical_bytes,
    canonical_text,
    load_document,
    load_rulebook,
    load_shipped_rulebook,
    parse_yaml,
    shipped_rulebook_ids,
    shipped_rulebook_path,
    source_sha256,
)
from .model import (
    Area,
    Bracket,
    Condition,
    Criterion,
    Decision,
    Divergence,
    EligibilityRule,
    FieldSpec,
    Rulebook,
    Stage,
    StatusRules,
    Validity,
    localized,
)
from .parametric import (
    CriterionScore,
    Explanation,
    ParametricResult,
    bracket_for,
    score_criterion,
    score_parametric,
)
from .validation import (
    BENCHMARKING_FRAMEWORK,
    STATUS_COMPETITION,
    RulebookError,
    RulebookInvalid,
    validate_rulebook,
)
from .values import ValueInvalid, coerce_value, display

__all__ = [
    "BENCHMARKING_FRAMEWORK",
    "SHIPPED_RULEBOOKS_DIR",
    "STATUS_COMPETITION",
    "Area",
    "Bracket",
    "ComparisonError",
    "Condition",
    "Criterion",
    "CriterionScore",
    "Decision",
    "Divergence",
    "EligibilityResult",
    "EligibilityRule",
    "Explanation",
    "FieldSpec",
    "MissingField",
    "ParametricResult",
    "RuleOutcome",
    "Rulebook",
    "RulebookError",
    "RulebookInvalid",
    "Stage",
    "StatusRules",
    "Validity",
    "ValueInvalid",
    "bracket_for",
    "canonical_bytes",
    "canonical_text",
    "coerce_value",
    "compare",
    "display",
    "evaluate_eligibility",
    "is_present",
    "load_document",
    "load_rulebook",
    "load_shipped_rulebook",
    "localized",
    "parse_yaml",
    "score_criterion",
    "score_parametric",
    "shipped_rulebook_ids",
    "shipped_rulebook_path",
    "source_sha256",
    "to_decimal",
    "validate_rulebook",
]
