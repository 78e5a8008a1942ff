"""``keyclusters benchmark compute --framework F --data FILE [--normalisation M] [--json]``.

Exit 0 with the results (one JSON document with ``--json``, else a table); exit 2 with every
problem on stderr (naming the row and column) when the framework or the data is invalid.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from keyclusters.benchmarking import importing
from keyclusters.benchmarking.services import issue_text
from keyclusters.domain.benchmarking import (
    BenchmarkInputError,
    Framework,
    FrameworkError,
    compute,
    parse_framework,
    to_dict,
    to_json,
)
from keyclusters.domain.rulebook import (
    RulebookInvalid,
    load_document,
    shipped_rulebook_ids,
    shipped_rulebook_path,
    source_sha256,
)
from keyclusters.registry import uploads


class Failure(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_framework(value: str) -> tuple[Framework, str]:
    """A shipped framework id or a path; the framework and its source's SHA-256."""
    path = Path(value)
    if not path.exists():
        if value not in shipped_rulebook_ids():
            raise Failure(
                [
                    _("%(framework)s: no such framework file or shipped framework id")
                    % {"framework": value}
                ]
            )
        path = shipped_rulebook_path(value)
    try:
        text, data = load_document(path)
        framework = parse_framework(data)
    except RulebookInvalid as exc:
        raise Failure([f"{value}: {error}" for error in exc.errors]) from exc
    except FrameworkError as exc:
        raise Failure([f"{value}: {error}" for error in exc.errors]) from exc
    return framework, source_sha256(text)


def read_data_set(framework: Framework, path: Path) -> tuple[list[str], np.ndarray]:
    try:  # the size is checked before the file is read
        source = uploads.open_file(path, "benchmarking")
    except uploads.FileTooLarge as exc:
        raise Failure([f"{path}: {exc}"]) from exc
    except OSError as exc:
        raise Failure(
            [_("%(file)s: cannot be read (%(reason)s)") % {"file": path, "reason": exc.strerror}]
        ) from exc
    with source:
        data = importing.read_data(source, path.name, indicators=framework.indicator_ids)
    if data.errors:
        raise Failure([f"{path}: {error.format(_)}" for error in data.errors])
    column = {ind: j for j, ind in enumerate(framework.indicator_ids)}
    x = np.full((len(data.rows), len(column)), np.nan)
    for i, row in enumerate(data.rows):
        for indicator, value in row.values.items():
            x[i, column[indicator]] = value
    return [row.cluster for row in data.rows], x


class Command(BaseCommand):
    help = "Composite results of a benchmarking data set."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("compute", help="Compute a data set (CSV or XLSX) with a framework.")
        run.add_argument(
            "--framework",
            required=True,
            metavar="F",
            help="a shipped framework id or the path of a framework file",
        )
        run.add_argument("--data", required=True, metavar="FILE")
        run.add_argument("--normalisation", default=None, metavar="M")
        run.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, **options):
        try:
            self._compute(**options)
        except Failure as exc:
            for line in exc.lines:
                self.stderr.write(line)
            sys.exit(2)

    def _compute(
        self, *, framework: str, data: str, normalisation: str | None, json: bool, **options
    ) -> None:
        parsed, sha = load_framework(framework)
        clusters, x = read_data_set(parsed, Path(data))
        try:
            result = compute(parsed, clusters, x, normalisation=normalisation)
        except BenchmarkInputError as exc:
            raise Failure([f"{data}: {issue_text(e)}" for e in exc.errors]) from exc
        if json:
            self.stdout.write(to_json(result, parsed, sha256=sha))
            return
        self._table(to_dict(result, parsed, sha256=sha))

    def _table(self, document: dict) -> None:
        areas = list(document["areas"])
        name_width = max([len(_("Cluster"))] + [len(c["cluster"]) for c in document["clusters"]])
        widths = [max(8, len(a)) for a in areas]
        head = f"{_('Rank'):>4}  {_('Cluster'):<{name_width}}  {_('Overall'):>8}"
        head += "".join(f"  {a:>{w}}" for a, w in zip(areas, widths, strict=True))
        self.stdout.write(head + f"  {_('Missing')}")
        for c in document["clusters"]:
            line = f"{c['rank'] or '–':>4}  {c['cluster']:<{name_width}}  {c['overall'] or '–':>8}"
            line += "".join(
                f"  {c['areas'][a] or '–':>{w}}" for a, w in zip(areas, widths, strict=True)
            )
            self.stdout.write(line + f"  {len(c['missing'])}")
        for label, title in (("median", _("median")), ("benchmark", _("benchmark"))):
            line = f"{'':>4}  {title:<{name_width}}  {'':>8}"
            line += "".join(
                f"  {document['areas'][a][label] or '–':>{w}}"
                for a, w in zip(areas, widths, strict=True)
            )
            self.stdout.write(line)
        fw = document["framework"]
        self.stdout.write(
            _(
                "Framework %(id)s v%(version)s, normalisation %(normalisation)s, "
                "aggregation %(aggregation)s."
            )
            % {
                "id": fw["id"],
                "version": fw["version"],
                "normalisation": document["normalisation"],
                "aggregation": document["aggregation"],
            }
        )
