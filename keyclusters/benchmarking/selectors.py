"""Reads of the benchmarking app used by several pages and commands."""

from __future__ import annotations

from django.db.models import QuerySet

from keyclusters.registry.models import Cluster

from .models import Edition, EditionResult, EditionState


def visible_editions(user) -> QuerySet[Edition]:
    editions = Edition.objects.select_related("framework")
    if user.has_perm("benchmarking.manage_editions"):
        return editions
    return editions.filter(state=EditionState.PUBLISHED)


def results_of(edition: Edition) -> QuerySet[EditionResult]:
    """An edition's results by cluster name (never by rank: the listing is not a ranking)."""
    return (
        EditionResult.objects.filter(edition=edition)
        .select_related("cluster", "cluster__coordinator")
        .order_by("cluster__name")
    )


def coordinator_results(user) -> QuerySet[EditionResult]:
    """The published results of the clusters the user's organisation coordinates."""
    if not user.is_authenticated or user.organisation_id is None:
        return EditionResult.objects.none()
    return (
        EditionResult.objects.filter(
            cluster__coordinator_id=user.organisation_id,
            edition__state=EditionState.PUBLISHED,
        )
        .select_related("edition", "cluster")
        .order_by("-edition__year", "cluster__name")
    )


def find_cluster(value: str) -> Cluster | None:
    """A cluster by id or exact name."""
    cluster = Cluster.objects.filter(pk=int(value)).first() if value.isdigit() else None
    return cluster or Cluster.objects.filter(name=value).first()


def find_edition(value: str) -> tuple[Edition | None, str]:
    """An edition by year (a number from 1900 on, when one edition has it) or else by id.

    Returns the edition and "" when found, else None and "none" or "ambiguous" (several
    editions of that year).
    """
    if not value.isdigit():
        return None, "none"
    number = int(value)
    if number >= 1900:
        by_year = list(Edition.objects.filter(year=number)[:2])
        if len(by_year) == 1:
            return by_year[0], ""
        if len(by_year) > 1:
            return None, "ambiguous"
    edition = Edition.objects.filter(pk=number).first()
    return edition, "" if edition else "none"
