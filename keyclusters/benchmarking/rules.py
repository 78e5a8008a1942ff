"""Permission predicates of the benchmarking app (the ``rules`` library).

- an analyst manages editions: creates them, imports data, computes, writes the texts,
  publishes, and sees every report;
- a coordinator sees the dedicated reports of the clusters their organisation coordinates, once
  the edition is published;
- everyone sees the general report of a published edition.

Object rules take an :class:`~keyclusters.benchmarking.models.Edition` or anything with
``edition`` and ``cluster`` (an ``EditionResult`` or a ``ClusterReport``).
"""

from __future__ import annotations

import rules

from keyclusters.accounts.roles import Role

from .models import EditionState


@rules.predicate
def is_analyst(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ANALYST))


@rules.predicate
def edition_is_published(user, edition) -> bool:
    return edition is not None and edition.state == EditionState.PUBLISHED


@rules.predicate
def report_is_published(user, item) -> bool:
    return item is not None and item.edition.state == EditionState.PUBLISHED


@rules.predicate
def coordinates_report_cluster(user, item) -> bool:
    if not (user and user.is_authenticated and user.has_role(Role.COORDINATOR)):
        return False
    return (
        item is not None
        and user.organisation_id is not None
        and user.organisation_id == item.cluster.coordinator_id
    )


rules.add_perm("benchmarking.manage_editions", is_analyst)
rules.add_perm("benchmarking.read_edition", is_analyst | edition_is_published)
rules.add_perm(
    "benchmarking.view_cluster_report",
    is_analyst | (coordinates_report_cluster & report_is_published),
)
rules.add_perm("benchmarking.export_results", is_analyst)
