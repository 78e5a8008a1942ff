"""Yearly reports: opened for the holders of a year, pre-filled on 31 December, edited and
submitted by the cluster's coordinator only, returned with a note, resubmitted and accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyclusters.monitoring import services
from keyclusters.monitoring.models import YearlyReport
from keyclusters.statuses import services as statuses
from tests.factories import ClusterFactory

from .conftest import AFTER_2024, REPORTED, open_2024

D = dt.date


def test_the_registry_figures_are_those_of_31_december(world):
    report = open_2024(world)[world.cluster.pk]
    # the coordinator, the member in the advanced group and the member whose last day is
    # 31 December; not the one who joined on 1 January
    assert report.registry_values == {
        "members_total": "3",
        "enterprises_share": "33.33",
        "advanced_cooperation_group": "1",
    }
    assert report.due_on == D(2025, 3, 31)
    assert report.state == "draft"
    assert report.status_grant == world.grant
    assert report.members_minimum == 51  # the framework's, the grant has no call


def test_the_next_year_counts_the_member_who_joined_on_1_january(world):
    opened = services.open_reports(year=2025, framework=world.framework, by=None,
                                   today=D(2026, 2, 1))  # fmt: skip
    report = next(r for r in opened.created if r.cluster == world.cluster)
    assert report.registry_values["members_total"] == "3"  # coordinator, group member, new one
    assert report.due_on == D(2026, 3, 31)


def test_a_report_for_every_holder_of_the_year_once(world):
    expired = ClusterFactory(name="Klaster Dawny")
    statuses.grant_status(cluster=expired, round_label="III", decision_on=D(2020, 1, 1),
                          valid_from=D(2020, 1, 1), valid_to=D(2023, 12, 31), by=None)  # fmt: skip
    last_day = ClusterFactory(name="Klaster Do Stycznia")
    statuses.grant_status(cluster=last_day, round_label="III", decision_on=D(2020, 1, 1),
                          valid_from=D(2020, 1, 1), valid_to=D(2024, 1, 1), by=None)  # fmt: skip
    opened = open_2024(world)
    assert sorted(r.cluster.name for r in opened.values()) == [
        "Klaster Do Stycznia", "Klaster Południe", "Klaster Północ",
    ]  # fmt: skip
    again = services.open_reports(year=2024, framework=world.framework, by=None, today=AFTER_2024)
    assert (again.created, again.existing) == ([], 3)
    assert YearlyReport.objects.filter(year=2024).count() == 3


def test_a_year_that_has_not_ended_is_refused(world, english):
    with pytest.raises(ValidationError) as caught:
        services.open_reports(year=2025, framework=world.framework, by=None, today=D(2025, 12, 31))
    assert caught.value.message_dict == {
        "year": ["Reports can be opened only for a year that has ended."]
    }
    assert not YearlyReport.objects.exists()


def test_returned_then_resubmitted_and_accepted(world, english):
    report = open_2024(world)[world.cluster.pk]
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    report.refresh_from_db()
    assert report.values == {
        "employees_members": "1250",
        "revenue_members": "1500000.50",
        "export_share": "32.50",
        "rd_projects": "4",
        "joint_projects": "7",
        "funds_raised": "250000.00",
    }
    services.submit_report(report=report, by=world.coordinator)
    report.refresh_from_db()
    assert (report.state, report.submitted_by) == ("submitted", world.coordinator)
    with pytest.raises(ValidationError):  # submitted: no longer the coordinator's to change
        services.save_values(report=report, values=REPORTED, by=world.coordinator)
    with pytest.raises(ValidationError) as caught:
        services.return_report(report=report, note="  ", by=world.operator)
    assert caught.value.message_dict == {"note": ["Say what the coordinator should correct."]}
    services.return_report(report=report, note="Eksport bez usług.", by=world.operator)
    report.refresh_from_db()
    assert (report.state, report.return_note) == ("returned", "Eksport bez usług.")
    services.save_values(report=report, values={**REPORTED, "export_share": "30"},
                         by=world.coordinator)  # fmt: skip
    services.submit_report(report=report, by=world.coordinator)
    services.accept_report(report=report, by=world.operator)
    report.refresh_from_db()
    assert (report.state, report.values["export_share"], report.reviewed_by) == (
        "accepted", "30.00", world.operator,
    )  # fmt: skip
    assert [h.state for h in report.history.order_by("history_date", "history_id")] == [
        "draft", "draft", "submitted", "returned", "returned", "submitted", "accepted",
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        services.return_report(report=report, note="Za późno", by=world.operator)


def test_only_the_clusters_coordinator_edits_and_submits(world):
    report = open_2024(world)[world.cluster.pk]
    for someone in (world.other_coordinator, world.operator):
        with pytest.raises(PermissionDenied):
            services.save_values(report=report, values=REPORTED, by=someone)
        with pytest.raises(PermissionDenied):
            services.submit_report(report=report, by=someone)
    with pytest.raises(PermissionDenied):
        services.accept_report(report=report, by=world.coordinator)
    report.refresh_from_db()
    assert (report.state, report.values) == ("draft", {})


def test_bad_values_are_named_and_nothing_is_written(world, english):
    report = open_2024(world)[world.cluster.pk]
    services.save_values(report=report, values={"rd_projects": "2"}, by=world.coordinator)
    with pytest.raises(ValidationError) as caught:
        services.save_values(
            report=report,
            values={**REPORTED, "rd_projects": "2.5", "export_share": "120"},
            by=world.coordinator,
        )
    assert caught.value.message_dict == {
        "export_share": ["must be at most 100"],
        "rd_projects": ["must be a whole number"],
    }
    report.refresh_from_db()
    assert report.values == {"rd_projects": "2"}
    with pytest.raises(ValidationError) as caught:
        services.submit_report(report=report, by=world.coordinator)
    assert sorted(caught.value.message_dict) == [
        "employees_members", "export_share", "funds_raised", "joint_projects", "revenue_members",
    ]  # fmt: skip
    report.refresh_from_db()
    assert report.state == "draft"
