"""A benchmarking framework: areas, sub-areas and indicators, as pydantic models.

:func:`parse_framework` validates a mapping (the YAML file as loaded) and either returns a
:class:`Framework` or raises :class:`FrameworkError` listing every problem with its path, e.g.
``areas[0].subareas[1].indicators[2].direction: must be one of: higher, lower``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..i18n import N_

RULEBOOK_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[a-zA-Z]{2,4})?$"

NORMALISATIONS: tuple[str, ...] = ("min-max", "z-score", "distance-to-leader", "rank")
AGGREGATIONS: tuple[str, ...] = ("arithmetic", "geometric")
# The geometric mean needs non-negative scores: z-scores are negative for half of the group.
GEOMETRIC_NORMALISATIONS: tuple[str, ...] = ("min-max", "distance-to-leader", "rank")
# The data set's column that names the cluster; no indicator may take this id.
CLUSTER_COLUMN = "cluster"

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
LocalizedText = dict[Language, str]
Normalisation = Literal["min-max", "z-score", "distance-to-leader", "rank"]
Aggregation = Literal["arithmetic", "geometric"]


def valid_normalisations(aggregation: str) -> tuple[str, ...]:
    """The normalisation methods that the aggregation is defined for."""
    return GEOMETRIC_NORMALISATIONS if aggregation == "geometric" else NORMALISATIONS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Indicator(_Strict):
    id: Identifier
    title: LocalizedText | None = None
    unit: str | None = None
    direction: Literal["higher", "lower"]
    source: Literal["coordinator", "member-survey"]


FrameworkId = Annotated[str, StringConstraints(pattern=RULEBOOK_ID_PATTERN)]
# Another framework's id -> the ids (areas of an area, sub-areas of a sub-area) that this one
# corresponds to there; the comparison across editions of different frameworks follows it.
FrameworkMapping = dict[FrameworkId, Annotated[list[Identifier], Field(min_length=1)]]


class Band(_Strict):
    """A rating band: an area score of at least ``min`` is rated ``label`` ("very high")."""

    min: float = Field(allow_inf_nan=False)
    label: Annotated[LocalizedText, Field(min_length=1)]


class Subarea(_Strict):
    id: Identifier
    title: LocalizedText | None = None
    maps_to: FrameworkMapping | None = None
    indicators: list[Indicator] = Field(min_length=1)


class Area(_Strict):
    id: Identifier
    title: LocalizedText | None = None
    weight: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    maps_to: FrameworkMapping | None = None
    bands: list[Band] | None = Field(default=None, min_length=1)
    subareas: list[Subarea] = Field(min_length=1)


class EditionDefaults(_Strict):
    """What an edition of this framework starts with (the analyst may change it per edition)."""

    number: int | None = Field(default=None, ge=1)
    contractor: str | None = Field(default=None, min_length=1)
    financing: LocalizedText | None = None
    publish_position: bool = False


class Framework(_Strict):
    rulebook: Annotated[str, StringConstraints(pattern=RULEBOOK_ID_PATTERN)]
    version: int = Field(ge=1)
    kind: Literal["benchmarking-framework"]
    title: LocalizedText | None = None
    normalisation: Normalisation
    aggregation: Aggregation
    edition: EditionDefaults = EditionDefaults()
    bands: list[Band] | None = Field(default=None, min_length=1)
    areas: list[Area] = Field(min_length=1)

    def bands_of(self, area: Area) -> list[Band]:
        """The area's own rating bands, else the framework's, else none."""
        return list(area.bands or self.bands or [])

    def mapped_frameworks(self) -> set[str]:
        """The framework ids this one declares a mapping to."""
        found: set[str] = set()
        for area in self.areas:
            found.update(area.maps_to or {})
            for sub in area.subareas:
                found.update(sub.maps_to or {})
        return found

    @property
    def indicators(self) -> list[Indicator]:
        """Every indicator, in the order of the file (grouped by sub-area and area)."""
        return [i for a in self.areas for s in a.subareas for i in s.indicators]

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @property
    def subareas(self) -> list[Subarea]:
        return [s for a in self.areas for s in a.subareas]

    @property
    def area_ids(self) -> list[str]:
        return [a.id for a in self.areas]

    def canonical_sha256(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys); used when no file hash is known."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FrameworkIssue:
    """One problem of a framework file: where (``path``) and what (``message``, in English).

    ``msgid`` and ``params`` let the application layer translate the message:
    ``gettext(issue.msgid) % issue.params``.
    """

    path: str
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FrameworkError(ValueError):
    """The framework is not valid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[FrameworkIssue]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def format_path(loc: tuple[int | str, ...]) -> str:
    """``("areas", 0, "subareas", 1, "id")`` -> ``areas[0].subareas[1].id``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_TYPE_MESSAGES = {
    "int_type": N_("must be an integer"),
    "int_from_float": N_("must be an integer"),
    "float_type": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "string_type": N_("must be a text"),
    "bool_type": N_("must be true or false"),
    "dict_type": N_("must be a mapping"),
    "model_type": N_("must be a mapping"),
    "list_type": N_("must be a list"),
}


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _issue_from_pydantic(error: Mapping[str, Any]) -> FrameworkIssue:
    loc = tuple(error["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    path = format_path(loc[:-1] if is_key else loc)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return FrameworkIssue(path, N_("is required"))
    if kind == "extra_forbidden":
        return FrameworkIssue(path, N_("unknown key"))
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return FrameworkIssue(path, N_("must be one of: %(choices)s"), {"choices": choices})
    if kind == "string_pattern_mismatch":
        if loc == ("rulebook",):
            return FrameworkIssue(path, N_("must consist of lowercase letters, digits and dashes"))
        if is_key and "maps_to" in loc:
            return FrameworkIssue(
                path, N_("must be a framework id: lowercase letters, digits and dashes")
            )
        if is_key:
            return FrameworkIssue(path, N_("must be a language code such as pl or en"))
        return FrameworkIssue(
            path, N_("must be a lowercase letter followed by letters, digits, _ or -")
        )
    if kind in ("too_short", "string_too_short"):
        return FrameworkIssue(path, N_("must not be empty"))
    if kind == "greater_than":
        limit = _number(ctx.get("gt"))
        return FrameworkIssue(path, N_("must be greater than %(limit)s"), {"limit": limit})
    if kind == "greater_than_equal":
        limit = _number(ctx.get("ge"))
        return FrameworkIssue(path, N_("must be at least %(limit)s"), {"limit": limit})
    if kind in _TYPE_MESSAGES:
        return FrameworkIssue(path, _TYPE_MESSAGES[kind])
    return FrameworkIssue(path, "%(detail)s", {"detail": error.get("msg", kind)})


def _items(data: Any, key: str) -> Iterator[tuple[int, Any]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if isinstance(value, list):
        yield from enumerate(value)


def _id_of(item: Any) -> str | None:
    if isinstance(item, Mapping) and isinstance(item.get("id"), str):
        return item["id"]
    return None


def _semantic_issues(data: Mapping[str, Any]) -> list[FrameworkIssue]:
    """Duplicates, reserved ids and the aggregation/normalisation pairing, on the raw mapping.

    Run on the raw data so that they are reported together with the shape errors.
    """
    issues: list[FrameworkIssue] = []
    seen: dict[str, dict[str, str]] = {"area": {}, "sub-area": {}, "indicator": {}}

    def check(kind: str, item: Any, path: str) -> None:
        ident = _id_of(item)
        if ident is None:
            return
        first = seen[kind].get(ident)
        if first is not None:
            issues.append(
                FrameworkIssue(
                    f"{path}.id",
                    N_('duplicate %(kind)s id "%(id)s" (first at %(first)s)'),
                    {"kind": kind, "id": ident, "first": first},
                )
            )
        else:
            seen[kind][ident] = f"{path}.id"

    for a, area in _items(data, "areas"):
        check("area", area, f"areas[{a}]")
        for s, subarea in _items(area, "subareas"):
            check("sub-area", subarea, f"areas[{a}].subareas[{s}]")
            for i, indicator in _items(subarea, "indicators"):
                path = f"areas[{a}].subareas[{s}].indicators[{i}]"
                check("indicator", indicator, path)
                if _id_of(indicator) == CLUSTER_COLUMN:
                    issues.append(
                        FrameworkIssue(
                            f"{path}.id",
                            N_('"%(id)s" is reserved for the column that names the cluster'),
                            {"id": CLUSTER_COLUMN},
                        )
                    )
    issues.extend(_band_issues(data.get("bands"), "bands"))
    for a, area in _items(data, "areas"):
        if isinstance(area, Mapping):
            issues.extend(_band_issues(area.get("bands"), f"areas[{a}].bands"))
            issues.extend(_self_mapping_issues(data, area, f"areas[{a}]"))
            for s, subarea in _items(area, "subareas"):
                issues.extend(_self_mapping_issues(data, subarea, f"areas[{a}].subareas[{s}]"))
    if data.get("aggregation") == "geometric" and data.get("normalisation") == "z-score":
        issues.append(
            FrameworkIssue(
                "aggregation",
                N_("geometric aggregation is not defined for z-score normalisation"),
            )
        )
    return issues


def _band_issues(bands: Any, path: str) -> list[FrameworkIssue]:
    """Bands run from the highest to the lowest: each minimum below the one before it."""
    issues: list[FrameworkIssue] = []
    previous: float | None = None
    for b, band in enumerate(bands if isinstance(bands, list) else []):
        low = band.get("min") if isinstance(band, Mapping) else None
        if isinstance(low, bool) or not isinstance(low, int | float):
            previous = None
            continue
        if previous is not None and low >= previous:
            issues.append(
                FrameworkIssue(
                    f"{path}[{b}].min",
                    N_("must be lower than the minimum of the band before it (%(previous)s)"),
                    {"previous": _number(previous)},
                )
            )
        previous = low
    return issues


def _self_mapping_issues(data: Mapping[str, Any], item: Any, path: str) -> list[FrameworkIssue]:
    own = data.get("rulebook")
    mapping = item.get("maps_to") if isinstance(item, Mapping) else None
    if isinstance(mapping, Mapping) and own in mapping:
        return [
            FrameworkIssue(
                f"{path}.maps_to.{own}",
                N_("a framework cannot be mapped to itself"),
            )
        ]
    return []


def mapping_issues(framework: Framework, target: Framework) -> list[FrameworkIssue]:
    """The ids that ``framework`` maps to in ``target`` and that ``target`` does not have."""
    issues: list[FrameworkIssue] = []
    area_ids = set(target.area_ids)
    subarea_ids = {s.id for s in target.subareas}
    key = target.rulebook

    def check(ids: list[str], known: set[str], kind: str, path: str) -> None:
        for n, ident in enumerate(ids):
            if ident not in known:
                issues.append(
                    FrameworkIssue(
                        f"{path}.maps_to.{key}[{n}]",
                        N_('%(framework)s has no %(kind)s "%(id)s"'),
                        {"framework": key, "kind": kind, "id": ident},
                    )
                )

    for a, area in enumerate(framework.areas):
        check((area.maps_to or {}).get(key, []), area_ids, "area", f"areas[{a}]")
        for s, sub in enumerate(area.subareas):
            path = f"areas[{a}].subareas[{s}]"
            check((sub.maps_to or {}).get(key, []), subarea_ids, "sub-area", path)
    return issues


def parse_framework(data: Any) -> Framework:
    """Validate ``data`` (a mapping, as loaded from YAML) and return the framework.

    Raises :class:`FrameworkError` with every problem found, each with its path.
    """
    if not isinstance(data, Mapping):
        raise FrameworkError([FrameworkIssue("", N_("a framework must be a mapping"))])
    issues: list[FrameworkIssue] = []
    framework: Framework | None = None
    try:
        framework = Framework.model_validate(dict(data))
    except ValidationError as exc:
        issues.extend(_issue_from_pydantic(e) for e in exc.errors())
    issues.extend(_semantic_issues(data))
    if issues or framework is None:
        raise FrameworkError(issues)
    return framework


def with_normalisation(framework: Framework, normalisation: str) -> Framework:
    """The same framework computed with another normalisation (``--normalisation M``)."""
    data = framework.model_dump(mode="python")
    data["normalisation"] = normalisation
    return parse_framework(data)
