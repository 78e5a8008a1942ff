"""The catalogue of funding instruments and the test of an instrument's terms (pure Python).

A funding instrument (a call, a programme's criterion, a zone's criterion) gives a benefit to
the members or the coordinators of clusters holding a status, on terms that differ between
instruments. The catalogue (``rulebooks/instruments.yaml``) writes those terms as data:

- ``beneficiary``: ``member`` (the cluster's members, the coordinator included, as
  verification counts members), ``coordinator`` (only the coordinator) or ``both`` (the
  coordinator applies and the members take part, or either applies: tested as ``member``);
- ``status_types``: the codes of the status types that count (``kkk``, ``pkw``…);
- ``reference_date``: the date the agency asks about (``submission`` of the application or its
  ``evaluation``); the question's date is that date;
- ``min_months``: the least calendar months of membership before the reference date;
- ``held_throughout``: whether the cluster must have held an admitted status for those months
  without a break (on the reference date alone when ``min_months`` is 0).

:func:`validate_catalogue` reports every problem with its path (``instruments[2].min_months:
must be an integer ≥ 0``), in the style of the rulebooks (:mod:`.rulebook.errors`);
:func:`evaluate` decides an instrument for the memberships of one organisation on a date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .i18n import N_
from .rulebook.errors import ROOT, RulebookError, RulebookInvalid, errors_from_validation
from .rulebook.model import ID_PATTERN, RULEBOOK_ID_PATTERN

BENEFICIARIES = ("member", "coordinator", "both")
REFERENCE_DATES = ("submission", "evaluation")
COORDINATOR = "coordinator"
KNOWN_STATUS_TYPES = frozenset({"kkk", "pkw"})

# What an entry may mark as not stated by the public sources (``illustrative: [...]``).
ILLUSTRATIVE_TERMS: dict[str, str] = {
    "beneficiary": N_("Who benefits"),
    "status_types": N_("The status types that count"),
    "reference_date": N_("The reference date"),
    "min_months": N_("The minimum months of membership"),
    "held_throughout": N_("Whether the status must have been held throughout"),
    "benefit": N_("The benefit"),
}

# The reasons an answer is not eligible, in the order the terms are tested.
NOT_A_MEMBER = "not-a-member"
STATUS_TYPE_NOT_ADMITTED = "status-type-not-admitted"
COORDINATOR_ONLY = "coordinator-only"
MEMBERSHIP_TOO_SHORT = "membership-too-short"
STATUS_NOT_HELD_THROUGHOUT = "status-not-held-throughout"
REASONS = (
    NOT_A_MEMBER,
    STATUS_TYPE_NOT_ADMITTED,
    COORDINATOR_ONLY,
    MEMBERSHIP_TOO_SHORT,
    STATUS_NOT_HELD_THROUGHOUT,
)
_RANK: dict[str | None, int] = {reason: rank for rank, reason in enumerate(REASONS)}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Titles(_Strict):
    pl: Text
    en: Text

    def get(self, language: str | None) -> str:
        return self.en if (language or "pl").startswith("en") else self.pl


class Instrument(_Strict):
    id: Identifier
    title: Titles
    source: Text
    benefit: Titles | None = None
    beneficiary: Literal["member", "coordinator", "both"]
    status_types: list[Identifier] = Field(min_length=1)
    reference_date: Literal["submission", "evaluation"]
    min_months: int = Field(0, ge=0, le=1200)
    held_throughout: bool = False
    illustrative: list[str] = Field(default_factory=list)

    @property
    def coordinators_only(self) -> bool:
        return self.beneficiary == COORDINATOR


class Catalogue(_Strict):
    id: Annotated[str, StringConstraints(pattern=RULEBOOK_ID_PATTERN)]
    version: int = Field(ge=1)
    instruments: list[Instrument] = Field(min_length=1)

    def get(self, instrument_id: str) -> Instrument | None:
        for instrument in self.instruments:
            if instrument.id == instrument_id:
                return instrument
        return None

    @property
    def ids(self) -> list[str]:
        return [instrument.id for instrument in self.instruments]


# -- validation --------------------------------------------------------------------------------

_MIN_MONTHS = N_("must be an integer ≥ 0")


def _pydantic_errors(exc: ValidationError) -> list[RulebookError]:
    errors = []
    for error in errors_from_validation(exc):
        if error.path.endswith(".min_months") and error.message_id != N_("unknown key"):
            error = RulebookError(error.path, _MIN_MONTHS)
        errors.append(error)
    return errors


def _semantic_errors(data: dict[str, Any], status_types: Iterable[str]) -> list[RulebookError]:
    errors: list[RulebookError] = []
    known = frozenset(status_types)
    entries = data.get("instruments")
    if not isinstance(entries, list):
        return errors
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        path = f"instruments[{index}]"
        ident = entry.get("id")
        if isinstance(ident, str):
            if ident in seen:
                errors.append(
                    RulebookError(
                        f"{path}.id",
                        N_("duplicate id '%(id)s' (already used at %(first)s)"),
                        {"id": ident, "first": seen[ident]},
                    )
                )
            else:
                seen[ident] = path
        types = entry.get("status_types")
        if isinstance(types, list):
            for position, code in enumerate(types):
                if isinstance(code, str) and code not in known:
                    errors.append(
                        RulebookError(
                            f"{path}.status_types[{position}]",
                            N_("unknown status type '%(code)s' (known: %(known)s)"),
                            {"code": code, "known": ", ".join(sorted(known))},
                        )
                    )
            repeated = sorted({c for c in types if isinstance(c, str) and types.count(c) > 1})
            for code in repeated:
                errors.append(
                    RulebookError(
                        f"{path}.status_types",
                        N_("'%(code)s' is listed twice"),
                        {"code": code},
                    )
                )
        illustrative = entry.get("illustrative")
        if isinstance(illustrative, list):
            for position, term in enumerate(illustrative):
                if isinstance(term, str) and term not in ILLUSTRATIVE_TERMS:
                    errors.append(
                        RulebookError(
                            f"{path}.illustrative[{position}]",
                            N_("must be one of: %(expected)s"),
                            {"expected": ", ".join(ILLUSTRATIVE_TERMS)},
                        )
                    )
    return errors


def validate_catalogue(
    data: object, *, status_types: Iterable[str] = KNOWN_STATUS_TYPES
) -> list[RulebookError]:
    """Every problem of a catalogue document (empty when it is valid), each with its path.
    ``status_types``: the codes the registry knows."""
    if not isinstance(data, dict):
        return [RulebookError(ROOT, N_("must be a mapping"))]
    errors: list[RulebookError] = []
    try:
        Catalogue.model_validate(data)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(exc))
    errors.extend(_semantic_errors(data, status_types))
    return sorted(errors, key=lambda e: _sort_key(e.path))


def _sort_key(path: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for chunk in path.replace("]", "").replace("[", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)


def parse_catalogue(data: object, *, status_types: Iterable[str] = KNOWN_STATUS_TYPES) -> Catalogue:
    """The catalogue, or :class:`RulebookInvalid` with every problem."""
    errors = validate_catalogue(data, status_types=status_types)
    if errors:
        raise RulebookInvalid(errors)
    return Catalogue.model_validate(data)


# -- the test of an instrument's terms -----------------------------------------------------------


def months_before(on: dt.date, months: int) -> dt.date | None:
    """The date ``months`` calendar months before ``on`` (end-of-month clamped), as the
    verification's ``min_months`` counts; None before year 1."""
    index = on.year * 12 + (on.month - 1) - months
    year, month = divmod(index, 12)
    if year < 1:
        return None
    return dt.date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def full_months(start: dt.date, on: dt.date) -> int:
    """The whole calendar months from ``start`` to ``on`` (0 when ``start`` is after ``on``):
    the largest N with ``months_before(on, N) >= start``."""
    if start > on:
        return 0
    months = (on.year - start.year) * 12 + on.month - start.month
    while months > 0:
        earliest = months_before(on, months)
        if earliest is not None and earliest >= start:
            break
        months -= 1
    return months


