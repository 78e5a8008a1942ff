"""What a cluster's report adds to the scores: its place in the general classification and the
gap to the leader (where the edition publishes them), the rating band of each area, and the
change since an earlier edition of another framework that a declared mapping links to.

The computation is ``keyclusters.domain.benchmarking.standing``; this module reads the stored
results and turns the domain's answers into what the report shows, in the active language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from keyclusters.domain.benchmarking.standing import (
    band_counts,
    band_for,
    compare_across,
    is_mapped,
    standing,
)
from keyclusters.domain.rulebook.model import localized

from .models import EditionResult, EditionState


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def position_of(result: EditionResult) -> dict[str, Any] | None:
    """The cluster's place and its gap to the leader; None when the edition does not publish
    positions or the cluster has no overall score."""
    edition = result.edition
    if not edition.publish_position:
        return None
    scores = edition.results_set.exclude(overall=None).values_list("overall", flat=True)
    found = standing(result.overall, result.rank, scores)
    if found is None:
        return None
    return {
        "rank": found.rank,
        "of": found.of,
        "is_leader": found.is_leader,
        "gap": found.gap,
        "leader_overall": found.leader_overall,
        "overall": found.overall,
        "place": _("place %(rank)s of %(count)s") % {"rank": found.rank, "count": found.of},
        "words": _(found.words),
        "numbers": (
            _("overall score %(score)s, the leader's %(leader)s: %(gap)s behind")
            % {
                "score": number_format(found.overall, 4),
                "leader": number_format(found.leader_overall, 4),
                "gap": number_format(found.gap, 4),
            }
        ),
    }


def band_label(framework, area_id: str, score) -> str:
    """The area's rating in words ("very high"), empty where the framework has no bands."""
    language = _language()
    area = next((a for a in framework.areas if a.id == area_id), None)
    band = band_for(framework.bands_of(area), score) if area is not None else None
    return localized(band.label, language) if band is not None else ""


def band_summary(framework, areas: dict[str, Any]) -> list[str]:
    """ "very high: 3 areas", one text per band reached, highest first."""
    language = _language()
    return [
        ngettext("%(band)s: %(count)s area", "%(band)s: %(count)s areas", count)
        % {"band": localized(band.label, language), "count": count}
        for band, count in band_counts(framework, areas)
    ]


def _titles(framework) -> dict[tuple[str, str], str]:
    language = _language()
    titles = {}
    for area in framework.areas:
        titles[("area", area.id)] = localized(area.title, language) or area.id
        for sub in area.subareas:
            titles[("subarea", sub.id)] = localized(sub.title, language) or sub.id
    return titles


def earlier_mapped_result(result: EditionResult) -> EditionResult | None:
    """The cluster's result in its latest earlier published edition of another framework that a
    declared mapping links with this edition's framework."""
    edition = result.edition
    framework = edition.framework.parsed
    candidates = (
        EditionResult.objects.filter(
            cluster_id=result.cluster_id,
            edition__year__lt=edition.year,
            edition__state=EditionState.PUBLISHED,
        )
        .exclude(edition__framework__rulebook_id=edition.framework.rulebook_id)
        .select_related("edition__framework")
        .order_by("-edition__year", "-edition_id")
    )
    for candidate in candidates:
        if is_mapped(candidate.edition.framework.parsed, framework):
            return candidate
    return None


def comparison_of(result: EditionResult) -> dict[str, Any] | None:
    """The mapped comparison with the earlier edition, rows with titles on both sides."""
    before = earlier_mapped_result(result)
    if before is None:
        return None
    earlier, later = before.edition.framework.parsed, result.edition.framework.parsed
    rows = compare_across(
        earlier,
        {"areas": before.areas, "subareas": before.subareas},
        later,
        {"areas": result.areas, "subareas": result.subareas},
    )
    earlier_titles, later_titles = _titles(earlier), _titles(later)
    return {
        "edition": before.edition,
        "rows": [
            {
                "level": row.level,
                "earlier_titles": [earlier_titles[(row.level, i)] for i in row.earlier_ids],
                "later_titles": [later_titles[(row.level, i)] for i in row.later_ids],
                "earlier": row.earlier,
                "later": row.later,
                "change": row.change,
            }
            for row in rows
        ],
    }
