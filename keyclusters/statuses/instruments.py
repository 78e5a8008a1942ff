"""The catalogue of funding instruments: stored versions, the current one, and an instrument's
terms tested for a NIP on a date (docs/verification.md, "Funding instruments").

The catalogue is YAML (``rulebooks/instruments.yaml`` ships one), validated like a rulebook
(:mod:`keyclusters.domain.instruments`). :func:`store_catalogue` keeps a new version with the
SHA-256 of its canonical text; the newest stored version is the current one, and while none is
stored the shipped file is. Every answer about an instrument names the catalogue's version and
hash (:func:`choose`).

The current catalogue is kept in the process and compared with the database's newest version
at most every ``INSTRUMENT_CATALOGUE_RECHECK`` seconds (default 1; at once after a version is
stored here, and always inside a transaction), so that a verification does not pay a query
for it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext

from keyclusters.domain import instruments as terms
from keyclusters.domain.rulebook.errors import RulebookInvalid

from .models import InstrumentCatalogue, StatusType


class UnknownInstrument(ValueError):
    """An instrument id the current catalogue does not have; ``message`` names it."""

    def __init__(self, instrument_id: str, known: list[str]) -> None:
        self.instrument_id, self.known = instrument_id, known
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return gettext(
            'The catalogue has no funding instrument "%(id)s" (the instruments are: %(known)s).'
        ) % {"id": self.instrument_id, "known": ", ".join(self.known)}


def status_type_codes() -> list[str]:
    return list(StatusType.objects.values_list("code", flat=True))


def error_lines(exc: RulebookInvalid) -> list[str]:
    """Every problem of a refused catalogue, ``path: message`` in the active language."""
    lines = []
    for error in exc.errors:
        message = gettext(error.message_id)
        lines.append(f"{error.path}: {message % dict(error.params) if error.params else message}")
    return lines


def validate(source: str | bytes) -> terms.LoadedCatalogue:
    """The catalogue in ``source`` checked against the registry's status types; raises
    :class:`RulebookInvalid` with every problem and its path."""
    return terms.load_catalogue(source, status_types=status_type_codes())


def store_catalogue(*, source: str | bytes, by: Any) -> InstrumentCatalogue:
    """Store a new version of the catalogue (YAML text or bytes). Its ``version`` must be
    greater than the newest stored one; the same text as the newest is not stored again (the
    newest is returned). Raises ``ValidationError`` keyed ``source`` (every problem with its
    path) or ``version``, and writes nothing then."""
    try:
        loaded = validate(source)
    except RulebookInvalid as exc:
        raise ValidationError({"source": error_lines(exc)}) from exc
    with transaction.atomic():
        newest = InstrumentCatalogue.objects.select_for_update().order_by("-version").first()
        if newest is not None and newest.sha256 == loaded.sha256:
            return newest
        if newest is not None and loaded.version <= newest.version:
            raise ValidationError(
                {
                    "version": gettext(
                        "version: must be greater than %(newest)s, the newest stored version"
                    )
                    % {"newest": newest.version}
                }
            )
        try:
            with transaction.atomic():
                stored = InstrumentCatalogue.objects.create(
                    version=loaded.version, source=loaded.text, sha256=loaded.sha256, stored_by=by
                )
        except IntegrityError as exc:  # stored meanwhile by another process (the first one)
            raise ValidationError(
                {
                    "version": gettext("version: %(version)s is already stored")
                    % {"version": loaded.version}
                }  # fmt: skip
            ) from exc
        transaction.on_commit(forget)
    return stored


_lock = threading.Lock()
_cached: tuple[float, int | None, terms.LoadedCatalogue] | None = None  # checked at, version


def forget() -> None:
    """Forget the process's copy (the next question reads the newest version)."""
    global _cached
    _cached = None


def _shipped() -> terms.LoadedCatalogue:
    return terms.load_catalogue(terms.shipped_catalogue_path().read_text(encoding="utf-8"))


