"""The demo's yearly monitoring: the shipped framework stored, the reports on the two years
before today opened for every holder of those years and taken through the monitoring services.

Most reports are accepted, with figures that fit each cluster's size on 31 December (a seeded
random: the same demo gives the same figures); one report of the earlier year is still a draft
after its due date (on the operator's *Needs attention today*); one report of the later year (the
demo coordinator's when their cluster reports on it) is returned with a note in Polish.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from keyclusters.accounts.models import User
from keyclusters.monitoring import services
from keyclusters.monitoring.models import YearlyReport
from keyclusters.registry.models import Cluster

from .rounds import coordinator_of

RETURN_NOTE = (
    "Przychody członków wydają się zaniżone w porównaniu z zatrudnieniem – prosimy sprawdzić, "
    "czy ujęto przychody wszystkich przedsiębiorstw członkowskich, i uzupełnić liczbę usług "
    "świadczonych członkom przez koordynatora."
)


@dataclass(frozen=True)
class MonitoringDemo:
    years: tuple[int, int]
    accepted: list[YearlyReport]
    overdue: YearlyReport  # a draft after its due date
    returned: YearlyReport  # returned with RETURN_NOTE


def _coordinator(cluster: Cluster) -> User:
    """Who reports for the cluster: its coordinator's demo login when it has one, else a staff
    member of the coordinator (``rounds.coordinator_of``). The staff accounts are inactive (they
    cannot log in, see ``guard``); the demo acts as them, active for these calls only (the row
    stays inactive), as they were when they reported."""
    login = (
        User.objects.filter(
            organisation_id=cluster.coordinator_id, groups__name="coordinator", is_active=True
        )
        .order_by("pk")
        .first()
    )
    user = login or coordinator_of(cluster)
    user.is_active = True  # in memory only: the services' permission check
    return user


def _figures(report: YearlyReport) -> dict[str, str]:
    """Reported figures that fit the cluster's members and enterprises on 31 December: the
    same per-firm averages for a cluster every year (seeded by its name), a little growth."""
    base = random.Random(f"monitoring:{report.cluster.name}")
    noise = random.Random(f"monitoring:{report.cluster.name}:{report.year}")
    members = int(Decimal(report.registry_values.get("members_total", "60")))
    share = Decimal(report.registry_values.get("enterprises_share", "70"))
    enterprises = max(1, int(members * share / 100))
    growth = 1 + 0.04 * (report.year - 2020) + noise.uniform(-0.02, 0.02)
    employees = int(enterprises * base.randint(35, 90) * growth)
    revenue = employees * base.randint(280, 460) * 1000 * noise.uniform(0.95, 1.05)
    return {
        "employees_members": str(employees),
        "revenue_members": str(int(revenue) // 1000 * 1000),
        "export_share": f"{base.uniform(18, 46) + noise.uniform(-2, 2):.1f}",
        "rd_projects": str(max(1, members // base.randint(12, 20) + noise.randint(0, 2))),
        "joint_projects": str(max(2, members // base.randint(6, 10) + noise.randint(0, 3))),
        "funds_raised": str(members * base.randint(15, 45) * 1000 + noise.randint(0, 20) * 10_000),
        "member_services": str(members * base.randint(2, 5) // 2),
    }


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _submit(report: YearlyReport, values: dict[str, str], today: dt.date) -> YearlyReport:
    """Filled and submitted some days before the due date (never after yesterday)."""
    coordinator = _coordinator(report.cluster)
    rng = random.Random(f"monitoring:{report.cluster.name}:{report.year}:days")
    early = report.due_on - dt.timedelta(days=rng.randint(3, 30))
    submitted = min(early, today - dt.timedelta(days=10))
    services.save_values(report=report, values=values, by=coordinator, now=_at(submitted, 9))
    return services.submit_report(report=report, by=coordinator, now=_at(submitted, 10))


def build_monitoring(
    *, operator: User, own: Cluster | None = None, today: dt.date | None = None
) -> MonitoringDemo:
    """Reports on the two years before ``today`` for every holder of each year; ``own``: the
    demo coordinator's cluster, whose report on the later year is the returned one."""
    today = today or timezone.localdate()
    framework = services.store_shipped_framework()
    earlier, later = today.year - 2, today.year - 1
    opened = {
        year: services.open_reports(
            year=year,
            framework=framework,
            by=operator,
            today=today,
            now=_at(dt.date(year + 1, 1, 2), 8),  # opened on the first working day after
        )  # fmt: skip
        for year in (earlier, later)
    }
    reports = {year: sorted(o.created, key=lambda r: r.cluster.name) for year, o in opened.items()}
    if not reports[earlier] or not reports[later]:
        raise ValueError(f"no key cluster holder to report on {earlier} or {later}")
    # returned: the demo coordinator's report on the later year (else the first by name)
    returned = next((r for r in reports[later] if own and r.cluster_id == own.pk), None)
    returned = returned or reports[later][0]
    # overdue: a report on the earlier year (due before today), preferably of a holder that no
    # longer reported the year after (its status ended)
    later_clusters = {r.cluster_id for r in reports[later]}
    candidates = [r for r in reports[earlier] if r.cluster_id != returned.cluster_id]
    overdue = next((r for r in candidates if r.cluster_id not in later_clusters), None)
    overdue = overdue or (candidates[0] if candidates else None)
    if overdue is None:
        raise ValueError(f"the monitoring demo needs two holders reporting on {earlier}")

    accepted = []
    for report in reports[earlier] + reports[later]:
        if report.pk in (overdue.pk, returned.pk):
            continue
        report = _submit(report, _figures(report), today)
        week_later = report.submitted_at.date() + dt.timedelta(days=7)
        reviewed = min(week_later, today - dt.timedelta(days=1))
        accepted.append(services.accept_report(report=report, by=operator, now=_at(reviewed, 14)))

    # returned: revenue a little low and no services given, so the operator asks to correct it
    values = _figures(returned)
    values["revenue_members"] = str(int(values["revenue_members"]) // 4 // 1000 * 1000)
    values["member_services"] = ""
    returned = _submit(returned, values, today)
    week_later = returned.submitted_at.date() + dt.timedelta(days=7)
    returned = services.return_report(
        report=returned,
        note=RETURN_NOTE,
        by=operator,
        now=_at(min(week_later, today - dt.timedelta(days=1)), 12),
    )
    return MonitoringDemo(
        years=(earlier, later), accepted=accepted, overdue=overdue, returned=returned
    )