@dataclass(frozen=True, slots=True)
class Period:
    """A status held by a cluster: its type and its first and last valid days."""

    status_type: str
    first_day: dt.date
    last_day: dt.date


class Candidate(NamedTuple):
    """A membership active on the reference date in a cluster holding a status on it."""

    cluster_id: int
    role: str
    counted_from: dt.date
    periods: tuple[Period, ...]  # the cluster's statuses, of every type


class Verdict(NamedTuple):
    """The test of an instrument's terms on one organisation (a named tuple: a bulk request
    builds one per member)."""

    eligible: bool
    reason: str | None  # one of REASONS when not eligible
    cluster_id: int | None = None
    role: str | None = None
    counted_from: dt.date | None = None
    months: int | None = None  # whole months of membership on the reference date
    min_months: int = 0
    status_type: str | None = None  # the admitted type held on the date (or the one held)
    status_held_since: dt.date | None = None  # held without a break since (admitted types)


def held_since(periods: Iterable[Period], types: Sequence[str], on: dt.date) -> dt.date | None:
    """The first day from which statuses of ``types`` were held without a break up to ``on``
    (None when none is held on ``on``)."""
    spans = [(p.first_day, p.last_day) for p in periods if p.status_type in types]
    covering = [first for first, last in spans if first <= on <= last]
    if not covering:
        return None
    start = min(covering)
    changed = True
    while changed:  # take in each span that ends the day before ``start`` or later
        changed = False
        for first, last in spans:
            if first < start <= last + dt.timedelta(days=1):
                start, changed = first, True
    return start


