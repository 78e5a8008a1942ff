"""Reads of the ministry's view beyond one indicator's table: each holder's trajectory across
years against the application that won its status, the application's figure beside each row of
the indicators table, and the open data of the published part of the accepted reports.

Every function here makes a constant number of queries, whatever the number of holders, years
and indicators (the figures of the applications come from
:func:`keyclusters.monitoring.selectors.application_figures_of`, as on the report page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from keyclusters.domain.monitoring import Indicator, MonitoringFramework
from keyclusters.registry import identity
from keyclusters.registry.models import Cluster

from . import selectors
from .models import StoredMonitoringFramework, YearlyReport, localized

ACCEPTED = YearlyReport.State.ACCEPTED
HUNDRED = Decimal(100)


def accepted_reports() -> QuerySet[YearlyReport]:
    return YearlyReport.objects.filter(state=ACCEPTED)


# --- each holder's trajectory -----------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One year of a holder's indicator beside the figure of the application that won the
    status the year's report belongs to."""

    year: int
    value: Decimal | None
    applied: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.value is None or self.applied is None:
            return None
        return self.value - self.applied

    @property
    def percent(self) -> Decimal | None:
        """The difference as a percentage of the application's figure, to one decimal place
        (none when the application said 0)."""
        difference = self.difference
        if difference is None or self.applied is None or not self.applied:
            return None
        return (difference * HUNDRED / self.applied).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Trajectory:
    indicator: Indicator
    points: list[Point]

    @property
    def compared(self) -> bool:
        return any(point.applied is not None for point in self.points)


def trajectories(cluster: Cluster, definition: MonitoringFramework) -> list[Trajectory]:
    """Each indicator of ``definition`` that declares ``compare_with``, across the cluster's
    accepted reports (oldest year first), in two queries."""
    reports = list(
        accepted_reports()
        .filter(cluster=cluster)
        .select_related("framework", "status_grant")
        .order_by("year")
    )
    applied = selectors.application_figures_of(reports)
    return [
        Trajectory(
            indicator,
            [
                Point(
                    report.year,
                    selectors.indicator_value(report, indicator.id, indicator.from_registry),
                    applied[report.pk].get(indicator.id),
                )
                for report in reports
            ],
        )
        for indicator in definition.indicators
        if indicator.compare_with
    ]


# --- the indicators table's column of the application -----------------------------------------


def latest_application_figures(indicator_id: str) -> dict[int, Decimal]:
    """{cluster pk: the figure of ``indicator_id`` in the application that won the status of
    the cluster's latest accepted report}, for the clusters whose application gives one; in two
    queries."""
    later = accepted_reports().filter(cluster_id=OuterRef("cluster_id"), year__gt=OuterRef("year"))
    latest = list(
        accepted_reports()
        .exclude(Exists(later))
        .select_related("framework", "status_grant")
        .defer("values", "registry_values")
    )
    figures = selectors.application_figures_of(latest)
    return {
        report.cluster_id: figures[report.pk][indicator_id]
        for report in latest
        if indicator_id in figures[report.pk]
    }


def rows_with_application(
    table: selectors.IndicatorTable, indicator: Indicator
) -> list[tuple[Cluster, list[Decimal | None], Decimal | None]]:
    """The table's rows, each with the application's figure (``None`` when the indicator is
    not compared with the application or the application gives none)."""
    applied = latest_application_figures(indicator.id) if indicator.compare_with else {}
    return [(cluster, values, applied.get(cluster.pk)) for cluster, values in table.rows]


# --- open data --------------------------------------------------------------------------------

OPEN_DATA_SCHEMA = "keyclusters.monitoring/1"
OPEN_DATA_COLUMNS = (
    "framework_id",
    "framework_version",
    "framework_sha256",
    "cluster_id",
    "cluster_name",
    "year",
    "accepted_on",
    "indicator_id",
    "indicator_title",
    "unit",
    "source",
    "value",
)


@dataclass(frozen=True)
class OpenData:
    frameworks: list[StoredMonitoringFramework]  # those of the rows (the latest when none)
    rows: list[dict[str, object]]


def _plain(value: Decimal | None) -> str:
    """A figure with a dot and without an exponent ("1500000.50"); empty when not given."""
    return "" if value is None else format(value, "f")


def open_data() -> OpenData:
    """The published part of the accepted reports, one row per report and published indicator
    (:attr:`Indicator.published`: the registry's figures and the reported figures marked
    ``public: true`` by the report's framework), by cluster name and year; in two queries.
    Each row names the cluster as it was named on 31 December of the reported year. Titles and
    units are in the active language."""
    reports = list(
        accepted_reports()
        .select_related("cluster", "framework")
        .order_by("cluster__name", "cluster_id", "year")
    )
    names = identity.names_over_time(r.cluster_id for r in reports)
    rows: list[dict[str, object]] = []
    frameworks: dict[int, StoredMonitoringFramework] = {}
    # per framework: its published indicators with their title and unit, localized once
    published: dict[int, list[tuple[Indicator, str, str]]] = {}
    for report in reports:
        stored = report.framework
        if stored.pk not in frameworks:
            frameworks[stored.pk] = stored
            published[stored.pk] = [
                (i, localized(i.title), localized(i.unit) if i.unit else "")
                for i in stored.parsed.indicators
                if i.published
            ]
        accepted_on = timezone.localdate(report.reviewed_at) if report.reviewed_at else None
        common = {
            "framework_id": stored.framework_id,
            "framework_version": stored.version,
            "framework_sha256": stored.sha256,
            "cluster_id": report.cluster_id,
            "cluster_name": names.on(
                report.cluster_id, dt.date(report.year, 12, 31), report.cluster.name
            ),
            "year": report.year,
            "accepted_on": accepted_on.isoformat() if accepted_on else "",
        }
        for indicator, title, unit in published[stored.pk]:
            value = selectors.indicator_value(report, indicator.id, indicator.from_registry)
            rows.append(
                {
                    **common,
                    "indicator_id": indicator.id,
                    "indicator_title": title,
                    "unit": unit,
                    "source": indicator.source,
                    "value": _plain(value),
                }
            )
    used = sorted(frameworks.values(), key=lambda f: (f.framework_id, f.version))
    if not used:
        latest = selectors.latest_framework()
        used = [latest] if latest is not None else []
    return OpenData(frameworks=used, rows=rows)
