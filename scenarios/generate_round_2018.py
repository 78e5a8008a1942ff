"""Writes scenarios/round-2018.yaml with its expected results (rulebook kkk-2018).

The expected results are computed here with exact fractions from the rulebook's stated rules,
independently of keyclusters' code: only clusters whose status ends in 2018 may apply (checked
again at the formal stage); stage I is pass-fail, passed when both experts mark every criterion
met (all-pass, no points); stage II, parametric, is the mean of two experts per criterion;
stage III, the Panel, the median of five experts per criterion; granted with at least 100 of
140; valid 3 years from the decision through the day before the anniversary; a grant renews the
cluster's earlier one when at most 365 days without a status lie between them.
Run: .venv/bin/python scenarios/generate_round_2018.py
"""

import datetime as dt

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

BOOK = rulebook("kkk-2018")
MERIT = [cid for cid, _max in criteria(BOOK, "merit")]
PARAMETRIC, PANEL = criteria(BOOK, "parametric"), criteria(BOOK, "panel")
DECISION_ON = dt.date(2018, 12, 10)
VALID = {"valid_from": "2018-12-10", "valid_to": "2021-12-09"}
RENEWAL_WINDOW_DAYS = 365
ROUND_I = {"valid_from": "2015-09-23", "valid_to": "2018-09-22"}  # scenarios/round-2015.yaml
DOCS = {"strategy": "present", "action_plan": "present"}
FIGURES = {
    "coordinator_staff": 4,
    "shared_infrastructure": 6,
    "own_funding_share": 35,
    "export_share": 30,
    "rd_projects": 12,
    "patents": 4,
    "policy_initiatives": 3,
    "member_services": 70,
}

# the seven holders of round I (their statuses end on 22 September 2018): name, years active,
# members, the merit experts' marks (None: every criterion met; else the criterion one expert
# marks not met), the parametric totals of two experts, the Panel totals of five
HOLDERS = [
    ("Klaster Lotniczy Doliny Wisłoki", 8, 96, None, [92, 92], [36, 35, 37, 36, 36]),
    ("Klaster Technologii Informacyjnych Pomorza", 7, 88, None, [84, 86], [33, 34, 32, 33, 35]),
    ("Klaster Motoryzacyjny Mazowsza", 9, 102, None, [78, 75], [30, 31, 29, 30, 32]),
    ("Klaster Chemii Ekologicznej", 6, 70, None, [70, 73], [29, 30, 31, 28, 30]),
    ("Klaster Meblarski Wielkopolski", 7, 64, None, [66, 62], [27, 26, 28, 25, 27]),
    ("Klaster Metalowy Śląska", 6, 58, "knowledge_met", None, None),
    ("Klaster Energii Odnawialnej", 9, 81, "customers_met", None, None),
]
# applied on a status entered in the registry in error, withdrawn from its first day after the
# submission: at the formal stage the cluster holds no status
NON_HOLDER = ("Klaster Aplikacji Mobilnych", 5, 60)
NEVER_HELD = "The call is open only to clusters holding the status; this cluster holds none."


def renewal_of(valid_from):
    ends = dt.date.fromisoformat(ROUND_I["valid_to"])
    return dict(ROUND_I) if (valid_from - ends).days - 1 <= RENEWAL_WINDOW_DAYS else None


def data_of(years, members):
    return {"years_active": years, "members_total": members, **FIGURES, **DOCS}