def current() -> terms.LoadedCatalogue:
    """The catalogue that answers: the newest stored version, else the shipped file."""
    global _cached
    now = time.monotonic()
    cached = _cached
    recheck = getattr(settings, "INSTRUMENT_CATALOGUE_RECHECK", 1.0)
    if cached is not None and not connection.in_atomic_block and now - cached[0] < recheck:
        return cached[2]
    with _lock:
        newest = (
            InstrumentCatalogue.objects.order_by("-version")
            .values_list("version", "source")
            .first()
        )
        version = newest[0] if newest else None
        if cached is not None and cached[1] == version:
            loaded = cached[2]
        elif newest is None:
            loaded = _shipped()
        else:
            # stored after validation; the registry's types then are not asked again here
            loaded = terms.load_catalogue(newest[1], status_types=_all_types(newest[1]))
        _cached = (now, version, loaded)
        return loaded


def _all_types(source: str) -> list[str]:
    """Every status type a stored catalogue names (it was checked when it was stored)."""
    from keyclusters.domain.rulebook.loading import parse_yaml

    data = parse_yaml(source)
    codes = set(terms.KNOWN_STATUS_TYPES)
    for entry in data.get("instruments", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("status_types"), list):
            codes.update(str(code) for code in entry["status_types"])
    return sorted(codes)


def choose(instrument_id: str) -> terms.Chosen:
    """The instrument ``instrument_id`` of the current catalogue, with its version and hash;
    :class:`UnknownInstrument` when it has none."""
    loaded = current()
    instrument = loaded.catalogue.get(instrument_id)
    if instrument is None:
        raise UnknownInstrument(instrument_id, loaded.catalogue.ids)
    return terms.Chosen(instrument, loaded.version, loaded.sha256)


def choices(language: str | None = None) -> list[tuple[str, str]]:
    """(id, title in the active language) of every instrument of the current catalogue."""
    from django.utils.translation import get_language

    language = language or get_language()
    return [(i.id, i.title.get(language)) for i in current().catalogue.instruments]


def evaluate(nip: str, *, on: Any, instrument_id: str) -> dict:
    """The verification answer for the normalised ``nip`` on ``on`` (the instrument's reference
    date) with the instrument's terms tested (``eligible``, ``reason``)."""
    from . import selectors

    return selectors.verify_nip(nip, on=on, instrument=choose(instrument_id))


def day_text(value: str | None) -> str:
    """An ISO date of an answer as the active language writes it ("11.09.2024" in Polish)."""
    return _day(value)


def type_name(code: str | None) -> str:
    """The name of a status type (an answer's ``status_type`` code) in the active language."""
    return _type_name(code)


def _day(value: str | None) -> str:
    import datetime as dt

    from django.utils.formats import date_format

    return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT") if value else ""


def _type_name(code: str | None) -> str:
    found = StatusType.objects.filter(code=code).first() if code else None
    return found.name() if found is not None else gettext("a status")


def reason_text(answer: dict) -> str:
    """Why an answer with an instrument is eligible or not, as a sentence in the active language
    with dates in its format ("member since 12.03.2024, 5 of 6 months"); empty without one."""
    from django.utils.translation import ngettext

    if "eligible" not in answer:
        return ""
    reason, evaluated = answer.get("reason"), answer.get("evaluated") or {}
    on = _day(answer.get("on"))
    if reason == terms.NOT_A_MEMBER or not evaluated:
        return gettext("not a member or coordinator of a cluster holding a status on %(on)s") % {
            "on": on
        }
    months, required = evaluated.get("months") or 0, evaluated.get("min_months") or 0
    values = {
        "cluster": evaluated.get("cluster", {}).get("name", ""),
        "since": _day(evaluated.get("counted_from")),
        "months": months,
        "required": required,
        "held": _day(evaluated.get("status_held_since")),
        "type": _type_name(evaluated.get("status_type")),
        "on": on,
    }
    if reason == terms.STATUS_TYPE_NOT_ADMITTED:
        return (
            gettext(
                "%(cluster)s holds the %(type)s on %(on)s, which this instrument does not admit"
            )
            % values
        )
    if reason == terms.COORDINATOR_ONLY:
        return (
            gettext(
                "only the coordinator of a cluster benefits; this organisation is a member of "
                "%(cluster)s, not its coordinator"
            )
            % values
        )
    if required and months >= required:
        membership = (
            ngettext(
                "member since %(since)s, %(months)s month (at least %(required)s required)",
                "member since %(since)s, %(months)s months (at least %(required)s required)",
                months,
            )
            % values
        )
    elif required:
        membership = (
            ngettext(
                "member since %(since)s, %(months)s of %(required)s month",
                "member since %(since)s, %(months)s of %(required)s months",
                required,
            )
            % values
        )
    else:
        membership = gettext("member since %(since)s") % values
    if reason == terms.MEMBERSHIP_TOO_SHORT:
        return membership
    if reason == terms.STATUS_NOT_HELD_THROUGHOUT:
        return ngettext(
            "%(membership)s, but %(cluster)s has held the status only since %(held)s, not "
            "for the whole %(required)s month before %(on)s",
            "%(membership)s, but %(cluster)s has held the status only since %(held)s, not "
            "for the whole %(required)s months before %(on)s",
            required,
        ) % {**values, "membership": membership}
    return gettext("%(membership)s in %(cluster)s (%(type)s)") % {
        **values,
        "membership": membership,
    }


