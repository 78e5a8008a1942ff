"""The monitoring framework's format: the shipped file, every error with its path, the values."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
import yaml

from keyclusters.domain.monitoring import (
    MonitoringFrameworkError,
    ValueProblem,
    check_value,
    due_date,
    next_state,
    parse_monitoring_framework,
)
from keyclusters.domain.rulebook import shipped_rulebook_path

SHIPPED = yaml.safe_load(shipped_rulebook_path("monitoring-kkk").read_text(encoding="utf-8"))


def errors(data) -> list[str]:
    with pytest.raises(MonitoringFrameworkError) as caught:
        parse_monitoring_framework(data)
    return [str(e) for e in caught.value.errors]


def test_the_shipped_framework_is_valid():
    framework = parse_monitoring_framework(SHIPPED)
    assert framework.id == "monitoring-kkk"
    assert framework.version == 2
    assert [i.id for i in framework.registry_indicators] == [
        "members_total", "enterprises_share", "advanced_cooperation_group",
    ]  # fmt: skip
    assert [i.id for i in framework.reported_indicators] == [
        "employees_members", "revenue_members", "export_share", "rd_projects",
        "joint_projects", "funds_raised", "member_services",
    ]  # fmt: skip
    assert framework.indicator("revenue_members").compare_with == "revenue_members"
    assert due_date(framework, 2024) == dt.date(2025, 3, 31)
    assert framework.alerts.overdue_days == 30
    assert framework.illustrative == ["indicators", "due", "reminders", "alerts", "survey"]


def test_every_error_is_named_with_its_path():
    data = copy.deepcopy(SHIPPED)
    data["id"] = "Monitoring"
    data["version"] = 0
    data["due"] = {"month": 2, "day": 29}
    data["indicators"][0].pop("registry")
    data["indicators"][1]["type"] = "share"
    data["indicators"][3]["registry"] = "members_total"
    data["indicators"][4]["id"] = "employees_members"
    data["indicators"][5]["colour"] = "red"
    assert errors(data) == [
        "id: must contain only lowercase letters, digits and dashes",
        "version: must be at least 1",
        "indicators[1].type: must be one of: integer, decimal, percent, money",
        "indicators[5].colour: unknown key",
        "indicators[0].registry: is required for an indicator filled from the registry",
        "indicators[3].registry: is allowed only for an indicator filled from the registry",
        'indicators[4].id: duplicate indicator id "employees_members" (first at indicators[3].id)',
        "due.day: is not a day of every year",
    ]


def test_a_missing_part_and_an_unknown_registry_figure():
    data = copy.deepcopy(SHIPPED)
    del data["title"]
    data["indicators"][2]["registry"] = "turnover"
    data["kind"] = "status-competition"
    assert errors(data) == [
        "kind: must be one of: monitoring-framework",
        "title: is required",
        "indicators[2].registry: must be one of: members_total, enterprises_total, "
        "enterprises_share, sme_share, research_members, foreign_members, "
        "strategic_partners, advanced_cooperation_group",
    ]
    assert errors([]) == ["(root): a monitoring framework must be a mapping"]
    assert errors({**SHIPPED, "indicators": []}) == ["indicators: must not be empty"]


def test_values_are_checked_by_the_indicators_type():
    framework = parse_monitoring_framework(SHIPPED)
    jobs, revenue, export = (
        framework.indicator(i) for i in ("employees_members", "revenue_members", "export_share")
    )
    assert check_value(jobs, "1 250") == Decimal("1250")
    assert check_value(revenue, "1500000,5") == Decimal("1500000.50")
    assert check_value(export, "") is None
    for indicator, text, message in [
        (jobs, "12.5", "must be a whole number"),
        (jobs, "-1", "must not be negative"),
        (jobs, "many", "must be a number"),
        (export, "100.01", "must be at most 100"),
        (revenue, "1.005", "has too many decimal places"),
        (revenue, "NaN", "must be a number"),
    ]:
        with pytest.raises(ValueProblem) as caught:
            check_value(indicator, text)
        assert caught.value.msgid == message, text


def test_the_transitions_are_a_table():
    assert next_state("draft", "submit") == "submitted"
    assert next_state("submitted", "return") == "returned"
    assert next_state("returned", "submit") == "submitted"
    assert next_state("submitted", "accept") == "accepted"
    assert next_state("accepted", "return") is None
    assert next_state("draft", "accept") is None
    assert next_state("draft", "publish") is None


@pytest.mark.django_db
def test_a_comparison_with_no_field_of_the_applications_is_refused(tmp_path):
    """A misspelt ``compare_with`` would drop the comparison silently: validating the file and
    storing it name the indicator and list the applications' fields."""
    import io

    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.utils import translation

    from keyclusters.domain.monitoring.framework import (
        comparison_issues,
        shipped_application_fields,
    )
    from keyclusters.monitoring import services
    from keyclusters.monitoring.models import StoredMonitoringFramework

    fields = shipped_application_fields("kkk")
    assert {"members_total", "export_share", "rd_projects"} <= fields
    assert comparison_issues(parse_monitoring_framework(SHIPPED), fields) == []
    data = copy.deepcopy(SHIPPED)
    position = next(i for i, ind in enumerate(data["indicators"]) if ind["id"] == "export_share")
    data["indicators"][position]["compare_with"] = "export_shar"
    issues = comparison_issues(parse_monitoring_framework(data), fields)
    assert [(i.path, i.params["name"]) for i in issues] == [
        (f"indicators[{position}].compare_with", "export_shar")
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        call_command("rulebook", "validate", str(path), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 2
    assert err.getvalue().startswith(
        f"{path}: indicators[{position}].compare_with: names no field of the applications: "
        '"export_shar" (the fields are: '
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.store_framework(source=path)
    assert refused.value.messages[0].startswith(
        f'indicators[{position}].compare_with: names no field of the applications: "export_shar"'
    )
    assert not StoredMonitoringFramework.objects.exists()
