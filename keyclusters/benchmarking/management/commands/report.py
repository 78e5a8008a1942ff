"""``keyclusters report cluster ID --edition E --out FILE.pdf`` and the edition's batch.

- ``report cluster ID --edition E --out FILE.pdf``: the cluster's dedicated report (ID a cluster
  id or exact name, E an edition id or year);
- ``report edition E``: generate every report of the edition now, with progress on stderr;
- ``report progress E``: how many reports the background generation has made (generated/total).

Exit 2 with a message on stderr on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from keyclusters.benchmarking import reports, selectors, tasks
from keyclusters.benchmarking.models import Edition, EditionResult


class Failure(Exception):
    pass


def find_edition(value: str) -> Edition:
    edition, reason = selectors.find_edition(value)
    if reason == "ambiguous":
        raise Failure(
            _("Several editions are of the year %(year)s: give the edition's id.") % {"year": value}
        )
    if edition is None:
        raise Failure(_("No edition has the id or the year %(edition)s.") % {"edition": value})
    return edition


class Command(BaseCommand):
    help = "Dedicated benchmarking reports as PDF."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        one = sub.add_parser("cluster", help="Write a cluster's dedicated report as PDF.")
        one.add_argument("cluster", metavar="ID", help="the cluster's id or exact name")
        one.add_argument("--edition", required=True, metavar="E", help="edition id or year")
        one.add_argument("--out", required=True, metavar="FILE.pdf")
        batch = sub.add_parser("edition", help="Generate every report of an edition now.")
        batch.add_argument("edition", metavar="E")
        progress = sub.add_parser("progress", help="Progress of the background generation.")
        progress.add_argument("edition", metavar="E")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except Failure as exc:
            self.stderr.write(str(exc))
            sys.exit(2)

    def _cluster(self, *, cluster: str, edition: str, out: str, **options) -> None:
        found_edition = find_edition(edition)
        found = selectors.find_cluster(cluster)
        if found is None:
            raise Failure(
                _("No cluster has the id or the name %(cluster)s.") % {"cluster": cluster}
            )
        result = (
            EditionResult.objects.select_related("edition__framework", "cluster__coordinator")
            .filter(edition=found_edition, cluster=found)
            .first()
        )
        if result is None:
            raise Failure(
                _("%(cluster)s has no computed result in %(edition)s.")
                % {"cluster": found.name, "edition": found_edition.name}
            )
        path = Path(out)
        if not path.parent.is_dir():
            raise Failure(_("%(dir)s: no such directory") % {"dir": path.parent})
        report = found_edition.reports.filter(cluster=found).first()
        path.write_bytes(reports.cluster_pdf(result, report))
        self.stdout.write(str(path))

    def _edition(self, *, edition: str, **options) -> None:
        found = find_edition(edition)
        if not found.results_set.exists():
            raise Failure(_("%(edition)s has no computed results.") % {"edition": found.name})

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"{done}/{total}")

        total = tasks.generate_all(found, progress=progress)
        self.stdout.write(_("%(count)s reports generated.") % {"count": total})

    def _progress(self, *, edition: str, **options) -> None:
        found = find_edition(edition)
        state = (
            _("finished")
            if found.reports_finished_at
            else (_("running") if found.reports_started_at else _("not started"))
        )
        self.stdout.write(f"{found.reports_generated}/{found.reports_total} {state}")
