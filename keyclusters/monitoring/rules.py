"""Permissions of the monitoring app (the ``rules`` library).

A yearly report is read, edited and submitted by the coordinator of its cluster; operators read
every report, open the reports of a year, review them (accept or return) and see the overdue
reports and the alerts. The ministry's table of an indicator across holders and years goes to
operators and the decision maker, with each holder's trajectory against its application; the
open data of the published part of the accepted reports to everyone.
"""

from __future__ import annotations

from typing import Any

import rules

from keyclusters.registry.rules import is_cluster_coordinator, is_operator
from keyclusters.statuses.rules import is_decision_maker


@rules.predicate
def is_report_coordinator(user: Any, report: Any) -> bool:
    """The user coordinates the cluster the report belongs to."""
    return report is not None and is_cluster_coordinator(user, report.cluster)


rules.add_perm("monitoring.read_report", is_report_coordinator | is_operator)
rules.add_perm("monitoring.edit_report", is_report_coordinator)
rules.add_perm("monitoring.review_report", is_operator)
rules.add_perm("monitoring.manage_reports", is_operator)
rules.add_perm("monitoring.read_indicators", is_operator | is_decision_maker)
rules.add_perm("monitoring.read_open_data", rules.always_allow)
