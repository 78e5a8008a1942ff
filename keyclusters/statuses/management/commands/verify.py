"""``keyclusters verify NIP`` / ``keyclusters verify --file FILE``: key-cluster membership.

Exit 0: a member (with ``--file``: every NIP is a member); 1: not a member (with ``--file``:
at least one is not); 2: bad input (an invalid NIP, an unreadable file, a bad date), with a
message on stderr naming the NIP, or the file and row. With ``--file`` every valid row is
answered (named with the organisation's name when the registry knows it) and an invalid NIP is
a row marked invalid with its reason; the exit is then 2. ``--json`` prints one JSON document: the
answer object of the API, or ``{"results": [...]}`` for a file.

``--instrument ID`` tests a funding instrument's terms from the catalogue (docs/verification.md,
"Funding instruments"): exit 0 when eligible (with ``--file``: every NIP is), 1 when not, with
the reason in words; an instrument the catalogue does not have is bad input (2), named.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from itertools import chain

from django.core.management.base import BaseCommand
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keyclusters.domain import tabular
from keyclusters.registry import uploads
from keyclusters.statuses import instruments, selectors


def _date(value: str) -> dt.date:
    try:
        return tabular.parse_date(value)
    except tabular.CellError as exc:
        raise ValueError(value) from exc


class Command(BaseCommand):
    help = _("Is a company (by NIP) a member of a key cluster on a date?")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("nip", nargs="?", metavar="NIP")
        parser.add_argument("--file", metavar="FILE", help=_("CSV or TXT with one column nip"))
        parser.add_argument("--on", metavar="DATE", help=_("the date (default today)"))
        parser.add_argument("--min-months", type=int, default=None, metavar="N")
        parser.add_argument(
            "--instrument", metavar="ID", help=_("a funding instrument's id in the catalogue")
        )
        parser.add_argument("--json", action="store_true", help=_("print JSON"))

    def handle(self, *args, nip, file, on, min_months, instrument, json: bool, **options) -> None:
        if (nip is None) == (file is None):
            self._fail(_("Give either a NIP or --file FILE."))
        try:
            date = _date(on) if on else selectors.today()
        except ValueError:
            self._fail(_('--on: "%(value)s" is not a date (YYYY-MM-DD)') % {"value": on})
        if min_months is not None and min_months < 0:
            self._fail(_("--min-months must be 0 or more."))
        self.chosen = None
        if instrument is not None:
            try:
                self.chosen = instruments.choose(instrument)
            except instruments.UnknownInstrument as exc:
                self._fail(f"--instrument: {exc.message}")
        if nip is not None:
            self._one(nip, date, min_months, json)
        else:
            self._file(file, date, min_months, json)

    def _yes(self, answer: dict) -> bool:
        return answer["eligible"] if self.chosen is not None else answer["key_cluster_member"]

    def _one(self, value: str, on: dt.date, min_months: int | None, as_json: bool) -> None:
        try:
            nip = selectors.normalise_nip(value)
        except selectors.InvalidNip as exc:
            self._fail(exc.message)
        answer = selectors.verify_nip(nip, on=on, min_months=min_months, instrument=self.chosen)
        if as_json:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        else:
            self._describe(answer)
        raise SystemExit(0 if self._yes(answer) else 1)

    def _file(self, file: str, on: dt.date, min_months: int | None, as_json: bool) -> None:
        try:  # the size is checked before the file is read
            source = uploads.open_file(file, "verification")
        except uploads.FileTooLarge as exc:
            self._fail(f"{file}: {exc}")
        except OSError as exc:
            self._fail(
                _("%(file)s: cannot be read (%(reason)s)")
                % {"file": file, "reason": exc.strerror or exc}
            )
        try:
            with source:
                rows = read_values(source, file)
        except ValueError as exc:
            self._fail(str(exc))
        answers = selectors.verify_values([value for _row, value in rows], on=on,
                                          min_months=min_months,
                                          instrument=self.chosen)  # fmt: skip
        invalid = [(row, answer) for (row, _value), answer in zip(rows, answers, strict=True)
                   if not answer["valid"]]  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps({"results": answers}, ensure_ascii=False))
        else:
            for (row, _value), answer in zip(rows, answers, strict=True):
                self._describe(answer, row=row)
        for row, answer in invalid:  # named on stderr too, with the file and row
            self.stderr.write(
                _("%(file)s: row %(row)s, column nip: %(message)s")
                % {"file": file, "row": row, "message": answer["error"]}
            )
        if invalid:
            raise SystemExit(2)
        raise SystemExit(0 if all(self._yes(a) for a in answers) else 1)

    def _describe(self, answer: dict, row: int | None = None) -> None:
        if not answer.get("valid", True):
            self.stdout.write(
                _("row %(row)s: %(message)s") % {"row": row, "message": answer["error"]}
            )
            return
        organisation = answer.get("organisation")
        name = f" ({organisation['name']})" if organisation else ""
        on = instruments.day_text(answer["on"])
        if self.chosen is not None:
            title = self.chosen.instrument.title.get(get_language())
            self.stdout.write(
                (_("%(nip)s: eligible for %(instrument)s on %(on)s: %(reason)s")
                 if answer["eligible"] else
                 _("%(nip)s: not eligible for %(instrument)s on %(on)s: %(reason)s"))
                % {"nip": answer["nip"] + name, "instrument": title,
                   "on": on, "reason": instruments.reason_text(answer)}
            )  # fmt: skip
            return
        key = answer["key_cluster_member"]
        clusters = ", ".join(
            f"{m['cluster']['name']} ({selectors.role_label(m['role'])}, "
            f"{instruments.day_text(m['member_since'])}: {selectors.basis_text(m)}"
            f"{'; ' + selectors.contest_text(m) if m.get('contested') else ''}"
            f"{'' if key else '; ' + instruments.type_name(m.get('status_type'))})"
            for m in answer["memberships"]
        )  # fmt: skip
        if not answer["key_cluster_member"]:
            message = _("%(nip)s: not a key-cluster member on %(on)s") % {
                "nip": answer["nip"] + name,
                "on": on,
            }
            if clusters:  # memberships in clusters holding another status type
                message += "; " + _(
                    "memberships in clusters holding another status: %(clusters)s"
                ) % {"clusters": clusters}
            self.stdout.write(message)
            return
        self.stdout.write(
            _("%(nip)s: key-cluster member on %(on)s: %(clusters)s")
            % {"nip": answer["nip"] + name, "on": on, "clusters": clusters}
        )

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(2)


# A file holds at most as many NIPs as the bulk API answers at once.
LIMITS = tabular.Limits(max_rows=100_000)


def read_values(source: tabular.Source, filename: str) -> list[tuple[int, str]]:
    """The row number and the value of the ``nip`` column of each row of a CSV/TXT/XLSX (a
    TXT of bare NIPs too), as written: an invalid NIP is answered in its row, not refused here.

    Raises ``ValueError`` naming the file when the file as a whole cannot be read (its format,
    its size or number of rows, a missing column ``nip``, a malformed row).
    """
    try:
        table = tabular.open_table(source, filename, limits=LIMITS)
    except tabular.TableError as exc:
        raise ValueError(f"{filename}: " + "; ".join(e.format(_) for e in exc.errors)) from exc
    header = table.header
    rows: Iterable[tuple[int, list[tabular.Cell]]] = table
    if "nip" in header:
        index = header.index("nip")
    elif len(header) == 1 and selectors._TEN_DIGITS.fullmatch(header[0].replace("-", "")[-10:]):
        index, rows = 0, chain([(table.header_row, [header[0]])], table)  # a list, no header
    else:
        raise ValueError(_("%(file)s: the column nip is missing") % {"file": filename})
    values = [(row, str(cells[index]) if index < len(cells) else "") for row, cells in rows]
    errors = [f"{filename}: {error.format(_)}" for error in table.errors]
    if errors:
        raise ValueError("\n".join(errors))
    return values


def read_nips(source: tabular.Source, filename: str) -> list[str]:
    """The normalised NIPs of such a file; ``ValueError`` naming the file and every invalid
    row (for callers that refuse a file with an invalid NIP)."""
    nips, errors = [], []
    for row, value in read_values(source, filename):
        try:
            nips.append(selectors.normalise_nip(value))
        except selectors.InvalidNip as exc:
            errors.append(row_error(filename, row, exc))
    if errors:
        raise ValueError("\n".join(errors))
    return nips


def row_error(filename: str, row: int, exc: selectors.InvalidNip) -> str:
    return _("%(file)s: row %(row)s, column nip: %(message)s") % {
        "file": filename, "row": row, "message": exc.message,
    }  # fmt: skip
