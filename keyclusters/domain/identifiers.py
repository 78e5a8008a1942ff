"""Polish identifiers: NIP (tax id), REGON (statistical id), KRS (court register number).

All are stored normalised (digits only). Checksums are python-stdnum's.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from .i18n import N_


class IdentifierError(ValueError):
    """An identifier that is not valid; ``reason`` is a translatable message id."""

    def __init__(self, kind: str, value: str, reason: str) -> None:
        super().__init__(f"{value!r} is not a valid {kind} ({reason})")
        self.kind = kind
        self.value = value
        self.reason = reason


_SEPARATORS = re.compile(r"[\s\-./]")


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value.strip())


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidChecksum):
        return N_("checksum")
    if isinstance(exc, InvalidLength):
        return N_("length")
    if isinstance(exc, InvalidFormat | InvalidComponent):
        return N_("format")
    return N_("format")


def _plain_digits(value: str, length: int) -> bool:
    """``value`` is exactly ``length`` ASCII digits (then there is nothing to clean)."""
    return len(value) == length and value.isascii() and value.isdigit()


def _ascii_digits(value: str) -> bool:
    """Only the digits 0-9 (``str.isdigit`` alone takes the digits of other scripts too)."""
    return value.isascii() and value.isdigit()


def _not_zeros(kind: str, value: str, digits: str) -> str:
    """A number of zeros only passes the checksums but is never issued."""
    if not digits.strip("0"):
        raise IdentifierError(kind, value, N_("only zeros"))
    return digits


def normalise_nip(value: str) -> str:
    """Return the 10 digits of a NIP written with dashes, spaces or a ``PL`` prefix."""
    if _plain_digits(value, 10) and stdnum_nip.checksum(value) == 0 and value != "0000000000":
        return value  # the common case, checked by python-stdnum without its cleaning
    compact = _digits(value).upper()
    if compact.startswith("PL"):
        compact = compact[2:]
    if compact and not _ascii_digits(compact):
        raise IdentifierError("NIP", value, N_("format"))
    if len(compact) != 10:
        raise IdentifierError("NIP", value, N_("length"))
    try:
        return _not_zeros("NIP", value, str(stdnum_nip.validate(compact)))
    except IdentifierError:
        raise
    except Exception as exc:  # stdnum raises ValidationError subclasses
        raise IdentifierError("NIP", value, _reason(exc)) from exc


def normalise_regon(value: str) -> str:
    """Return the 9 or 14 digits of a REGON."""
    if (
        _plain_digits(value, 9)
        and stdnum_regon.calc_check_digit(value[:8]) == value[8]
        and value != "000000000"
    ):
        return value  # the common case, checked by python-stdnum without its cleaning
    compact = _digits(value)
    if not _ascii_digits(compact):
        raise IdentifierError("REGON", value, N_("format"))
    if len(compact) not in (9, 14):
        raise IdentifierError("REGON", value, N_("length"))
    try:
        return _not_zeros("REGON", value, str(stdnum_regon.validate(compact)))
    except IdentifierError:
        raise
    except Exception as exc:
        raise IdentifierError("REGON", value, _reason(exc)) from exc


def normalise_krs(value: str) -> str:
    """Return the 10 digits of a KRS number (leading zeros kept; it has no checksum)."""
    compact = _digits(value)
    if not _ascii_digits(compact):
        raise IdentifierError("KRS", value, N_("format"))
    if len(compact) > 10:
        raise IdentifierError("KRS", value, N_("length"))
    return _not_zeros("KRS", value, compact.zfill(10))


def is_valid_nip(value: str) -> bool:
    try:
        normalise_nip(value)
    except IdentifierError:
        return False
    return True
