"""Reminders before and after the due date, each sent once and recorded; the operator's alerts
(members below the round's minimum on 31 December, a report overdue by more than 30 days),
raised and cleared."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from keyclusters.monitoring import selectors, services
from keyclusters.monitoring.models import ReportReminder

from .conftest import REPORTED, join, open_2024

D = dt.date


def test_each_reminder_is_sent_once_and_recorded(world, english):
    world.coordinator.preferred_language = "en"  # the other coordinator reads Polish
    world.coordinator.save(update_fields=["preferred_language"])
    report = open_2024(world)[world.cluster.pk]  # due on 31 March 2025; 14 days, then 7 after
    assert services.send_reminders(today=D(2025, 3, 16)) == []  # 15 days before
    sent = services.send_reminders(today=D(2025, 3, 17))
    # both holders' coordinators with an account: the world has one for each cluster
    assert sorted((r.report.cluster.name, r.kind, r.sent_on) for r in sent) == [
        ("Klaster Południe", "before", D(2025, 3, 17)),
        ("Klaster Północ", "before", D(2025, 3, 17)),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["inny@example.org", "koordynator@example.org"]
    north = next(m for m in mail.outbox if m.to == ["koordynator@example.org"])
    assert north.subject == "The yearly report on 2024 of Klaster Północ is due soon"
    assert "is due on 31 March 2025" in north.body
    assert f"/monitoring/reports/{report.pk}/" in north.body
    assert services.send_reminders(today=D(2025, 3, 31)) == []  # the same reminder: not again
    assert services.send_reminders(today=D(2025, 4, 6)) == []  # 6 days after
    # the cluster's coordinator submits; only the other holder is reminded after the due date
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    mail.outbox.clear()
    sent = services.send_reminders(today=D(2025, 4, 7))
    assert [(r.report.cluster.name, r.kind) for r in sent] == [("Klaster Południe", "after")]
    assert [m.subject for m in mail.outbox] == [  # the other coordinator reads Polish
        "Upłynął termin złożenia sprawozdania rocznego klastra Klaster Południe za rok 2024"
    ]
    assert services.send_reminders(today=D(2025, 5, 1)) == []
    assert ReportReminder.objects.filter(report__cluster=world.other).count() == 2
    assert (
        ReportReminder.objects.get(report__cluster=world.other, kind="after").recipients
        == "inny@example.org"
    )


def test_a_returned_report_is_reminded_after_the_due_date(world):
    report = open_2024(world)[world.cluster.pk]
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    services.return_report(report=report, note="Popraw eksport.", by=world.operator)
    sent = services.send_reminders(today=D(2025, 4, 10))
    assert sorted((r.report.cluster.name, r.kind) for r in sent) == [
        ("Klaster Południe", "after"), ("Klaster Północ", "after"),
    ]  # fmt: skip


def test_members_below_the_minimum_raised_and_cleared(world):
    report = open_2024(world)[world.cluster.pk]
    report.members_minimum = 4
    report.save(update_fields=["members_minimum"])
    other = next(r for r in selectors.alerts(D(2025, 2, 1)) if r.report.cluster == world.other)
    assert (other.kind, other.members) == ("members", 1)  # the coordinator only, minimum 51
    raised = [(a.kind, a.members) for a in selectors.alerts(D(2025, 2, 1)) if a.report == report]
    assert raised == [("members", 3)]
    # the registry learns of a member who joined in December 2024: the alert is cleared
    join(world.cluster, D(2024, 12, 1))
    assert [a for a in selectors.alerts(D(2025, 2, 1)) if a.report == report] == []
    # one who joined on 1 January 2025 would not have counted
    report.members_minimum = 5
    report.save(update_fields=["members_minimum"])
    join(world.cluster, D(2025, 1, 1))
    assert [(a.kind, a.members) for a in selectors.alerts(D(2025, 2, 1)) if a.report == report] == [
        ("members", 4)
    ]


def test_overdue_by_more_than_30_days_raised_and_cleared(world):
    report = open_2024(world)[world.cluster.pk]
    report.members_minimum = None  # only the overdue alert here
    report.save(update_fields=["members_minimum"])

    def overdue_alerts(today):
        return [(a.kind, a.days_overdue) for a in selectors.alerts(today) if a.report == report]

    assert overdue_alerts(D(2025, 4, 30)) == []  # 30 days late: overdue, no alert yet
    assert list(selectors.overdue_reports(D(2025, 4, 30)).filter(pk=report.pk)) == [report]
    assert overdue_alerts(D(2025, 5, 1)) == [("overdue", 31)]
    services.save_values(report=report, values=REPORTED, by=world.coordinator)
    services.submit_report(report=report, by=world.coordinator)
    assert overdue_alerts(D(2025, 5, 1)) == []
    assert not selectors.overdue_reports(D(2025, 5, 1)).filter(pk=report.pk).exists()
    services.return_report(report=report, note="Popraw.", by=world.operator)
    assert overdue_alerts(D(2025, 5, 2)) == [("overdue", 32)]  # returned: waiting again
