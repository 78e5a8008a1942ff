"""Writes scenarios/round-2021.yaml with its expected results (rulebook kkk-2021).

The expected points are computed here with exact fractions from the rulebook's stated rules
(merit: the mean of two experts per criterion, a gate of at least 48; parametric: the bracket
each figure reaches; Panel: the median of five experts per criterion; granted with at least 100
of 140, valid until 31.12.2024), independently of keyclusters' code. A grant renews a cluster's
earlier one when at most 365 days without a status lie between them (docs/verification.md).
Run: .venv/bin/python scenarios/generate_round_2021.py
"""

import datetime as dt
from fractions import Fraction as F

from scenario_arithmetic import (
    bracket_points,
    criteria,
    dec,
    mean,
    median,
    per_criterion,
    rounded,
    rulebook,
    split,
    write,
)

BOOK = rulebook("kkk-2021")
MERIT, PANEL = criteria(BOOK, "merit"), criteria(BOOK, "panel")
PARAMETRIC = [c for area in BOOK["areas"] for c in area["criteria"] if c["stage"] == "parametric"]
DOCS = {"strategy": "present", "action_plan": "present"}
DECISION_ON = dt.date(2021, 12, 20)
VALID = {"valid_from": DECISION_ON.isoformat(), "valid_to": "2024-12-31"}
RENEWAL_WINDOW_DAYS = 365

# the statuses held before the call: a round II holder (21.10.2016 - 31.10.2019, the dates the
# reports give for one round II holder) and a round IV holder (28.08.2019 - 28.08.2022)
STATUSES = [
    {"cluster": "Klaster Inteligentnych Sieci Energetycznych", "type": "kkk",
     "valid_from": "2016-10-21", "valid_to": "2019-10-31", "round": "II"},
    {"cluster": "Klaster Kolejowy Wielkopolski", "type": "kkk",
     "valid_from": "2019-08-28", "valid_to": "2022-08-28", "round": "IV"},
]  # fmt: skip

# name, registry figures (years, members, enterprises %), the applicant's figures, merit totals
# of two experts, Panel totals of five
APPLICATIONS = [
    ("Klaster Inteligentnych Sieci Energetycznych", (9, 200, 90),
     {"export_share": 45, "rd_projects": 70, "patents": 25}, [78, 78], [28, 27.5, 28.5, 28, 28]),
    ("Klaster Kolejowy Wielkopolski", (9, 120, 80),
     {"export_share": 30, "rd_projects": 20, "patents": 7}, [70, 68], [25, 24, 26, 25, 24.5]),
    ("Klaster Gospodarki Wodorowej", (4, 75, 70),
     {"export_share": 20, "rd_projects": 12, "patents": 2}, [64, 67], [22, 23, 21, 22, 24]),
    ("Klaster Przemysłu Drzewnego", (6, 60, 60),
     {"export_share": 12, "rd_projects": 4, "patents": 1}, [58, 55], [20, 19, 21, 18, 20]),
    ("Klaster Usług Logistycznych", (5, 55, 70),
     {"export_share": 8, "rd_projects": 2, "patents": 0}, [44, 47], None),
]  # fmt: skip
# operates for less than 3 years: fails the eligibility rule min_years
FORMAL_FAIL = ("Klaster Druku 3D", (2, 58, 80), {"export_share": 5, "rd_projects": 3, "patents": 1})
MIN_YEARS = next(r for r in BOOK["eligibility"] if r["id"] == "min_years")


def enterprises(members, share):
    """The registry's share: the coordinator and round(share x the other members) enterprises
    among ``members`` (the coordinator is a business-support organisation)."""
    count = F(share, 100) * (members - 1)
    whole = int(count + F(1, 2))  # the counts used here never fall on a half
    return F(whole * 100, members)


def parametric(figures, members, share):
    values = {
        "members_total": F(members),
        "enterprises_share": enterprises(members, share),
        **{k: F(v) for k, v in figures.items()},
    }
    total = F(0)
    for criterion in PARAMETRIC:
        value = values[criterion["field"]]
        if "per" in criterion:
            value = value / values[criterion["per"]]
        total += bracket_points(criterion["brackets"], value)
    return total


def renewal_of(cluster, valid_from):
    """The earlier status a grant starting on ``valid_from`` renews (ended at most 365 days
    without a status before it), as the report writes it."""
    earlier = [s for s in STATUSES if s["cluster"] == cluster]
    for status in earlier:
        ends = dt.date.fromisoformat(status["valid_to"])
        if max(0, (valid_from - ends).days - 1) <= RENEWAL_WINDOW_DAYS:
            return {"valid_from": status["valid_from"], "valid_to": status["valid_to"]}
    return None


def data_of(registry, figures):
    years, members, share = registry
    return {
        "years_active": years,
        "members_total": members,
        "enterprises_share": share,
        **figures,
        **DOCS,
    }


