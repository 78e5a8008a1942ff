"""The demo's yearly reports (keyclusters/web/demo/monitoring.py) built on holders like the demo's,
on the demo's "today" of 2 December 2026: the reports on 2024 and 2025, most accepted with
figures that fit each cluster, one draft after its due date, one returned with a note in Polish;
the coordinators' staff accounts stay inactive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keyclusters.accounts.models import User
from keyclusters.monitoring import selectors
from keyclusters.monitoring.models import StoredMonitoringFramework, YearlyReport
from keyclusters.statuses import services as statuses
from keyclusters.web.demo.monitoring import RETURN_NOTE, build_monitoring
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

D = dt.date
TODAY = D(2026, 12, 2)
REPORTED = {
    "employees_members",
    "revenue_members",
    "export_share",
    "rd_projects",
    "joint_projects",
    "funds_raised",
    "member_services",
}


def _holder(name: str, members: int, grants: list[tuple[str, dt.date, dt.date]]):
    cluster = ClusterFactory(name=name, founded_on=D(2012, 3, 1))
    for number in range(members):
        MembershipFactory(
            cluster=cluster,
            organisation=OrganisationFactory(kind="university" if number < 2 else "enterprise"),
            joined_on=D(2019, 1, 1),
        )
    previous = None
    for label, start, end in grants:
        previous = statuses.grant_status(
            cluster=cluster, round_label=label, decision_on=start, valid_from=start,
            valid_to=end, renewal_of=previous, by=None,
        )  # fmt: skip
    return cluster


@pytest.fixture
def demo(db):
    operator = UserFactory(username="operator", roles=["operator"], is_staff=True)
    # as in the demo: the coordinator's cluster renewed without a gap, a round V holder whose
    # status ended in 2024, a round VI holder until December 2025, a holder since 2026
    renewed = [("V", D(2021, 12, 20), D(2024, 12, 31)), ("VII", D(2025, 1, 1), D(2029, 5, 15))]
    own = _holder("Klaster Lotniczy Aerodolina", 12, renewed)
    odra = _holder("Klaster Zielonej Chemii Odra", 8, [("V", D(2021, 12, 20), D(2024, 12, 31))])
    round_vi = [("VI", D(2022, 12, 17), D(2025, 12, 17))]
    lower = _holder("Dolnośląski Klaster Energii Odnawialnej", 9, round_vi)
    _holder("Bałtycki Klaster ICT", 7, [("VII", D(2026, 5, 16), D(2029, 5, 15))])
    MembershipFactory(cluster=lower, joined_on=D(2025, 6, 1))  # one more member in 2025
    coordinator = UserFactory(
        username="coordinator", roles=["coordinator"], organisation=own.coordinator
    )
    built = build_monitoring(operator=operator, own=own, today=TODAY)
    return built, operator, coordinator, own, odra, lower


def states() -> dict[tuple[str, int], str]:
    reports = YearlyReport.objects.select_related("cluster")
    return {(r.cluster.name, r.year): r.state for r in reports}


def test_the_demo_reports_on_the_two_years_before_today(demo):
    built, operator, coordinator, own, odra, lower = demo
    assert built.years == (2024, 2025)
    assert StoredMonitoringFramework.objects.get().framework_id == "monitoring-kkk"
    assert states() == {
        ("Klaster Lotniczy Aerodolina", 2024): "accepted",
        ("Klaster Lotniczy Aerodolina", 2025): "returned",
        ("Klaster Zielonej Chemii Odra", 2024): "draft",
        ("Dolnośląski Klaster Energii Odnawialnej", 2024): "accepted",
        ("Dolnośląski Klaster Energii Odnawialnej", 2025): "accepted",
    }
    # the draft after its due date is on the operator's list of overdue reports (with the
    # returned one, which also waits for its coordinator after the due date)
    overdue = [(r.cluster.name, r.year, r.state) for r in selectors.overdue_reports(TODAY)]
    assert overdue == [
        ("Klaster Zielonej Chemii Odra", 2024, "draft"),
        ("Klaster Lotniczy Aerodolina", 2025, "returned"),
    ]
    assert (built.overdue.cluster, built.overdue.values) == (odra, {})
    # the returned report: the demo coordinator's, with the note, the services left empty
    returned = YearlyReport.objects.get(cluster=own, year=2025)
    assert (returned.return_note, returned.reviewed_by) == (RETURN_NOTE, operator)
    assert returned.submitted_by == coordinator
    assert set(returned.values) == REPORTED - {"member_services"}
    assert returned.submitted_at.date() < returned.due_on == D(2026, 3, 31)


def test_the_accepted_reports_fit_their_clusters(demo):
    built, operator, coordinator, own, odra, lower = demo
    accepted = YearlyReport.objects.filter(state="accepted").select_related("cluster")
    assert {r.pk for r in accepted} == {r.pk for r in built.accepted}
    for report in accepted:
        assert set(report.values) == REPORTED
        assert report.reviewed_by == operator
        assert report.submitted_at.date() < report.reviewed_at.date() < report.due_on
        members = int(report.registry_values["members_total"])
        enterprises = members * Decimal(report.registry_values["enterprises_share"]) / 100
        employees = Decimal(report.values["employees_members"])
        assert 30 * enterprises <= employees <= 100 * enterprises
        assert 250_000 <= Decimal(report.values["revenue_members"]) / employees <= 500_000
        assert 15 <= Decimal(report.values["export_share"]) <= 50
    # seeded: the same holder's figures every time the demo is built
    lower_2025 = accepted.get(cluster=lower, year=2025)
    assert lower_2025.registry_values == {
        "members_total": "11",  # the coordinator counts
        "enterprises_share": "72.73",
        "advanced_cooperation_group": "0",
    }
    assert lower_2025.values == {
        "employees_members": "366",
        "revenue_members": "162433000.00",
        "export_share": "28.60",
        "rd_projects": "1",
        "joint_projects": "2",
        "funds_raised": "538000.00",
        "member_services": "16",
    }
    # the reports went through the services: who submitted and who accepted is in the history
    assert [h.history_user.username for h in lower_2025.history.order_by("history_date")] == [
        "operator",
        f"coordinator-{lower.pk}",
        f"coordinator-{lower.pk}",
        "operator",
    ]


def test_the_coordinators_staff_stay_inactive_and_the_coordinator_reads_the_note(demo):
    built, operator, coordinator, own, odra, lower = demo
    staff = User.objects.get(username=f"coordinator-{lower.pk}")
    assert (staff.is_active, staff.email, staff.organisation) == (False, "", lower.coordinator)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("monitoring:report", args=[built.returned.pk]))
    assert page.status_code == 200
    assert RETURN_NOTE in page.text


def test_the_demo_reports_history_tells_the_moments_of_the_story(demo):
    """Submitted and reviewed on the story's days, the history says so (not the day the demo
    was loaded)."""
    built, operator, coordinator, own, odra, lower = demo
    returned = built.returned
    moments = {
        record.history_change_reason: record.history_date for record in returned.history.all()
    }
    assert moments["submitted"] == returned.submitted_at
    assert moments["returned"] == returned.reviewed_at
    assert moments["saved"] < returned.submitted_at < returned.reviewed_at
    assert returned.reviewed_at.date() < TODAY
