"""``keyclusters monitoring``: store the shipped framework, open a year, send the reminders."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from keyclusters.monitoring.models import ReportReminder, StoredMonitoringFramework, YearlyReport


def run(*args) -> str:
    out = io.StringIO()
    call_command("monitoring", *args, stdout=out)
    return out.getvalue()


def test_store_open_and_remind(world):
    stored = StoredMonitoringFramework.objects.get()
    assert run("store-framework") == f"monitoring-kkk v2 {stored.sha256}\n"
    assert StoredMonitoringFramework.objects.count() == 1
    with time_machine.travel("2025-03-20 09:00 +01:00", tick=False):
        assert run("open", "2024") == "opened 2, already open 0\n"
        assert run("open", "2024") == "opened 0, already open 2\n"
        assert run("remind") == "reminders sent: 2\n"
        assert run("remind") == "reminders sent: 0\n"
    assert YearlyReport.objects.filter(year=2024).count() == 2
    assert ReportReminder.objects.filter(kind="before").count() == 2


def test_a_year_not_ended_and_an_invalid_file_are_refused(world, english, tmp_path):
    with (
        time_machine.travel("2025-03-20 09:00 +01:00", tick=False),
        pytest.raises(CommandError, match="Reports can be opened only for a year that has ended."),
    ):
        run("open", "2025")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: monitoring-framework\nid: x\nversion: 1\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("store-framework", str(bad))
    assert str(caught.value).splitlines() == [
        "title: is required",
        "due: is required",
        "indicators: is required",
    ]