apps, scored = [], []
for i, (name, registry, figures, merit, panel) in enumerate(APPLICATIONS):
    scores = {
        "merit": [
            {"expert": f"e{(i + k) % 4 + 1}", "criteria": split(t, MERIT)}
            for k, t in enumerate(merit)
        ]
    }
    merit_points = rounded(per_criterion(mean, [s["criteria"] for s in scores["merit"]]))
    stages = {
        "formal": {"result": "passed", "reasons": []},
        "merit": {
            "result": "passed" if merit_points >= 48 else "failed",
            "points": dec(merit_points),
            "max": "80",
        },
    }
    total = merit_points
    if merit_points >= 48:
        points = rounded(parametric(figures, registry[1], registry[2]))
        stages["parametric"] = {"result": "passed", "points": dec(points), "max": "30"}
        scores["panel"] = [
            {"expert": f"p{k + 1}", "criteria": split(t, PANEL)} for k, t in enumerate(panel)
        ]
        panel_points = rounded(per_criterion(median, [s["criteria"] for s in scores["panel"]]))
        stages["panel"] = {"result": "passed", "points": dec(panel_points), "max": "30"}
        total += points + panel_points
    else:
        stages["parametric"] = {"result": "not-reached"}
        stages["panel"] = {"result": "not-reached"}
    apps.append({"cluster": name, "data": data_of(registry, figures), "scores": scores})
    scored.append((name, total, "panel" in scores, stages))
apps.append({"cluster": FORMAL_FAIL[0], "data": data_of(FORMAL_FAIL[1], FORMAL_FAIL[2])})

completed = sorted([s for s in scored if s[2]], key=lambda s: -s[1])
rank = {s[0]: i + 1 for i, s in enumerate(completed)}
rows = []
for name, total, complete, stages in completed + [s for s in scored if not s[2]]:
    decision = ("granted" if total >= 100 else "not-granted") if complete else "rejected-gate"
    row = {
        "cluster": name,
        "stages": stages,
        "total": dec(total),
        "max": "140",
        "rank": rank.get(name),
        "decision": decision,
    }
    if decision == "granted":
        row["status"] = dict(VALID)
        renewed = renewal_of(name, DECISION_ON)
        if renewed:
            row["status"]["renewal_of"] = renewed
    rows.append(row)
rows.append(
    {
        "cluster": FORMAL_FAIL[0],
        "stages": {
            "formal": {
                "result": "failed",
                "reasons": [MIN_YEARS["message"]["en"]],
                "reason_ids": ["min_years"],
            },
            "merit": {"result": "not-reached"},
            "parametric": {"result": "not-reached"},
            "panel": {"result": "not-reached"},
        },
        "total": "0.00",
        "max": "140",
        "rank": None,
        "decision": "rejected-formal",
    }
)
passed_merit = sum(1 for s in scored if s[2])
document = {
    "rulebook": "kkk-2021",
    "statuses": STATUSES,
    "call": {
        "name": "Runda V (2021) – model",
        "round": "V",
        "opens": "2021-05-31",
        "closes": "2021-09-13",
        "decision_on": DECISION_ON.isoformat(),
    },
    "applications": apps,
    "expected": {
        "funnel": [
            {"stage": "formal", "entered": len(apps), "passed": len(APPLICATIONS)},
            {"stage": "merit", "entered": len(APPLICATIONS), "passed": passed_merit},
            {"stage": "parametric", "entered": passed_merit, "passed": passed_merit},
            {"stage": "panel", "entered": passed_merit, "passed": passed_merit},
        ],
        "granted": sum(1 for r in rows if r["decision"] == "granted"),
        "applications": rows,
    },
}
HEADER = """# A round modelled on round V of the competition for the key cluster status (2021).
# Official (public reports; docs/domain.md "Rounds as run"): applications 31 May - 13 September
# 2021; at least 3 years of activity and 51 members; the maximum of 140; a cluster applying
# again scored 136/140; the status valid until 31 December 2024; round II's 21.10.2016 -
# 31.10.2019 (one holder's status).
# Made up: the clusters, their figures and scores, the decision's date (20 December 2021), the
# number of applications (the round granted 8 statuses; here 6 applications, 3 granted), the
# criteria, points, brackets and the threshold of 100 (kkk-2021 marks them illustrative), and the
# round IV holder. The 136/140 cluster held the round II status; the reports call it a renewal,
# but its status ended more than 365 days before the new one starts, so keyclusters records a new
# status (no `renewal_of`); the round IV holder's new status continues its current one.
# `expected` is what `keyclusters simulate` must report (computed with exact fractions by
# scenarios/generate_round_2021.py, independently of the application).
"""
write("scenarios/round-2021.yaml", HEADER, document)
print([(r["cluster"][:24], r["total"], r["rank"], r["decision"], r.get("status")) for r in rows])
