"""Demo rounds, run by the same round runner as ``keyclusters simulate``
(:func:`keyclusters.evaluation.simulation.run_round`) with the demo's clusters and experts:

- round I (2015), finished: the scenario ``scenarios/round-2015.yaml`` (23 applications, 10 pass
  the formal stage, 8 the first merit stage, 7 are granted the status);
- round VIII, closed, its recommendation list waiting for the minister's approval.

The open round is in :mod:`keyclusters.web.demo.competitions`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Call
from keyclusters.domain.rulebook import load_shipped_rulebook
from keyclusters.evaluation.models import Expert
from keyclusters.evaluation.selectors import current_recommendation
from keyclusters.evaluation.simulation import RoundActors, load_scenario, run_round
from keyclusters.registry.models import Cluster
from keyclusters.statuses.models import StatusGrant

from .names import person
from .texts import add_justifications

ROUND_2015 = settings.BASE_DIR / "scenarios" / "round-2015.yaml"
# the scenario's experts (first merit stage e1-e6, second s1-s4) played by the demo's
EXPERTS_2015 = {
    "e1": "expert",
    "e2": "ekspert-nowak",
    "e3": "ekspert-wisniewski",
    "e4": "ekspert-kowalczyk",
    "e5": "ekspert-wojcik",
    "e6": "ekspert-kaminska",
    "s1": "ekspert-dabrowski",
    "s2": "ekspert-szymanska",
    "s3": "ekspert-wozniak",
    "s4": "ekspert-kozlowski",
}
DOCUMENTS_2015 = dict.fromkeys(
    ("history", "strategy", "action_plan", "critical_mass", "geographic_concentration"), "present"
)


def coordinator_of(cluster: Cluster) -> User:
    """A staff member of the cluster's coordinator (no e-mail: the demo sends no messages).

    A cluster whose coordinator changed has a second account, of the new coordinator
    (``coordinator-<cluster>-<organisation>``): the first one stays with the organisation that
    coordinated before."""
    username = f"coordinator-{cluster.pk}"
    earlier = User.objects.filter(username=username).values_list("organisation_id", flat=True)
    seed = cluster.name
    if earlier and earlier[0] != cluster.coordinator_id:
        username = f"{username}-{cluster.coordinator_id}"
        seed = f"{cluster.name}:{cluster.coordinator_id}"
    first_name, last_name = person(random.Random(seed))
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "organisation": cluster.coordinator,
            "email": "",
            "is_active": False,
            "first_name": first_name,
            "last_name": last_name,
        },
    )
    if created:  # an account that existed before is left as it was
        user.groups.add(Group.objects.get(name="coordinator"))
    return user


def demo_actors(
    *,
    clusters: Sequence[Cluster],
    operator: User,
    minister: User,
    experts: dict[str, Expert],
    coordinator: User | None = None,
    expert_keys: dict[str, str] | None = None,
) -> RoundActors:
    """The scenario's application ``i`` is ``clusters[i]``'s; an expert key is a demo username
    (or mapped to one by ``expert_keys``). ``coordinator`` applies for their own cluster."""

    def cluster_of(index: int, spec: dict[str, Any], on: dt.date) -> Cluster:
        return clusters[index]

    def applicant(index: int, cluster: Cluster) -> User:
        if coordinator is not None and coordinator.organisation_id == cluster.coordinator_id:
            return coordinator
        return coordinator_of(cluster)

    def expert(key: str, role: str) -> Expert:
        return experts[(expert_keys or {}).get(key, key)]

    return RoundActors(
        operator=operator,
        minister=minister,
        cluster=cluster_of,
        coordinator=applicant,
        expert=expert,
        replaced_reason=(
            "Zastąpiony ekspertem o specjalizacji zgodnej z profilem klastra, wskazanym przez "
            "operatora."
        ),
    )


def members_on(day: dt.date) -> dict[int, int]:
    return dict(Cluster.objects.with_member_counts(day).values_list("pk", "member_count"))


def round_one_applicants(clusters: Sequence[Cluster], count: int) -> list[Cluster]:
    """The clusters of round I: those that existed in 2015, the largest first (the scenario's
    applications come strongest first), never the demo coordinator's ``clusters[0]``."""
    day = dt.date(2015, 3, 2)
    members = members_on(day)
    chosen = sorted(clusters[1:], key=lambda c: (c.founded_on >= day, -members[c.pk], c.pk))
    if len(chosen) < count:
        raise ValueError(f"round I needs {count + 1} clusters")
    return chosen[:count]


