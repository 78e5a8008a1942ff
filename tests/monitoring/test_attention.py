"""The operator's "needs attention" list gains the overdue yearly reports and the monitoring
alerts, and loses them when the report is submitted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation

from keyclusters.monitoring import services
from keyclusters.web.attention import Item, needs_attention

from .conftest import REPORTED, open_2024

NOW = dt.datetime(2025, 5, 2, 10, 0, tzinfo=dt.UTC)  # 32 days after 31 March 2025


def monitoring_groups(now):
    with translation.override("en"):
        return {
            g["kind"]: g["items"]
            for g in needs_attention([], now=now)
            if g["kind"].startswith("monitoring")
        }


def test_overdue_reports_and_alerts_appear_and_go(world):
    reports = open_2024(world)
    north = reports[world.cluster.pk]
    south = reports[world.other.pk]
    url = reverse("monitoring:report", args=[north.pk])
    groups = monitoring_groups(NOW)
    assert [i.subject for i in groups["monitoring-overdue"]] == [
        "Klaster Południe",
        "Klaster Północ",
    ]
    assert (
        Item("Klaster Północ", "2024", dt.date(2025, 3, 31), url, True)
        in (groups["monitoring-overdue"])
    )
    with translation.override("en"):
        notes = sorted((i.subject, str(i.note)) for i in groups["monitoring-alerts"])
    assert notes == [
        ("Klaster Południe", "1 member on 31 December, the minimum is 51"),
        ("Klaster Południe", "overdue by 32 days"),
        ("Klaster Północ", "3 members on 31 December, the minimum is 51"),
        ("Klaster Północ", "overdue by 32 days"),
    ]
    services.save_values(report=north, values=REPORTED, by=world.coordinator)
    services.submit_report(report=north, by=world.coordinator)
    groups = monitoring_groups(NOW)
    assert [i.subject for i in groups["monitoring-overdue"]] == ["Klaster Południe"]
    assert ("Klaster Północ", "overdue by 32 days") not in [
        (i.subject, str(i.note)) for i in groups["monitoring-alerts"]
    ]
    assert south.state == "draft"
