"""Writes scenarios/round-2019.yaml with its expected results (rulebook kkk-2019).

The expected points are computed here with exact fractions from the rulebook's stated rules
(merit: the mean of two experts per criterion, a gate of at least 60; Panel: the median of five
experts per criterion; granted with at least 100 of 140), independently of keyclusters' code.
Run: .venv/bin/python scenarios/generate_round_2019.py
"""

from scenario_arithmetic import (
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

BOOK = rulebook("kkk-2019")
MERIT, PANEL = criteria(BOOK, "merit"), criteria(BOOK, "panel")
DOCS = {"strategy": "present", "action_plan": "present"}
DECISION_ON = "2019-08-28"
# 3 years from the decision, through the anniversary (validity ends: anniversary)
VALID = {"valid_from": "2019-08-28", "valid_to": "2022-08-28"}

# name, years active, members, merit totals of the two experts, Panel totals of five experts
SCORED = [
    ("Klaster Kolejowy Wielkopolski", 7, 86, [84, 82], [34, 35, 33, 36, 34]),
    ("Klaster Medycyny Cyfrowej", 5, 64, [78, 80.5], [31, 33, 32, 30, 32]),
    ("Klaster Materiałów Kompozytowych", 4, 58, [74, 71], [29, 30, 31, 28, 30]),
    ("Klaster Elektromobilności Śląska", 6, 71, [66, 63], [27, 26, 28, 25, 27]),
    ("Klaster Turystyki Zdrowotnej", 3, 52, [55, 58.5], None),
]
# fails the eligibility rule min_members (at least 51 members)
FORMAL_FAIL = ("Klaster Rzemiosła Kaszubskiego", 6, 40)
MIN_MEMBERS = next(r for r in BOOK["eligibility"] if r["id"] == "min_members")


def sheets(prefix, totals, stage_criteria, offset):
    return [
        {
            "expert": f"{prefix}{(offset + k) % len(totals) + 1}",
            "criteria": split(t, stage_criteria),
        }
        for k, t in enumerate(totals)
    ]


apps, scored = [], []
for i, (name, years, members, merit, panel) in enumerate(SCORED):
    scores = {"merit": sheets("e", merit, MERIT, i)}
    merit_points = rounded(per_criterion(mean, [s["criteria"] for s in scores["merit"]]))
    stages = {
        "formal": {"result": "passed", "reasons": []},
        "merit": {
            "result": "passed" if merit_points >= 60 else "failed",
            "points": dec(merit_points),
            "max": "100",
        },
    }
    total = merit_points
    if merit_points >= 60:
        scores["panel"] = [
            {"expert": f"p{k + 1}", "criteria": split(t, PANEL)} for k, t in enumerate(panel)
        ]
        panel_points = rounded(per_criterion(median, [s["criteria"] for s in scores["panel"]]))
        stages["panel"] = {"result": "passed", "points": dec(panel_points), "max": "40"}
        total += panel_points
    else:
        stages["panel"] = {"result": "not-reached"}
    data = {"years_active": years, "members_total": members, **DOCS}
    apps.append({"cluster": name, "data": data, "scores": scores})
    scored.append((name, total, "panel" in scores, stages))

name, years, members = FORMAL_FAIL
apps.append({"cluster": name, "data": {"years_active": years, "members_total": members, **DOCS}})

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
    rows.append(row)
rows.append(
    {
        "cluster": FORMAL_FAIL[0],
        "stages": {
            "formal": {
                "result": "failed",
                "reasons": [MIN_MEMBERS["message"]["en"]],
                "reason_ids": ["min_members"],
            },
            "merit": {"result": "not-reached"},
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
    "rulebook": "kkk-2019",
    "call": {
        "name": "Runda IV (2019) – model",
        "round": "IV",
        "opens": "2019-04-01",
        "closes": "2019-05-31",
        "decision_on": DECISION_ON,
    },
    "applications": apps,
    "expected": {
        "funnel": [
            {"stage": "formal", "entered": len(apps), "passed": len(SCORED)},
            {"stage": "merit", "entered": len(SCORED), "passed": passed_merit},
            {"stage": "panel", "entered": passed_merit, "passed": passed_merit},
        ],
        "granted": sum(1 for r in rows if r["decision"] == "granted"),
        "applications": rows,
    },
}
HEADER = """# A round modelled on round IV of the competition for the key cluster status (2019).
# Official (public reports; docs/domain.md "Rounds as run"): the stages formal, merit, Expert
# Panel; at least 100 points to be granted; the list signed by the chair of the evaluation
# commission, then approved by the minister on 28 August 2019; the status valid "until
# 28.08.2022", i.e. through the third anniversary of the decision.
# Made up: the clusters, their figures and scores, the call's dates, the number of applications
# (the round granted 11 statuses; here 6 applications, 3 granted), the criteria and their points
# (kkk-2019 marks them illustrative), the chair (the simulation seats one).
# `expected` is what `keyclusters simulate` must report (computed with exact fractions by
# scenarios/generate_round_2019.py, independently of the application).
"""
write("scenarios/round-2019.yaml", HEADER, document)
print([(r["cluster"][:24], r["total"], r["rank"], r["decision"]) for r in rows])
