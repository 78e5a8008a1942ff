"""Every write of the benchmarking app: frameworks, editions, data imports, computation, texts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from keyclusters.domain.benchmarking import (
    BenchmarkInputError,
    FrameworkError,
    compute,
    format_score,
    parse_framework,
    to_dict,
)
from keyclusters.domain.benchmarking.composite import competition_ranks
from keyclusters.domain.benchmarking.framework import mapping_issues
from keyclusters.domain.rulebook import (
    RulebookInvalid,
    load_document,
    shipped_rulebook_ids,
    shipped_rulebook_path,
    source_sha256,
)
from keyclusters.domain.rulebook.model import localized
from keyclusters.domain.rulebook.validation import BENCHMARKING_FRAMEWORK
from keyclusters.domain.tables import Source
from keyclusters.registry.models import Cluster

from . import importing
from .models import (
    AreaSummary,
    ClusterReport,
    Edition,
    EditionResult,
    EditionState,
    Framework,
    IndicatorValue,
    SurveyAggregate,
)


class BenchmarkingError(ValidationError):
    """A request that the rules refuse; ``messages`` say why."""


# Allowed state changes: action -> (states it starts from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "compute": (frozenset({EditionState.DRAFT, EditionState.COMPUTED}), EditionState.COMPUTED),
    "publish": (frozenset({EditionState.COMPUTED}), EditionState.PUBLISHED),
    "withdraw": (frozenset({EditionState.PUBLISHED}), EditionState.COMPUTED),
}
EDITABLE_STATES = frozenset({EditionState.DRAFT, EditionState.COMPUTED})


def issue_text(issue) -> str:
    """A domain input issue, translated, with the cluster and indicator it concerns."""
    message = _(issue.msgid) % issue.params if issue.params else _(issue.msgid)
    where = []
    if issue.cluster is not None:
        where.append(_('cluster "%(cluster)s"') % {"cluster": issue.cluster})
    if issue.indicator is not None:
        where.append(_("indicator %(indicator)s") % {"indicator": issue.indicator})
    return f"{', '.join(where)}: {message}" if where else message


# --- frameworks ----------------------------------------------------------------------------


def store_framework(*, source: str | Path) -> Framework:
    """Store a framework file (a path or YAML text); the same id and version must not differ."""
    try:
        text, data = load_document(source)
        framework = parse_framework(data)
    except RulebookInvalid as exc:
        raise BenchmarkingError([str(e) for e in exc.errors]) from exc
    except FrameworkError as exc:
        raise BenchmarkingError([str(e) for e in exc.errors]) from exc
    _check_mapping(framework)
    digest = source_sha256(text)
    stored, created = Framework.objects.get_or_create(
        rulebook_id=framework.rulebook,
        version=framework.version,
        defaults={"source": text, "sha256": digest, "title": framework.title or {}},
    )
    if not created and stored.sha256 != digest:
        raise BenchmarkingError(
            _("Framework %(id)s version %(version)s is already stored with other content.")
            % {"id": framework.rulebook, "version": framework.version}
        )
    return stored


def _mapping_target(rulebook_id: str):
    """The framework a mapping names: its latest stored version, else the shipped file."""
    stored = Framework.objects.filter(rulebook_id=rulebook_id).order_by("-version").first()
    if stored is not None:
        return stored.parsed
    if rulebook_id in shipped_framework_ids():
        _text, data = load_document(shipped_rulebook_path(rulebook_id))
        return parse_framework(data)
    return None  # not known here: its ids cannot be checked yet


def _check_mapping(framework) -> None:
    """Every area and sub-area id the framework maps to exists in the framework named."""
    issues = []
    for rulebook_id in sorted(framework.mapped_frameworks()):
        target = _mapping_target(rulebook_id)
        if target is not None:
            issues.extend(mapping_issues(framework, target))
    if issues:
        raise BenchmarkingError(
            [f"{i.path}: {_(i.msgid) % i.params if i.params else _(i.msgid)}" for i in issues]
        )


def shipped_framework_ids() -> list[str]:
    ids = []
    for rulebook_id in shipped_rulebook_ids():
        head = shipped_rulebook_path(rulebook_id).read_text(encoding="utf-8")[:4000]
        if f"kind: {BENCHMARKING_FRAMEWORK}" in head:
            ids.append(rulebook_id)
    return ids


def store_shipped_frameworks() -> list[Framework]:
    return [store_framework(source=shipped_rulebook_path(i)) for i in shipped_framework_ids()]


# --- editions ------------------------------------------------------------------------------


@transaction.atomic
def create_edition(
    *,
    framework: Framework,
    year: int,
    name: str,
    clusters: Iterable[Cluster] = (),
    normalisation: str | None = None,
    number: int | None = None,
    contractor: str = "",
    financing: str = "",
    publish_position: bool | None = None,
    by=None,
) -> Edition:
    """A new edition; what is not given comes from the framework's ``edition:`` block."""
    if Edition.objects.filter(framework=framework, year=year).exists():
        raise BenchmarkingError(
            {
                "year": _("An edition of this framework for %(year)s already exists.")
                % {"year": year}
            }
        )
    defaults = framework.parsed.edition
    edition = Edition.objects.create(
        framework=framework,
        year=year,
        name=name,
        normalisation=normalisation or None,
        number=number if number is not None else defaults.number,
        contractor=(contractor or defaults.contractor or "").strip(),
        financing=(
            financing or localized(defaults.financing, settings.LANGUAGE_CODE) or ""
        ).strip(),
        publish_position=(
            defaults.publish_position if publish_position is None else publish_position
        ),
    )
    edition.clusters.set(list(clusters))
    return edition