# --- the terms in words (the catalogue page, answers and certificates) ------------------------


def _reference_date_words(value: str) -> str:
    if value == "evaluation":
        return gettext("the date of the evaluation")
    return gettext("the date the application was submitted")


def _beneficiary_words(value: str) -> str:
    if value == "member":
        return gettext("members of the cluster")
    if value == "coordinator":
        return gettext("the cluster's coordinator only")
    return gettext("members and the coordinator")


def stored_terms(instrument: terms.Instrument) -> dict[str, Any]:
    """What a certificate keeps of the instrument's terms besides its id and hash, so that it
    states them as they were when it was issued."""
    return {
        "reference_date": instrument.reference_date,
        "illustrative": list(instrument.illustrative),
    }


def notes(answer: dict) -> list[str]:
    """What a person relying on an answer (or a certificate's payload) under an instrument must
    know: the date the instrument refers to, and the terms that the public sources do not state
    (marked illustrative in the catalogue). Empty without an instrument."""
    chosen = answer.get("instrument") if isinstance(answer, dict) else None
    if not isinstance(chosen, dict):
        return []
    kept = answer.get("instrument_terms")
    if not isinstance(kept, dict):
        try:
            kept = stored_terms(choose(str(chosen.get("id"))).instrument)
        except UnknownInstrument:
            return []
    lines = [
        gettext("The instrument refers to %(date)s: the answer is for the date asked about.")
        % {"date": _reference_date_words(str(kept.get("reference_date")))}
    ]
    illustrative = [
        gettext(terms.ILLUSTRATIVE_TERMS[term])
        for term in kept.get("illustrative") or []
        if term in terms.ILLUSTRATIVE_TERMS
    ]
    if illustrative:
        lines.append(
            gettext("Illustrative, not stated by the public sources: %(terms)s.")
            % {"terms": "; ".join(term.lower() for term in illustrative)}
        )
    return lines


def terms_in_words(instrument: terms.Instrument) -> list[tuple[str, str, bool]]:
    """(term, its value in words, whether it is illustrative) for the catalogue page."""
    from django.utils.translation import get_language, ngettext

    language = get_language() or "pl"
    marked = set(instrument.illustrative)
    months = instrument.min_months
    rows = [
        ("benefit", instrument.benefit.get(language) if instrument.benefit else "—"),
        ("beneficiary", _beneficiary_words(instrument.beneficiary)),
        ("status_types", "; ".join(_type_name(code) for code in instrument.status_types)),
        ("reference_date", _reference_date_words(instrument.reference_date)),
        (
            "min_months",
            ngettext("%(months)s month", "%(months)s months", months) % {"months": months}
            if months
            else gettext("none"),
        ),
        (
            "held_throughout",
            gettext("yes: the cluster held the status during those months")
            if instrument.held_throughout
            else gettext("no"),
        ),
    ]
    return [(gettext(terms.ILLUSTRATIVE_TERMS[key]), value, key in marked) for key, value in rows]