class Judge:
    """The test of one instrument's terms on one reference date, for many memberships (a bulk
    verification asks it for every member): what depends only on a cluster's statuses (the
    admitted type held on the date, held since when) is computed once per cluster, the whole
    months once per start date. Candidates of one cluster carry that cluster's periods."""

    __slots__ = ("instrument", "on", "window_start", "_clusters", "_months")

    def __init__(self, instrument: Instrument, on: dt.date) -> None:
        self.instrument = instrument
        self.on = on
        # the status must have been held since this day (``held_throughout``)
        self.window_start = months_before(on, instrument.min_months)
        self._clusters: dict[int, tuple[bool, str | None, dt.date | None]] = {}
        self._months: dict[dt.date, int] = {}

    def _cluster(self, candidate: Candidate) -> tuple[bool, str | None, dt.date | None]:
        """(an admitted type is held on the date, the type to name, held since)."""
        found = self._clusters.get(candidate.cluster_id)
        if found is None:
            on, types = self.on, self.instrument.status_types
            held = [p for p in candidate.periods if p.first_day <= on <= p.last_day]
            admitted = [p for p in held if p.status_type in types]
            if admitted:
                status_type = max(admitted, key=lambda p: p.first_day).status_type
                found = (True, status_type, held_since(candidate.periods, types, on))
            else:
                found = (False, held[-1].status_type if held else None, None)
            self._clusters[candidate.cluster_id] = found
        return found

    def months(self, start: dt.date) -> int:
        months = self._months.get(start)
        if months is None:
            months = self._months[start] = full_months(start, self.on)
        return months

    def judge(self, candidate: Candidate) -> Verdict:
        """The verdict on one membership: the first term it fails, in the order of REASONS."""
        instrument = self.instrument
        admitted, status_type, since = self._cluster(candidate)
        months = self.months(candidate.counted_from)
        reason = None
        if not admitted:
            reason = STATUS_TYPE_NOT_ADMITTED
        elif instrument.coordinators_only and candidate.role != COORDINATOR:
            reason = COORDINATOR_ONLY
        elif months < instrument.min_months:
            reason = MEMBERSHIP_TOO_SHORT
        elif instrument.held_throughout and (
            since is None or self.window_start is None or since > self.window_start
        ):
            reason = STATUS_NOT_HELD_THROUGHOUT
        return Verdict(
            reason is None, reason, candidate.cluster_id, candidate.role, candidate.counted_from,
            months, instrument.min_months, status_type, since,
        )  # fmt: skip

    def evaluate(self, candidates: Iterable[Candidate]) -> Verdict:
        """Whether an organisation meets the terms: eligible when one of its memberships
        (``candidates``) meets them all. Otherwise the reason is that of the membership that
        came nearest (the latest term it failed, in the order of :data:`REASONS`; between
        equals the longest membership), ``not-a-member`` without one."""
        candidates = list(candidates)
        if len(candidates) == 1:  # most organisations
            verdict = self.judge(candidates[0])
            return verdict
        best: Verdict | None = None
        for candidate in sorted(candidates, key=lambda c: (c.counted_from, c.cluster_id, c.role)):
            verdict = self.judge(candidate)
            if verdict.eligible:
                return verdict
            if best is None or _RANK[verdict.reason] > _RANK[best.reason]:
                best = verdict
        if best is None:
            return Verdict(False, NOT_A_MEMBER, min_months=self.instrument.min_months)
        return best


def evaluate(instrument: Instrument, on: dt.date, candidates: Iterable[Candidate]) -> Verdict:
    """:meth:`Judge.evaluate` for one organisation."""
    return Judge(instrument, on).evaluate(candidates)


# -- loading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedCatalogue:
    """A valid catalogue with its canonical source text and that text's SHA-256."""

    catalogue: Catalogue
    text: str
    sha256: str

    @property
    def version(self) -> int:
        return self.catalogue.version


def load_catalogue(
    source: str | bytes, *, status_types: Iterable[str] = KNOWN_STATUS_TYPES
) -> LoadedCatalogue:
    """A catalogue from YAML text (or UTF-8 bytes, or the path of a ``.yaml`` file); raises
    :class:`RulebookInvalid` with every problem and its path."""
    from .rulebook.loading import canonical_text, parse_yaml, read_source, source_sha256

    text = canonical_text(read_source(source))
    catalogue = parse_catalogue(parse_yaml(text), status_types=status_types)
    return LoadedCatalogue(catalogue, text, source_sha256(text))


def shipped_catalogue_path() -> Any:
    from .rulebook.loading import SHIPPED_RULEBOOKS_DIR

    return SHIPPED_RULEBOOKS_DIR / "instruments.yaml"


@dataclass(frozen=True)
class Chosen:
    """An instrument as one version of the catalogue writes it: what an answer records."""

    instrument: Instrument
    version: int
    sha256: str

    def stamp(self) -> dict[str, Any]:
        return {"id": self.instrument.id, "version": self.version, "sha256": self.sha256}


def period(status_type: str, valid_from: dt.date, valid_to: dt.date,
           withdrawn_on: dt.date | None) -> Period | None:  # fmt: skip
    """The days a grant made the status held (None for a grant withdrawn from its first day)."""
    last = valid_to if withdrawn_on is None else min(valid_to, withdrawn_on - dt.timedelta(days=1))
    return Period(status_type, valid_from, last) if last >= valid_from else None