def build_finished_round(
    *, clusters: Sequence[Cluster], operator: User, minister: User, experts: dict[str, Expert]
) -> Call:
    """Round I (2015): applied, evaluated, ranked and approved by the minister; the 7 status
    grants of 23 September 2015 are made by the decision."""
    data = load_scenario(ROUND_2015)
    data["call"] = {**data["call"], "name": "Runda I (2015)", "round": "I"}
    applicants = round_one_applicants(clusters, len(data["applications"]))
    add_justifications(
        data,
        applicants,
        load_shipped_rulebook("kkk-2015"),
        dt.date.fromisoformat(data["call"]["opens"]),
    )
    actors = demo_actors(
        clusters=applicants,
        operator=operator,
        minister=minister,
        experts=experts,
        expert_keys=EXPERTS_2015,
    )
    return run_round(data, actors, until="decided").call


def ranked_grants(call: Call) -> list[StatusGrant]:
    """The status grants a decided call made, in the order of its recommendation list."""
    recommendation = current_recommendation(call)
    rank = {row["application"]: row["rank"] for row in recommendation.outcomes}
    return sorted(call.status_grants.all(), key=lambda g: rank[g.application_id])


def sheet(expert: str, rulebook, stage: str, share: float, *, spread: float = 0.0) -> dict:
    """A score-sheet entry of a scenario: every criterion of ``stage`` at about ``share`` of
    its maximum (``spread`` moves the criteria apart), to half a point; the justifications are
    written by :func:`keyclusters.web.demo.texts.add_justifications`."""
    points = {}
    for index, (_area, criterion) in enumerate(rulebook.criteria(stage=stage)):
        wanted = Decimal(str(share + spread * (1 if index % 2 else -1))) * criterion.max
        value = (wanted * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
        points[criterion.id] = str(min(max(value, Decimal(0)), criterion.max))
    return {"expert": expert, "criteria": points}


def build_pending_round(
    *,
    clusters: Sequence[Cluster],
    operator: User,
    minister: User,
    experts: dict[str, Expert],
    today: dt.date,
) -> Call:
    """Round VIII (on the 2015 rules): closed and evaluated; the recommendation list of its
    five applications (two recommended) waits for the minister."""
    if len(clusters) < 5:
        raise ValueError("the pending round needs 5 clusters")
    rulebook = load_shipped_rulebook("kkk-2015")

    def scored(first: tuple[float, float], second: tuple[float, float, float] | None) -> dict:
        merit = {
            "merit_first": [
                sheet("ekspert-dabrowski", rulebook, "merit_first", first[0], spread=0.03),
                sheet("ekspert-szymanska", rulebook, "merit_first", first[1]),
            ]
        }
        if second is not None:
            merit["merit_second"] = [
                sheet(key, rulebook, "merit_second", share)
                for key, share in zip(
                    ("expert", "ekspert-wozniak", "ekspert-kozlowski"), second, strict=True
                )
            ]
        return {"data": DOCUMENTS_2015, "scores": merit}

    data = {
        "rulebook": "kkk-2015",
        "call": {
            "name": "Runda VIII – konkurs o status Krajowego Klastra Kluczowego",
            "round": "VIII",
            "opens": today - dt.timedelta(days=150),
            "closes": today - dt.timedelta(days=90),
            "decision_on": today + dt.timedelta(days=14),
        },
        "applications": [
            scored((0.88, 0.84), (0.82, 0.78, 0.8)),
            scored((0.78, 0.74), (0.62, 0.6, 0.58)),
            scored((0.72, 0.68), (0.5, 0.48, 0.52)),
            scored((0.5, 0.55), None),
            {
                "data": DOCUMENTS_2015,
                "formal": {
                    "result": "failed",
                    "reasons": [
                        "Wniosek podpisała osoba bez pełnomocnictwa do reprezentowania "
                        "koordynatora (w KRS wymagane są podpisy dwóch członków zarządu łącznie)."
                    ],
                },
            },
        ],
    }
    add_justifications(data, clusters, rulebook, data["call"]["opens"])
    actors = demo_actors(clusters=clusters, operator=operator, minister=minister, experts=experts)
    return run_round(data, actors, until="recommended").call
