"""Demo competition: the shipped rulebooks and the open round, with an application in every
state a call can hold while it is open (run by the round runner of ``keyclusters simulate``).

A decision is made per call, on the recommendation list of all its applications, which cannot
be prepared while some are still in evaluation; so the furthest an application of an open call
goes is ``evaluated`` (every stage done, waiting for the list). Decided applications are in the
finished round I (see :mod:`keyclusters.web.demo.rounds`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from keyclusters.accounts.models import User
from keyclusters.competitions import services
from keyclusters.competitions.models import Call, StoredRulebook
from keyclusters.domain.rulebook import (
    load_shipped_rulebook,
    shipped_rulebook_ids,
    shipped_rulebook_path,
)
from keyclusters.evaluation.models import Expert
from keyclusters.evaluation.simulation import run_round
from keyclusters.registry.models import Cluster

from .rounds import demo_actors, members_on, sheet
from .texts import add_justifications

MIN_MEMBERS = 51  # the eligibility condition of the 2021 rules
PANEL = ["panel-zielinska", "panel-lewandowski", "panel-mazur", "panel-jankowska"]


def store_rulebooks(*, operator: User) -> dict[str, StoredRulebook]:
    stored = {}
    for rulebook_id in (r for r in shipped_rulebook_ids() if r.startswith("kkk-")):
        source = shipped_rulebook_path(rulebook_id).read_text(encoding="utf-8")
        stored[rulebook_id] = services.store_rulebook(source=source, by=operator)
    return stored


def _data(
    cluster: Cluster, members: int, *, documents: Sequence[str] = ("strategy", "action_plan")
) -> dict:
    """The figures a coordinator declares: about 40-70 employees a member, some 300 thousand
    złoty of revenue an employee (the same for a cluster every time)."""
    rng = random.Random(cluster.name)
    employees = members * rng.randint(40, 70)
    return {
        "employees_members": employees,
        "revenue_members": employees * rng.randint(250, 380) * 1000,
        "export_share": rng.randint(18, 55),
        "rd_projects": rng.randint(4, 18),
        "patents": rng.randint(0, 9),
        **dict.fromkeys(documents, "present"),
    }


def _plan(rulebook) -> list[tuple[bool, dict]]:
    """(needs 51 members, scenario entry) per application after the coordinator's draft."""

    def merit(first: str, second: str, shares: tuple[float, float]) -> list[dict]:
        return [
            sheet(first, rulebook, "merit", shares[0], spread=0.04),
            sheet(second, rulebook, "merit", shares[1]),
        ]

    def panel(shares: Sequence[float], *, with_demo_panel: str | None) -> list[dict]:
        entries = [sheet(k, rulebook, "panel", s) for k, s in zip(PANEL, shares, strict=True)]
        if with_demo_panel == "open":
            entries.append({"expert": "panel"})
        elif with_demo_panel == "scored":
            entries.insert(0, sheet("panel", rulebook, "panel", 0.8))
        return entries

    return [
        (True, {"formal": {"result": "pending"}}),
        (False, {"formal": {"result": "pending"}}),
        (
            True,
            {
                "formal": {
                    "result": "completion",
                    "items": ["action_plan"],
                    "note": (
                        "Załączony plan działań klastra nie jest podpisany przez osoby "
                        "uprawnione do reprezentowania koordynatora i nie obejmuje harmonogramu "
                        "na trzeci rok. Prosimy o przesłanie pełnego planu z podpisami dwóch "
                        "członków zarządu."
                    ),
                }
            },
        ),
        (
            False,
            {
                "formal": {
                    "result": "failed",
                    "reasons": [
                        "Klaster liczy mniej niż 51 członków na dzień złożenia wniosku "
                        "(warunek § 4 ust. 2 regulaminu).",
                        "Do wniosku nie dołączono pełnomocnictwa osoby, która go podpisała.",
                    ],
                }
            },
        ),
        # the experts diverge (more than 30 % of the 80 points apart): a third is assigned
        (True, {"scores": {"merit": merit("ekspert-nowak", "ekspert-wisniewski", (0.85, 0.4))}}),
        # one sheet in, the demo expert's still to come
        (
            True,
            {
                "scores": {
                    "merit": [
                        sheet("ekspert-kowalczyk", rulebook, "merit", 0.75),
                        {"expert": "expert"},
                    ]
                }
            },
        ),
        # below the gate of 48 points
        (True, {"scores": {"merit": merit("ekspert-wojcik", "ekspert-kaminska", (0.5, 0.45))}}),
        # at the Expert Panel: four members have scored, the demo panel member has not
        (
            True,
            {
                "scores": {
                    "merit": merit("ekspert-dabrowski", "ekspert-szymanska", (0.8, 0.76)),
                    "panel": panel((0.7, 0.8, 0.75, 0.85), with_demo_panel="open"),
                }
            },
        ),
        (
            True,
            {
                "scores": {
                    "merit": merit("ekspert-wozniak", "ekspert-kozlowski", (0.72, 0.7)),
                    "panel": panel((0.6, 0.65, 0.7, 0.6), with_demo_panel="open"),
                }
            },
        ),
        # every stage done: evaluated, waiting for the recommendation list
        (
            True,
            {
                "scores": {
                    "merit": merit("ekspert-nowak", "ekspert-kaminska", (0.9, 0.86)),
                    "panel": panel((0.9, 0.85, 0.8, 0.9), with_demo_panel="scored"),
                }
            },
        ),
    ]


def build_open_round(
    *,
    clusters: Sequence[Cluster],
    exclude: set[int],
    operator: User,
    coordinator: User,
    experts: dict[str, Expert],
    today: dt.date,
) -> Call:
    """Round IX on the 2021 rules, open for 60 more days. ``clusters[0]`` (the demo
    coordinator's) has a draft; the others that apply are not in ``exclude`` (clusters
    holding a status or in another round's list)."""
    rulebook = load_shipped_rulebook("kkk-2021")
    opens = today - dt.timedelta(days=28)
    members = members_on(opens)
    free = [c for c in clusters[1:] if c.pk not in exclude]
    eligible = [c for c in free if members[c.pk] >= MIN_MEMBERS]
    small = [c for c in free if members[c.pk] < MIN_MEMBERS]
    plan = _plan(rulebook)
    wanted = sum(1 for big, _spec in plan if big)
    if len(eligible) < wanted or len(small) < len(plan) - wanted:
        raise ValueError("the open round needs more clusters without a status")
    applicants = [clusters[0]]
    specs: list[dict] = [
        {
            "submit": False,
            "data": _data(clusters[0], members[clusters[0].pk], documents=["strategy"]),
        }
    ]
    for big, spec in plan:
        cluster = (eligible if big else small).pop(0)
        applicants.append(cluster)
        specs.append({**spec, "data": _data(cluster, members[cluster.pk])})
    data = {
        "rulebook": "kkk-2021",
        "call": {
            "name": "Runda IX – konkurs o status Krajowego Klastra Kluczowego",
            "round": "IX",
            "opens": opens,
            "closes": today + dt.timedelta(days=60),
            "decision_on": today + dt.timedelta(days=120),
        },
        "applications": specs,
    }
    add_justifications(data, applicants, rulebook, opens)
    actors = demo_actors(
        clusters=applicants,
        operator=operator,
        minister=operator,
        experts=experts,
        coordinator=coordinator,
    )
    return run_round(data, actors, until="open").call
