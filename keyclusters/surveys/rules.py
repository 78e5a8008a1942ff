"""Permissions of the member surveys (the ``rules`` library).

The coordinator of a cluster opens its yearly survey, distributes the link and closes it; the
results go to the coordinator, operators and the decision maker. Answering needs no account
(the link's token is the only key).
"""

from __future__ import annotations

from typing import Any

import rules

from keyclusters.registry.rules import is_cluster_coordinator, is_coordinator, is_operator
from keyclusters.statuses.rules import is_decision_maker


@rules.predicate
def is_survey_coordinator(user: Any, survey: Any) -> bool:
    """The user coordinates the cluster the survey belongs to."""
    return survey is not None and is_cluster_coordinator(user, survey.cluster)


# the page of surveys: a coordinator's own clusters, every survey to the ministry
rules.add_perm("surveys.list_surveys", is_coordinator | is_operator | is_decision_maker)
rules.add_perm("surveys.list_all_surveys", is_operator | is_decision_maker)
rules.add_perm("surveys.open_survey", is_cluster_coordinator)  # on a cluster
rules.add_perm("surveys.manage_survey", is_survey_coordinator)  # the link, closing early
rules.add_perm("surveys.read_results", is_survey_coordinator | is_operator | is_decision_maker)