def _locked(edition: Edition) -> Edition:
    """The edition's row, locked until the end of the transaction."""
    return Edition.objects.select_for_update().select_related("framework").get(pk=edition.pk)


EDITION_TEXT_LIMIT = 300


@transaction.atomic
def update_edition_details(
    *,
    edition: Edition,
    number: int | None,
    contractor: str,
    financing: str,
    publish_position: bool,
    by=None,
) -> Edition:
    """The edition's number, contractor and financing, and whether positions are published.

    Allowed in any state: none of it changes the computed results, only what is shown.
    """
    errors: dict[str, str] = {}
    if number is not None and number < 1:
        errors["number"] = _("The edition number must be at least 1.")
    for field, value in (("contractor", contractor), ("financing", financing)):
        if len(value.strip()) > EDITION_TEXT_LIMIT:
            errors[field] = _("At most %(limit)s characters.") % {"limit": EDITION_TEXT_LIMIT}
    if errors:
        raise BenchmarkingError(errors)
    locked = _locked(edition)
    locked.number = number
    locked.contractor = contractor.strip()
    locked.financing = financing.strip()
    locked.publish_position = bool(publish_position)
    locked.save(update_fields=["number", "contractor", "financing", "publish_position"])
    return locked


def _require_editable(edition: Edition) -> None:
    if edition.state not in EDITABLE_STATES:
        raise BenchmarkingError(_("A published edition cannot be changed; withdraw it first."))


def _invalidate(edition: Edition) -> None:
    """Data changed: the stored results no longer hold."""
    edition.results_set.all().delete()
    edition.area_summaries.all().delete()
    edition.results = {}
    edition.document = ""
    edition.state = EditionState.DRAFT
    edition.computed_at = None
    edition.save(update_fields=["results", "document", "state", "computed_at"])


@transaction.atomic
def set_participants(*, edition: Edition, clusters: Iterable[Cluster], by=None) -> None:
    _require_editable(edition)
    edition.clusters.set(list(clusters))
    _invalidate(edition)


def _clusters_by_name(names: Iterable[str], data: importing.DataFile) -> dict[str, Cluster]:
    wanted = set(names)
    found = {c.name: c for c in Cluster.objects.filter(name__in=wanted)}
    for row in data.rows:
        if row.cluster not in found:
            data.errors.append(
                importing.RowError(
                    row.row,
                    importing.CLUSTER_COLUMN,
                    row.cluster,
                    gettext_noop("no cluster has this exact name"),
                )
            )
    return found


def _raise_row_errors(errors: list) -> None:
    raise BenchmarkingError([error.format(_) for error in errors])


