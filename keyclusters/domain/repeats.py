"""Rows that repeat the key of an earlier row of a file with other data.

A file may repeat a row (the same organisation on two rows, with the same data); a key repeated
with other data is an error naming both rows. To keep the memory of a large file small, only a
64-bit fingerprint (``hash``) of each key's data is kept with the row where it was first seen,
packed into one integer: about 150 bytes a row. Two different data with the same fingerprint
would pass unnoticed; the chance is 2**-64 for each repeated key.
"""

from __future__ import annotations

from typing import Any

from .i18n import N_
from .tables import RowError

_MASK = (1 << 64) - 1
_ROW = (1 << 32) - 1
_DIFFERENT = N_("appears also in row %(other)s with different data")


def fingerprint(value: object) -> int:
    return hash(value) & _MASK


class Repeats:
    """Keys seen earlier in the file with the fingerprint of their data."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        self.seen: dict[Any, int] = {}  # key -> row << 64 | fingerprint of the data

    def check(self, key: object, data: object, row: int, column: str, value: str) -> None:
        mark = row << 64 | (hash(data) & _MASK)
        first = self.seen.setdefault(key, mark)
        if (first ^ mark) & _MASK:
            self.errors.append(RowError(row, column, value, _DIFFERENT, {"other": first >> 64}))


class MemberRepeats:
    """An organisation's data and its memberships' ``left_on`` over the rows of a member file.

    Per organisation key one integer: its first row, the fingerprints of its data, of that row's
    membership start (role and ``joined_on``) and of its ``left_on``. The starts of an
    organisation found on several rows are kept apart, keyed by their fingerprint.
    """

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        self.first: dict[Any, int] = {}
        self.starts: dict[tuple[Any, int], int] = {}  # (key, start) -> row | left_on << 32

    def check(
        self, key: object, data: object, start: object, left_on: object, row: int,
        column: str, value: str, left_text: str,
    ) -> None:  # fmt: skip
        """``column`` and ``value`` name the organisation's key in an error, ``left_text`` the
        ``left_on`` of the row."""
        data_print, start_print, left_print = (
            hash(data) & _MASK,
            hash(start) & _MASK,
            (hash(left_on) & _MASK),
        )
        mark = row | data_print << 32 | start_print << 96 | left_print << 160
        first = self.first.setdefault(key, mark)
        if first == mark:
            return
        first_row = first & _ROW
        if (first >> 32) & _MASK != data_print:
            self.errors.append(RowError(row, column, value, _DIFFERENT, {"other": first_row}))
        starts = self.starts
        first_start = (first >> 96) & _MASK
        starts.setdefault((key, first_start), first_row | ((first >> 160) & _MASK) << 32)
        this = row | left_print << 32
        other = starts.setdefault((key, start_print), this)
        if other != this and other >> 32 != left_print:
            self.errors.append(
                RowError(row, "left_on", left_text, _DIFFERENT, {"other": other & _ROW})
            )
