"""Monitoring of status holders after the grant: the framework of yearly indicators.

Pure Python (pydantic); no Django. :func:`parse_monitoring_framework` validates a mapping (the
YAML file as loaded) and raises :class:`MonitoringFrameworkError` with every problem and its
path; :mod:`.lifecycle` holds the yearly report's allowed transitions as data.
"""

from __future__ import annotations

from .framework import (
    MONITORING_FRAMEWORK,
    REGISTRY_SOURCES,
    Indicator,
    MonitoringFramework,
    MonitoringFrameworkError,
    MonitoringIssue,
    ValueProblem,
    check_value,
    due_date,
    parse_monitoring_framework,
)
from .lifecycle import EDITABLE, ReportAction, ReportState, next_state
from .survey import (
    AnswerProblem,
    AnswersInvalid,
    Question,
    Survey,
    check_answers,
)

__all__ = [
    "AnswerProblem",
    "AnswersInvalid",
    "Question",
    "Survey",
    "check_answers",
    "EDITABLE",
    "MONITORING_FRAMEWORK",
    "REGISTRY_SOURCES",
    "Indicator",
    "MonitoringFramework",
    "MonitoringFrameworkError",
    "MonitoringIssue",
    "ReportAction",
    "ReportState",
    "ValueProblem",
    "check_value",
    "due_date",
    "next_state",
    "parse_monitoring_framework",
]
