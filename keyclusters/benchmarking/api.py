"""Published benchmarking editions in the REST API (public: no ranking, no cluster results)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Edition, EditionState
from .reports import edition_areas

router = Router(tags=["benchmarking"])


class EditionOut(Schema):
    id: int
    year: int
    name: str
    framework: str
    framework_version: int
    clusters: int


class AreaOut(Schema):
    id: str
    title: str
    median: str | None
    benchmark: str | None


class EditionDetailOut(EditionOut):
    areas: list[AreaOut]
    cluster_names: list[str]


def _published():
    return Edition.objects.filter(state=EditionState.PUBLISHED).select_related("framework")


def _edition(edition: Edition) -> dict:
    return {
        "id": edition.pk,
        "year": edition.year,
        "name": edition.name,
        "framework": edition.framework.rulebook_id,
        "framework_version": edition.framework.version,
        "clusters": edition.clusters.count(),
    }


@router.get("/editions", response=list[EditionOut])
def list_editions(request):
    """The published editions, newest first."""
    return [_edition(e) for e in _published()]


@router.get("/editions/{edition_id}", response=EditionDetailOut)
def edition_detail(request, edition_id: int):
    """A published edition: per area the group's median and benchmark, the participants."""
    edition = get_object_or_404(_published(), pk=edition_id)
    return {
        **_edition(edition),
        "areas": [
            {
                "id": a["id"],
                "title": a["title"],
                "median": None if a["median"] is None else str(a["median"]),
                "benchmark": None if a["benchmark"] is None else str(a["benchmark"]),
            }
            for a in edition_areas(edition)
        ],
        "cluster_names": list(edition.clusters.order_by("name").values_list("name", flat=True)),
    }
