"""Dedicated cluster reports and the general report of an edition: their context, HTML and PDF.

The same template fragment (``benchmarking/_cluster_report.html``) is the body of the report
page and of the PDF, which WeasyPrint renders from HTML; the radar chart is inline SVG.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keyclusters.domain.rulebook.model import localized
from keyclusters.registry.models import Cluster

from . import standings
from .charts import BENCHMARK_COLOUR, CLUSTER_COLOUR, MEDIAN_COLOUR, Series, radar_svg
from .models import AreaSummary, ClusterReport, Edition, EditionResult

WEAKEST_SUBAREAS = 3


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def _number(text: Any) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def edition_bands(edition: Edition) -> list[dict[str, Any]]:
    """The rating bands of each area that has them: the area's title and (label, minimum)."""
    language = _language()
    framework = edition.framework.parsed
    return [
        {
            "title": localized(area.title, language) or area.id,
            "bands": [
                {"label": localized(b.label, language), "min": Decimal(repr(b.min))}
                for b in framework.bands_of(area)
            ],
        }
        for area in framework.areas
        if framework.bands_of(area)
    ]


def edition_areas(edition: Edition) -> list[dict[str, Any]]:
    """The areas of an edition with their titles, medians and benchmarks."""
    language = _language()
    framework = edition.framework.parsed
    summaries = {s.area: s for s in AreaSummary.objects.filter(edition=edition)}
    areas = []
    for area in framework.areas:
        summary = summaries.get(area.id)
        areas.append(
            {
                "id": area.id,
                "title": localized(area.title, language) or area.id,
                "median": summary.median if summary else None,
                "benchmark": summary.benchmark if summary else None,
                "lower_quartile": summary.lower_quartile if summary else None,
                "upper_quartile": summary.upper_quartile if summary else None,
                "subareas": [
                    {"id": s.id, "title": localized(s.title, language) or s.id}
                    for s in area.subareas
                ],
            }
        )
    return areas


def general_context(edition: Edition) -> dict[str, Any]:
    return {
        "edition": edition,
        "framework": edition.framework,
        "areas": edition_areas(edition),
        "bands": edition_bands(edition),
        "clusters": list(edition.clusters.select_related("coordinator").order_by("name")),
    }


def _profile(cluster: Cluster, edition: Edition) -> dict[str, Any]:
    on = min(dt.date(edition.year, 12, 31), timezone.localdate())
    counted = Cluster.objects.with_member_counts(on).filter(pk=cluster.pk).first()
    return {
        "cluster": cluster,
        "coordinator": cluster.coordinator,
        "members": counted.member_count if counted else 0,
        "members_on": on,
        "specialisation": cluster.specialisation,
        "voivodeship": cluster.get_voivodeship_display(),
    }


def _suggestions(areas: list[dict[str, Any]], medians: dict[str, Any]) -> list[str]:
    gaps = []
    for area in areas:
        for sub in area["subareas"]:
            score, median = sub["score"], _number(medians.get(sub["id"]))
            if score is not None and median is not None and score < median:
                gaps.append((score - median, area["title"], sub["title"], score, median))
    gaps.sort(key=lambda gap: gap[0])
    return [
        _(
            "%(subarea)s (%(area)s): the score %(score)s is below the group's median "
            "%(median)s. Learn from the practice of the clusters that lead in this sub-area "
            "and set a target for the next edition."
        )
        % {
            "subarea": sub,
            "area": area,
            "score": number_format(score, 4),
            "median": number_format(median, 4),
        }
        for _gap, area, sub, score, median in gaps[:WEAKEST_SUBAREAS]
    ]