statuses = [{"cluster": name, "type": "kkk", **ROUND_I, "round": "I"} for name, *_ in HOLDERS]
statuses.append(
    {
        "cluster": NON_HOLDER[0],
        "type": "kkk",
        **ROUND_I,
        "round": "I",
        "withdrawn_on": ROUND_I["valid_from"],
        "reason": "Entered in the registry in error: the cluster was not granted the status.",
    }
)
apps, scored = [], []
for i, (name, years, members, not_met, parametric, panel) in enumerate(HOLDERS):
    marks = dict.fromkeys(MERIT, True)
    scores = {
        "merit": [
            {"expert": "e1", "criteria": dict(marks)},
            {"expert": "e2", "criteria": {**marks, **({not_met: False} if not_met else {})}},
        ]
    }
    stages = {
        "formal": {"result": "passed", "reasons": []},
        "merit": {"result": "failed" if not_met else "passed"},
    }
    total = 0
    if not not_met:
        scores["parametric"] = [
            {"expert": f"x{(i + k) % 3 + 1}", "criteria": split(t, PARAMETRIC)}
            for k, t in enumerate(parametric)
        ]
        scores["panel"] = [
            {"expert": f"p{k + 1}", "criteria": split(t, PANEL)} for k, t in enumerate(panel)
        ]
        points = rounded(per_criterion(mean, [s["criteria"] for s in scores["parametric"]]))
        panel_points = rounded(per_criterion(median, [s["criteria"] for s in scores["panel"]]))
        stages["parametric"] = {"result": "passed", "points": dec(points), "max": "100"}
        stages["panel"] = {"result": "passed", "points": dec(panel_points), "max": "40"}
        total = points + panel_points
    else:
        stages["parametric"] = {"result": "not-reached"}
        stages["panel"] = {"result": "not-reached"}
    apps.append({"cluster": name, "data": data_of(years, members), "scores": scores})
    scored.append((name, total, not not_met, stages))
apps.append({"cluster": NON_HOLDER[0], "data": data_of(NON_HOLDER[1], NON_HOLDER[2])})

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
        renewed = renewal_of(DECISION_ON)
        if renewed:
            row["status"]["renewal_of"] = renewed
    rows.append(row)
rows.append(
    {
        "cluster": NON_HOLDER[0],
        "stages": {
            "formal": {"result": "failed", "reasons": [NEVER_HELD], "reason_ids": ["not-a-holder"]},
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
passed_merit = len(completed)
document = {
    "rulebook": "kkk-2018",
    "statuses": statuses,
    "call": {
        "name": "Runda III (2018) – model",
        "round": "III",
        "opens": "2018-07-13",
        "closes": "2018-09-27",
        "decision_on": DECISION_ON.isoformat(),
    },
    "applications": apps,
    "expected": {
        "funnel": [
            {"stage": "formal", "entered": len(apps), "passed": len(HOLDERS)},
            {"stage": "merit", "entered": len(HOLDERS), "passed": passed_merit},
            {"stage": "parametric", "entered": passed_merit, "passed": passed_merit},
            {"stage": "panel", "entered": passed_merit, "passed": passed_merit},
        ],
        "granted": sum(1 for r in rows if r["decision"] == "granted"),
        "applications": rows,
    },
}
HEADER = """# A round modelled on round III of the competition for the key cluster status (2018).
# Official (public reports; docs/domain.md "Rounds as run"): a call only for clusters whose status
# expired in 2018, applications 13 July - 27 September 2018; stage I merit, pass/fail ("meets all
# criteria"); stage II parametric, scored by two independent external experts; stage III the
# presentation before the Expert Panel; the maximum of 140; the best result 128/140; 4 of 7
# clusters renewed; the status valid 3 years.
# Made up: the clusters (the seven holders are round I's seven of scenarios/round-2015.yaml, their
# statuses 23.09.2015 - 22.09.2018), their figures, marks and scores, which two fail stage I; the
# eighth applicant, whose status was entered in the registry in error and withdrawn from its first
# day after it applied (so at the formal stage it holds none and is refused, not-a-holder); the
# decision's date (10 December 2018; the certificates were handed over on 17 December); the
# criteria, points, the threshold of 100 and the validity's first and last day (kkk-2018 marks
# them illustrative).
# `expected` is what `keyclusters simulate` must report (computed with exact fractions by
# scenarios/generate_round_2018.py, independently of the application).
"""
write("scenarios/round-2018.yaml", HEADER, document)
print([(r["cluster"][:24], r["total"], r["rank"], r["decision"]) for r in rows])
