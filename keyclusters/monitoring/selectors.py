"""Reads of the monitoring app used by its pages and by the operator's dashboard."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from keyclusters.accounts.models import User
from keyclusters.domain.monitoring.lifecycle import AWAITING_COORDINATOR
from keyclusters.registry.models import Cluster

from .models import StoredMonitoringFramework, YearlyReport

_WAITING = [s.value for s in AWAITING_COORDINATOR]


def latest_framework() -> StoredMonitoringFramework | None:
    return StoredMonitoringFramework.objects.order_by("-stored_at", "-pk").first()


def reports_for_coordinator(user: User) -> QuerySet[YearlyReport]:
    """The reports of the clusters the user's organisation coordinates (none without one)."""
    if not user.organisation_id:
        return YearlyReport.objects.none()
    return (
        YearlyReport.objects.filter(cluster__coordinator_id=user.organisation_id)
        .select_related("cluster")
        .order_by("-year", "cluster__name", "pk")
    )


def reports_of_year(year: int | None) -> QuerySet[YearlyReport]:
    reports = YearlyReport.objects.select_related("cluster").order_by(
        "-year", "cluster__name", "pk"
    )
    return reports.filter(year=year) if year else reports


def report_years() -> list[int]:
    return list(YearlyReport.objects.order_by("-year").values_list("year", flat=True).distinct())


def overdue_reports(today: dt.date) -> QuerySet[YearlyReport]:
    """Reports still waiting for the coordinator after their due date, the oldest first."""
    return (
        YearlyReport.objects.filter(state__in=_WAITING, due_on__lt=today)
        .select_related("cluster")
        .order_by("due_on", "cluster__name", "pk")
    )


@dataclass(frozen=True)
class Alert:
    """Something about a holder's report the operator should look into."""

    kind: str  # "members" or "overdue"
    report: YearlyReport
    members: int | None = None  # members on 31 December (kind "members")
    days_overdue: int | None = None  # (kind "overdue")


def members_on_year_end(reports: list[YearlyReport]) -> dict[int, int]:
    """{report pk: members on 31 December of its year}, as the registry holds them now (a
    correction of the ledger clears an alert); one query a year."""
    by_year: dict[int, list[YearlyReport]] = defaultdict(list)
    for report in reports:
        by_year[report.year].append(report)
    counts: dict[int, int] = {}
    for year, group in by_year.items():
        clusters = dict(
            Cluster.objects.with_member_counts(dt.date(year, 12, 31))
            .filter(pk__in=[r.cluster_id for r in group])
            .values_list("pk", "member_count")
        )
        for report in group:
            counts[report.pk] = clusters.get(report.cluster_id, 0)
    return counts


def alerts(today: dt.date, *, overdue_days: int | None = None) -> list[Alert]:
    """Holders with fewer members on 31 December of a reported year than the minimum of their
    round, and reports overdue by more than the framework's ``alerts.overdue_days`` (30)."""
    found: list[Alert] = []
    with_minimum = list(
        YearlyReport.objects.filter(members_minimum__isnull=False)
        .select_related("cluster")
        .order_by("-year", "cluster__name", "pk")
    )
    members = members_on_year_end(with_minimum)
    for report in with_minimum:
        assert report.members_minimum is not None
        if members[report.pk] < report.members_minimum:
            found.append(Alert("members", report, members=members[report.pk]))
    for report in overdue_reports(today).select_related("framework"):
        limit = overdue_days or report.framework.parsed.alerts.overdue_days
        late = (today - report.due_on).days
        if late > limit:
            found.append(Alert("overdue", report, days_overdue=late))
    return found


def application_figures(report: YearlyReport) -> dict[str, Decimal]:
    """The figures of the application that won the report's status, by indicator id, for
    the indicators that declare ``compare_with``: what the application said when it was
    submitted (its first frozen revision). Empty for a status without an application (an
    imported historical grant)."""
    return application_figures_of([report]).get(report.pk, {})


def application_figures_of(reports: Iterable[YearlyReport]) -> dict[int, dict[str, Decimal]]:
    """:func:`application_figures` of many reports, by report pk, in two queries whatever their
    number (one when their status grants are loaded, e.g. ``select_related("status_grant")``;
    load their frameworks too, or each report's framework is one more query)."""
    reports = list(reports)
    grants = YearlyReport.status_grant
    unloaded = [r.status_grant_id for r in reports if not grants.is_cached(r)]
    applications: dict[int, int | None] = {}
    if unloaded:
        from keyclusters.statuses.models import StatusGrant

        applications = dict(
            StatusGrant.objects.filter(pk__in=unloaded).values_list("pk", "application_id")
        )
    application_of = {
        r.pk: r.status_grant.application_id if grants.is_cached(r)
        else applications.get(r.status_grant_id)
        for r in reports
    }  # fmt: skip
    wanted = {a for a in application_of.values() if a is not None}
    if not wanted:
        return {r.pk: {} for r in reports}
    from keyclusters.competitions.models import ApplicationRevision

    earlier = ApplicationRevision.objects.filter(
        application_id=OuterRef("application_id"), number__lt=OuterRef("number")
    )
    first_data = dict(
        ApplicationRevision.objects.filter(application_id__in=wanted)
        .exclude(Exists(earlier))
        .values_list("application_id", "data")
    )
    figures_by_report: dict[int, dict[str, Decimal]] = {}
    for report in reports:
        data = first_data.get(application_of[report.pk])
        figures: dict[str, Decimal] = {}
        figures_by_report[report.pk] = figures
        if data is None:
            continue
        for indicator in report.framework.parsed.indicators:
            value = data.get(indicator.compare_with) if indicator.compare_with else None
            if value in (None, "") or isinstance(value, bool):
                continue
            try:
                figures[indicator.id] = Decimal(str(value))
            except ArithmeticError:
                continue
    return figures_by_report


# --- the ministry's view -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorTable:
    years: list[int]
    rows: list[tuple[Cluster, list[Decimal | None]]]  # a holder, its value per year


def indicator_value(report: YearlyReport, indicator_id: str, from_registry: bool) -> Decimal | None:
    source = report.registry_values if from_registry else report.values
    text = source.get(indicator_id)
    return Decimal(text) if text not in (None, "") else None


def indicator_table(
    indicator_id: str, from_registry: bool, *, accepted_only: bool
) -> IndicatorTable:
    """One indicator across holders (rows) and years (columns), in one query."""
    reports = YearlyReport.objects.select_related("cluster").order_by("cluster__name", "year")
    if accepted_only:
        reports = reports.filter(state=YearlyReport.State.ACCEPTED)
    years: set[int] = set()
    by_cluster: dict[int, tuple[Cluster, dict[int, Decimal | None]]] = {}
    for report in reports:
        years.add(report.year)
        cluster, values = by_cluster.setdefault(report.cluster_id, (report.cluster, {}))
        values[report.year] = indicator_value(report, indicator_id, from_registry)
    ordered = sorted(years)
    rows = [
        (cluster, [values.get(year) for year in ordered]) for cluster, values in by_cluster.values()
    ]
    return IndicatorTable(years=ordered, rows=rows)
