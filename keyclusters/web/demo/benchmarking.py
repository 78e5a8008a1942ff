"""Demo benchmarking: a published 2020 edition of 40 clusters, and the 2018 edition (the
framework of 2018, each cluster told its place in the general classification) that the 2020
reports compare with through the 2018 framework's declared mapping.

The values are random but plausible (seeded, so every demo is the same): each cluster has a
general strength that moves most of its indicators together. PDFs are not generated here; a
report's PDF is made the first time it is requested.
"""

from __future__ import annotations

import random

from keyclusters.accounts.models import User
from keyclusters.benchmarking import services
from keyclusters.benchmarking.models import Edition, IndicatorValue, SurveyAggregate
from keyclusters.domain.benchmarking import Framework
from keyclusters.domain.rulebook import shipped_rulebook_path
from keyclusters.registry.models import Cluster

SEED = 2020
PARTICIPANTS = 40
MISSING_SHARE = 0.02


def _value(rng: random.Random, unit: str, quality: float) -> float:
    """A value of an indicator in ``unit``; ``quality`` in [0, 1] moves it up."""
    q = min(max(quality + rng.gauss(0, 0.18), 0.0), 1.0)
    if unit == "%":
        return round(5 + 90 * q, 1)
    if unit == "1-5":
        return round(1.5 + 3.3 * q, 2)
    if unit == "0-1":
        return 1.0 if q > 0.45 else 0.0
    if unit in ("years", "days"):
        return round(1 + 20 * q, 1)
    if "PLN" in unit:
        return round(50 * (1 + 40 * q**2), 1)
    if unit == "FTE":
        return round(1 + 9 * q, 1)
    return float(round(30 * q**1.5))  # counts, per year and the rest


def _quality(cluster: Cluster, drift: float, rng: random.Random) -> float:
    """The cluster's general strength: its own (the same in every edition) plus a drift."""
    base = random.Random(SEED * 1000 + cluster.pk).betavariate(2.2, 2.2)
    return min(max(base + drift + rng.gauss(0, 0.05), 0.0), 1.0)


def _fill(
    edition: Edition,
    framework: Framework,
    clusters: list[Cluster],
    rng: random.Random,
    *,
    drift: float = 0.0,
) -> None:
    values, survey = [], []
    for cluster in clusters:
        quality = _quality(cluster, drift, rng)
        for indicator in framework.indicators:
            if rng.random() < MISSING_SHARE:
                continue
            # For "lower is better" a strong cluster has a low value.
            strength = quality if indicator.direction == "higher" else 1 - quality
            value = _value(rng, indicator.unit or "", strength)
            if indicator.source == "member-survey":
                survey.append(
                    SurveyAggregate(
                        edition=edition,
                        cluster=cluster,
                        indicator=indicator.id,
                        mean=value,
                        answers=rng.randint(6, 40),
                    )
                )
            else:
                values.append(
                    IndicatorValue(
                        edition=edition, cluster=cluster, indicator=indicator.id, value=value
                    )
                )
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    SurveyAggregate.objects.bulk_create(survey, batch_size=2000)


def build_benchmarking(*, clusters: list[Cluster], analyst: User) -> Edition:
    """Create the 2018 and 2020 editions (both published, computed) and return the 2020 one."""
    rng = random.Random(SEED)
    stored = services.store_framework(source=shipped_rulebook_path("parp-benchmark-2020"))
    stored_2018 = services.store_framework(source=shipped_rulebook_path("parp-benchmark-2018"))
    framework = stored.parsed
    participants = clusters[:PARTICIPANTS]
    # The 2018 framework publishes each cluster's place (its edition: block); the number comes
    # from there too. Contractor and financing are demo texts, not the edition's real ones.
    earlier = services.create_edition(
        framework=stored_2018,
        year=2018,
        name="Benchmarking klastrów 2018",
        clusters=participants[: PARTICIPANTS - 5],
        contractor="Zespół badawczy (dane demonstracyjne)",
        financing="Środki publiczne (dane demonstracyjne)",
        by=analyst,
    )
    _fill(earlier, stored_2018.parsed, list(earlier.clusters.all()), rng, drift=-0.04)
    services.compute_edition(edition=earlier, by=analyst)
    services.change_state(edition=earlier, action="publish", by=analyst)
    edition = services.create_edition(
        framework=stored,
        year=2020,
        name="Benchmarking klastrów 2020",
        clusters=participants,
        number=5,
        by=analyst,
    )
    _fill(edition, framework, participants, rng)
    services.compute_edition(edition=edition, by=analyst)
    if participants:
        services.update_report_texts(
            edition=edition,
            cluster=participants[0],
            good_practices=(
                "Koordynator prowadzi wspólne stoisko targowe członków i platformę wymiany "
                "ofert, z której korzysta większość przedsiębiorstw klastra."
            ),
            recommendations=(
                "Warto przygotować strategię internacjonalizacji i włączyć członków do "
                "międzynarodowych projektów badawczych."
            ),
            by=analyst,
        )
    services.change_state(edition=edition, action="publish", by=analyst)
    return edition
