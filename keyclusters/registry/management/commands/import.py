"""``keyclusters import KIND FILE``: import organisations, clusters or a cluster's members.

Exit 0 with a one-line summary on stdout; exit 2 with every error on stderr (one per line) when
the file is invalid, unreadable, larger than its kind's limit (``settings.UPLOAD_LIMITS``,
checked before it is read) or names an unknown cluster, and then nothing is written.

The kinds are subcommands registered in ``SUBCOMMANDS``; another app adds one with
``register(Subcommand(...))`` (for instance from its ``AppConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyclusters.registry import importing, uploads
from keyclusters.registry.models import Cluster


class Failure(Exception):
    """A problem reported on stderr with exit status 2."""


Runner = Callable[..., importing.ImportReport]


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    # run(options=..., source=..., filename=..., progress=...) -> ImportReport
    run: Runner
    add_arguments: Callable[[Any], None] = lambda parser: None
    upload_kind: str | None = None  # its size limit (settings.UPLOAD_LIMITS); default: the name


SUBCOMMANDS: dict[str, Subcommand] = {}


def register(subcommand: Subcommand) -> Subcommand:
    SUBCOMMANDS[subcommand.name] = subcommand
    return subcommand


def find_cluster(value: str) -> Cluster:
    """A cluster by its id or its exact name."""
    cluster = None
    if value.isdigit():
        cluster = Cluster.objects.filter(pk=int(value)).first()
    if cluster is None:
        cluster = Cluster.objects.filter(name=value).first()
    if cluster is None:
        raise Failure(_("No cluster has the id or the name %(cluster)s.") % {"cluster": value})
    return cluster


def _members_arguments(parser) -> None:
    parser.add_argument(
        "--cluster", required=True, help=_("the cluster's id or exact name"), metavar="C"
    )


register(
    Subcommand(
        "organisations",
        _("CSV or XLSX of organisations; upsert by NIP"),
        lambda *, options, **kw: importing.import_organisations(**kw),
    )
)
register(
    Subcommand(
        "clusters",
        _("CSV or XLSX of clusters; upsert by name"),
        lambda *, options, **kw: importing.import_clusters(**kw),
    )
)
register(
    Subcommand(
        "members",
        _("CSV or XLSX of a cluster's members"),
        lambda *, options, **kw: importing.import_members(
            cluster=find_cluster(options["cluster"]), **kw
        ),
        _members_arguments,
    )
)


class Command(BaseCommand):
    help = _("Import organisations, clusters or a cluster's members from CSV or XLSX.")
    requires_system_checks: list[str] = []  # a data command; the checks only slow it down

    def add_arguments(self, parser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for subcommand in SUBCOMMANDS.values():
            sub = kinds.add_parser(subcommand.name, help=subcommand.help)
            subcommand.add_arguments(sub)
            sub.add_argument("file", metavar="FILE", help=_("CSV or XLSX file"))

    def handle(self, *args, kind: str, file: str, **options) -> None:
        subcommand = SUBCOMMANDS[kind]
        try:  # the size is checked before the file is read; it is then read as a stream
            source = uploads.open_file(file, subcommand.upload_kind or subcommand.name)
        except uploads.FileTooLarge as exc:
            self._fail([f"{file}: {exc}"])
        except OSError as exc:
            self._fail([_("%(file)s: cannot be read (%(reason)s)")
                        % {"file": file, "reason": exc.strerror or exc}])  # fmt: skip
        bar = self._progress_bar(source)
        try:
            report = subcommand.run(
                options=options, source=source, filename=Path(file).name,
                by=None, progress=bar.update_to if bar else None,
            )  # fmt: skip
        except importing.ImportRejected as exc:
            messages = exc.messages()
            summary = ngettext(
                "%(file)s: %(count)s error, nothing was imported.",
                "%(file)s: %(count)s errors, nothing was imported.",
                len(messages),
            ) % {"file": file, "count": len(messages)}
            self._fail([*messages, summary])
        except Failure as exc:
            self._fail([str(exc)])
        finally:
            source.close()
            if bar:
                bar.close()
        self.stdout.write(
            ngettext(
                "%(kind)s: %(rows)s row, %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged",
                "%(kind)s: %(rows)s rows, %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged",
                report.rows,
            )
            % {"kind": kind, "rows": report.rows, "created": report.created,
               "updated": report.updated, "unchanged": report.unchanged}
        )  # fmt: skip

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        raise SystemExit(2)

    def _progress_bar(self, source: BinaryIO):
        """A tqdm bar on stderr, only when stderr is a terminal."""
        if not self.stderr.isatty():
            return None
        from tqdm import tqdm

        class Bar(tqdm):
            def update_to(self, done: int) -> None:
                self.update(done - self.n)

        total = None
        if source.read(2) != b"PK":  # a CSV: its lines after the header, counted in chunks
            source.seek(0)
            lines = sum(chunk.count(b"\n") for chunk in iter(partial(source.read, 1 << 20), b""))
            total = max(lines - 1, 0) or None
        source.seek(0)
        return Bar(total=total, unit=" rows", file=self.stderr._out, leave=False)
