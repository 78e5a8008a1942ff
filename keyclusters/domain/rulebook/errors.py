"""Errors of a rulebook, each with its path, and the translation of pydantic's errors into them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..i18n import N_
from .model import ID_PATTERN, RULEBOOK_ID_PATTERN

ROOT = "(root)"


@dataclass(frozen=True)
class RulebookError:
    """One problem of a rulebook: where (``path``) and what (an English, translatable message)."""

    path: str
    message_id: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.message_id % dict(self.params) if self.params else self.message_id

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RulebookInvalid(ValueError):
    """A rulebook that cannot be loaded; ``errors`` holds every problem found."""

    def __init__(self, errors: Iterable[RulebookError]) -> None:
        self.errors: list[RulebookError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def join_path(loc: Iterable[object]) -> str:
    """``("areas", 1, "criteria", 0, "max")`` -> ``areas[1].criteria[0].max``."""
    path = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or ROOT


# -- pydantic errors -----------------------------------------------------------------------

_PATTERN_MESSAGES = {
    RULEBOOK_ID_PATTERN: N_("must contain only lowercase letters, digits and dashes"),
    ID_PATTERN: N_(
        "must start with a lowercase letter and contain only lowercase letters, digits, "
        "underscores and dashes"
    ),
}
_TYPE_MESSAGES = {
    "missing": N_("is required"),
    "extra_forbidden": N_("unknown key"),
    "invalid_key": N_("keys must be text"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "decimal_type": N_("must be a number"),
    "decimal_parsing": N_("must be a number"),
    "finite_number": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text"),
    "dict_type": N_("must be a mapping"),
    "model_type": N_("must be a mapping"),
    "model_attributes_type": N_("must be a mapping"),
    "list_type": N_("must be a list"),
    "date_type": N_("must be a date (YYYY-MM-DD)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("must be a date (YYYY-MM-DD)"),
}
_LIMIT_MESSAGES = {
    "greater_than_equal": ("ge", N_("must be at least %(limit)s")),
    "greater_than": ("gt", N_("must be greater than %(limit)s")),
    "less_than_equal": ("le", N_("must be at most %(limit)s")),
    "less_than": ("lt", N_("must be less than %(limit)s")),
}


def _from_pydantic(error: Mapping[str, Any]) -> RulebookError:
    loc = list(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if loc and loc[-1] == "[key]":
        return RulebookError(join_path(loc[:-1]), N_("is not a language code (such as pl or en)"))
    path = join_path(loc)
    if kind in _TYPE_MESSAGES:
        return RulebookError(path, _TYPE_MESSAGES[kind])
    if kind in _LIMIT_MESSAGES:
        key, message = _LIMIT_MESSAGES[kind]
        return RulebookError(path, message, {"limit": ctx.get(key)})
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return RulebookError(path, N_("must be one of: %(expected)s"), {"expected": expected})
    if kind == "too_short":
        return RulebookError(path, N_("must not be empty"))
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return RulebookError(path, _PATTERN_MESSAGES.get(pattern, N_("has an invalid form")))
    return RulebookError(path, str(error.get("msg", N_("is invalid"))))


def errors_from_validation(exc: ValidationError) -> list[RulebookError]:
    return [_from_pydantic(error) for error in exc.errors()]