def cluster_context(result: EditionResult, report: ClusterReport | None = None) -> dict[str, Any]:
    """Everything the dedicated report shows about one cluster in one edition."""
    edition, cluster = result.edition, result.cluster
    language = _language()
    framework = edition.framework.parsed
    areas = edition_areas(edition)
    indicators = {i.id: i for i in framework.indicators}
    by_area = {a.id: a for a in framework.areas}
    strengths, weaknesses = [], []
    for area in areas:
        score = _number(result.areas.get(area["id"]))
        area["score"] = score
        area["previous"] = _number(result.previous_areas.get(area["id"]))
        area["change"] = _number(result.change.get(area["id"]))
        area["band"] = standings.band_label(framework, area["id"], score)
        low, high = area["lower_quartile"], area["upper_quartile"]
        area["strength"] = bool(
            score is not None and high is not None and low != high and score >= high
        )
        area["weakness"] = bool(
            score is not None and low is not None and low != high and score <= low
        )
        if area["strength"]:
            strengths.append(area)
        if area["weakness"]:
            weaknesses.append(area)
        for sub, definition in zip(area["subareas"], by_area[area["id"]].subareas, strict=True):
            sub["score"] = _number(result.subareas.get(sub["id"]))
            sub["median"] = _number(edition.results.get("subarea_medians", {}).get(sub["id"]))
            sub["indicators"] = [
                {
                    "id": ind.id,
                    "title": localized(indicators[ind.id].title, language) or ind.id,
                    "unit": ind.unit or "",
                    **result.indicators.get(ind.id, {"value": None, "position": None, "of": 0}),
                }
                for ind in definition.indicators
            ]
    chart = radar_svg(
        [a["title"] for a in areas],
        [
            Series(_("Benchmark"), [_float(a["benchmark"]) for a in areas], BENCHMARK_COLOUR),
            Series(_("Median"), [_float(a["median"]) for a in areas], MEDIAN_COLOUR, dashed=True),
            Series(cluster.name, [_float(a["score"]) for a in areas], CLUSTER_COLOUR, fill=True),
        ],
        low=min(
            [0.0] + [float(v) for a in areas for v in (a["score"], a["median"]) if v is not None]
        ),
        high=max([1.0] + [float(a["benchmark"]) for a in areas if a["benchmark"] is not None]),
        title=_("Areas of %(cluster)s against the median and the benchmark")
        % {"cluster": cluster.name},
    )
    return {
        "edition": edition,
        "framework_title": localized(framework.title, language) or framework.rulebook,
        "result": result,
        "profile": _profile(cluster, edition),
        "areas": areas,
        "chart": chart,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "participants": edition.results_set.count(),
        "position": standings.position_of(result),
        "band_summary": standings.band_summary(framework, result.areas),
        "comparison": standings.comparison_of(result),
        "report": report,
        "suggestions": _suggestions(areas, edition.results.get("subarea_medians", {})),
        "generated_on": timezone.localdate(),
    }


def render_pdf_html(result: EditionResult, report: ClusterReport | None = None) -> str:
    return render_to_string("benchmarking/cluster_report_pdf.html", cluster_context(result, report))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def cluster_pdf(result: EditionResult, report: ClusterReport | None = None) -> bytes:
    return render_pdf(render_pdf_html(result, report))


def pdf_filename(result: EditionResult) -> str:
    name = slugify(result.cluster.name) or result.cluster_id
    return f"benchmarking-{result.edition.year}-{name}.pdf"


def generate_stored_pdf(result: EditionResult, *, language: str | None = None) -> ClusterReport:
    """Render the cluster's report PDF and keep it on the ClusterReport."""
    report, _created = ClusterReport.objects.get_or_create(
        edition=result.edition, cluster=result.cluster
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        content = cluster_pdf(result, report)
    with transaction.atomic():
        if report.pdf:
            report.pdf.delete(save=False)
        report.pdf.save(pdf_filename(result), ContentFile(content), save=False)
        report.generated_at = timezone.now()
        report.save(update_fields=["pdf", "generated_at"])
    return report


def current_report(result: EditionResult) -> ClusterReport:
    """The report whose stored PDF is current, generating the PDF when it is not."""
    report = ClusterReport.objects.filter(edition=result.edition, cluster=result.cluster).first()
    if report is None or not report.pdf_is_current():
        report = generate_stored_pdf(result)
    return report


def current_pdf(result: EditionResult) -> bytes:
    """The stored PDF when it is current, else a new one (stored for the next request)."""
    with current_report(result).pdf.open("rb") as handle:
        return handle.read()