@transaction.atomic
def import_cluster_data(
    *, edition: Edition, source: Source, filename: str = "", by=None
) -> tuple[int, int]:
    """Coordinator data: one row per cluster. Replaces the values of the clusters in the file.

    The clusters named are added to the participants. Returns (clusters, values) written.
    """
    _require_editable(edition)
    framework = edition.framework.parsed
    data = importing.read_data(source, filename, indicators=framework.indicator_ids)
    if data.errors:
        _raise_row_errors(data.errors)
    found = _clusters_by_name((r.cluster for r in data.rows), data)
    if data.errors:
        _raise_row_errors(data.errors)
    clusters = [found[r.cluster] for r in data.rows]
    IndicatorValue.objects.filter(edition=edition, cluster__in=clusters).delete()
    values = [
        IndicatorValue(edition=edition, cluster=found[r.cluster], indicator=k, value=v)
        for r in data.rows
        for k, v in r.values.items()
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    edition.clusters.add(*clusters)
    _invalidate(edition)
    return len(clusters), len(values)


@transaction.atomic
def import_survey_answers(
    *, edition: Edition, source: Source, filename: str = "", by=None
) -> tuple[int, int]:
    """Member-survey answers, one row per respondent, aggregated to each cluster's mean.

    Columns: ``cluster`` and indicator ids whose source is ``member-survey``. Replaces the
    aggregates of the clusters in the file. Returns (clusters, respondents).
    """
    _require_editable(edition)
    framework = edition.framework.parsed
    survey_ids = [i.id for i in framework.indicators if i.source == "member-survey"]
    data = importing.read_data(source, filename, indicators=survey_ids, unique_clusters=False)
    if data.errors:
        _raise_row_errors(data.errors)
    found = _clusters_by_name((r.cluster for r in data.rows), data)
    if data.errors:
        _raise_row_errors(data.errors)
    aggregates = importing.aggregate_answers(data.rows, survey_ids)
    clusters = list({found[r.cluster].pk: found[r.cluster] for r in data.rows}.values())
    SurveyAggregate.objects.filter(edition=edition, cluster__in=clusters).delete()
    SurveyAggregate.objects.bulk_create(
        [
            SurveyAggregate(
                edition=edition,
                cluster=found[a.cluster],
                indicator=a.indicator,
                mean=a.mean,
                answers=a.answers,
            )
            for a in aggregates
        ],
        batch_size=2000,
    )
    edition.clusters.add(*clusters)
    _invalidate(edition)
    return len(clusters), len(data.rows)


def value_matrix(edition: Edition, clusters: list[Cluster]) -> np.ndarray:
    """Cluster x indicator values: the coordinator's, overridden by survey means; NaN missing."""
    framework = edition.framework.parsed
    column = {ind: j for j, ind in enumerate(framework.indicator_ids)}
    row = {c.pk: i for i, c in enumerate(clusters)}
    x = np.full((len(clusters), len(column)), np.nan)
    for model, field in ((IndicatorValue, "value"), (SurveyAggregate, "mean")):
        for cluster_id, indicator, value in model.objects.filter(edition=edition).values_list(
            "cluster_id", "indicator", field
        ):
            if cluster_id in row and indicator in column:
                x[row[cluster_id], column[indicator]] = value
    return x


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _previous_results(edition: Edition, clusters: list[Cluster]) -> dict[int, EditionResult]:
    """Each cluster's result in its latest earlier published edition of the same framework."""
    earlier = (
        EditionResult.objects.filter(
            cluster__in=clusters,
            edition__framework__rulebook_id=edition.framework.rulebook_id,
            edition__year__lt=edition.year,
            edition__state=EditionState.PUBLISHED,
        )
        .select_related("edition")
        .order_by("cluster_id", "-edition__year")
    )
    found: dict[int, EditionResult] = {}
    for result in earlier:
        found.setdefault(result.cluster_id, result)
    return found


def _change(now: str | None, before: str | None) -> str | None:
    if now is None or before is None:
        return None
    return str(Decimal(now) - Decimal(before))


@transaction.atomic
def compute_edition(*, edition: Edition, by=None) -> Edition:
    """Compute the composite results of the participants and store them (state computed)."""
    starts, target = TRANSITIONS["compute"]
    if edition.state not in starts:
        raise BenchmarkingError(_("A published edition cannot be computed again."))
    framework = edition.framework.parsed
    clusters = list(edition.clusters.order_by("name"))
    x = value_matrix(edition, clusters)
    try:
        result = compute(
            framework, [c.name for c in clusters], x, normalisation=edition.normalisation
        )
    except BenchmarkInputError as exc:
        raise BenchmarkingError([issue_text(e) for e in exc.errors]) from exc
    document = to_dict(result, framework, sha256=edition.framework.sha256)
    by_name = {entry["cluster"]: entry for entry in document["clusters"]}
    positions = competition_ranks(result.normalised)  # per indicator, 1 = best, 0 missing
    counts = (~np.isnan(result.normalised)).sum(axis=0)
    sub_medians = {
        s: format_score(float(np.nanmedian(col))) if (~np.isnan(col)).any() else None
        for s, col in zip(result.subarea_ids, result.subareas.T, strict=True)
    }
    previous = _previous_results(edition, clusters)
    edition.results_set.all().delete()
    edition.area_summaries.all().delete()
    rows = []
    for i, cluster in enumerate(clusters):
        entry = by_name[cluster.name]
        before = previous.get(cluster.pk)
        rows.append(
            EditionResult(
                edition=edition,
                cluster=cluster,
                areas=entry["areas"],
                subareas={
                    s: format_score(result.subareas[i, k]) for k, s in enumerate(result.subarea_ids)
                },
                overall=_decimal(entry["overall"]),
                rank=entry["rank"],
                missing=entry["missing"],
                indicators={
                    ind: {
                        "value": None if np.isnan(x[i, j]) else float(x[i, j]),
                        "position": int(positions[i, j]) or None,
                        "of": int(counts[j]),
                    }
                    for j, ind in enumerate(result.indicator_ids)
                },
                previous_year=before.edition.year if before else None,
                previous_areas=before.areas if before else {},
                change={
                    a: _change(entry["areas"][a], before.areas.get(a)) if before else None
                    for a in result.area_ids
                },
            )
        )
    EditionResult.objects.bulk_create(rows)
    summaries = []
    for k, area in enumerate(result.area_ids):
        column = result.areas[:, k][~np.isnan(result.areas[:, k])]
        q1, q3 = np.percentile(column, [25, 75]) if column.size else (np.nan, np.nan)
        summaries.append(
            AreaSummary(
                edition=edition,
                area=area,
                position=k,
                median=_decimal(document["areas"][area]["median"]),
                benchmark=_decimal(document["areas"][area]["benchmark"]),
                lower_quartile=_decimal(format_score(float(q1))),
                upper_quartile=_decimal(format_score(float(q3))),
            )
        )
    AreaSummary.objects.bulk_create(summaries)
    edition.results = {**document, "subarea_medians": sub_medians}
    edition.document = json.dumps(document, ensure_ascii=False)
    edition.state = target
    edition.computed_at = timezone.now()
    edition.save(update_fields=["results", "document", "state", "computed_at"])
    return edition


@transaction.atomic
def change_state(*, edition: Edition, action: str, by=None) -> Edition:
    """``publish`` or ``withdraw`` (``compute`` is :func:`compute_edition`)."""
    if action not in TRANSITIONS or action == "compute":
        raise BenchmarkingError(_("Unknown action."))
    starts, target = TRANSITIONS[action]
    if edition.state not in starts:
        raise BenchmarkingError(
            _("The edition is %(state)s: it cannot be changed that way.")
            % {"state": edition.get_state_display()}
        )
    edition.state = target
    edition.published_at = timezone.now() if target == EditionState.PUBLISHED else None
    edition.save(update_fields=["state", "published_at"])
    return edition


def report_for(*, edition: Edition, cluster: Cluster) -> ClusterReport:
    report, _created = ClusterReport.objects.get_or_create(edition=edition, cluster=cluster)
    return report


@transaction.atomic
def update_report_texts(
    *, edition: Edition, cluster: Cluster, good_practices: str, recommendations: str, by=None
) -> ClusterReport:
    report = report_for(edition=edition, cluster=cluster)
    report.good_practices = good_practices.strip()
    report.recommendations = recommendations.strip()
    report.texts_updated_at = timezone.now()
    report.save(update_fields=["good_practices", "recommendations", "texts_updated_at"])
    return report
