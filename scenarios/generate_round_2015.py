"""Writes scenarios/round-2015.yaml with its expected results.

The expected points are computed here with exact fractions (the mean of the experts' totals of
a stage equals the sum of the per-criterion means), independently of keyclusters' code.
Run: .venv/bin/python scenarios/generate_round_2015.py
"""

from fractions import Fraction as F

import yaml

FIRST = [
    ("organisational_structure", 12),
    ("economic_potential", 14),
    ("economic_importance", 12),
    ("strategy", 12),
    ("innovativeness", 14),
    ("internationalisation", 12),
    ("cooperation_intensity", 14),
    ("cluster_management", 10),
]
SECOND = [
    ("critical_mass_assessment", 12),
    ("development_assessment", 14),
    ("cooperation_assessment", 12),
    ("coordinator_assessment", 12),
]


def split(total, criteria):
    total = F(str(total))
    mx = sum(m for _, m in criteria)
    pts = []
    for cid, m in criteria:
        v = (total * m / mx * 2).__floor__() / F(2)
        pts.append([cid, v, m])
    rest = total - sum(p[1] for p in pts)
    i = 0
    while rest > 0:
        if pts[i % len(pts)][1] + F(1, 2) <= pts[i % len(pts)][2]:
            pts[i % len(pts)][1] += F(1, 2)
            rest -= F(1, 2)
        i += 1
    assert sum(p[1] for p in pts) == total
    out = {}
    for cid, v, _m in pts:
        out[cid] = int(v) if v.denominator == 1 else float(v)
    return out


def dec(x):  # Fraction -> "0.00" half-up
    q = x * 100
    n = (q.numerator * 2 + q.denominator) // (2 * q.denominator)
    return f"{n // 100}.{n % 100:02d}"


PASSING = [
    ("Klaster Lotniczy Doliny Wisłoki", [92, 89], [22, 22.5, 23]),
    ("Klaster Technologii Informacyjnych Pomorza", [85, 88], [21, 22, 23]),
    ("Klaster Chemii Ekologicznej", [80, 84], [21, 20, 22]),
    ("Klaster Meblarski Wielkopolski", [83, 81], [20, 20, 20.5]),
    ("Klaster Metalowy Śląska", [78, 82], [22, 21, 21]),
    ("Klaster Energii Odnawialnej", [95, 60, 85], [21, 21, 21]),
    ("Klaster Opakowań Przyszłości", [79, 80], [19, 19.5, 20]),
    ("Klaster Motoryzacyjny Mazowsza", [84, 86], [18, 18, 19.5]),
    ("Klaster Żywności Regionalnej", [55, 56], None),
    ("Klaster Budownictwa Pasywnego", [61, 55], None),
]
FAILED = [
    ("Klaster Turystyki Górskiej", "Wniosek nie został podpisany przez osoby upoważnione."),
    ("Klaster Rzemiosła Artystycznego", "Strategia nie obejmuje okresu wymaganego regulaminem."),
    ("Klaster Logistyki Wschód", "Nie wykazano masy krytycznej klastra."),
    ("Klaster Usług Medycznych", "Nie wykazano koncentracji geograficznej członków."),
    ("Klaster Mody Łódzkiej", "Plan działań nie zawiera harmonogramu."),
    ("Klaster Wodny Mazur", "Wniosek nie został podpisany przez osoby upoważnione."),
    ("Klaster Drzewny Podlasia", "Nie załączono historii działalności klastra."),
    ("Klaster Ceramiki Opolskiej", "Nie wykazano masy krytycznej klastra."),
    ("Klaster Multimediów Krakowa", "Strategia nie obejmuje okresu wymaganego regulaminem."),
    ("Klaster Biotechnologii Lubelskiej", "Koordynator nie przedstawił pełnomocnictwa."),
    ("Klaster Gospodarki Odpadami", "Nie wykazano koncentracji geograficznej członków."),
    ("Klaster Szkutniczy Zachodniopomorski", "Plan działań nie zawiera harmonogramu."),
    ("Klaster Poligrafii Kujaw", "Wniosek nie został podpisany przez osoby upoważnione."),
]
DOCS = dict.fromkeys(
    ["history", "strategy", "action_plan", "critical_mass", "geographic_concentration"], "present"
)
apps, expected = [], []
order = []
for i, (name, first, second) in enumerate(PASSING):
    data = {"years_active": 4 + i, "members_total": 40 + 7 * i, **DOCS}
    scores = {
        "merit_first": [
            {"expert": f"e{(i + k) % 6 + 1}", "criteria": split(t, FIRST)}
            for k, t in enumerate(first)
        ]
    }
    m1 = F(sum(F(str(t)) for t in first), len(first))
    stages = {
        "formal": {"result": "passed", "reasons": []},
        "merit_first": {
            "result": "passed" if m1 >= 60 else "failed",
            "points": dec(m1),
            "max": "100",
        },
    }
    total = m1
    if second:
        scores["merit_second"] = [
            {"expert": f"s{(i + k) % 4 + 1}", "criteria": split(t, SECOND)}
            for k, t in enumerate(second)
        ]
        m2 = F(sum(F(str(t)) for t in second), len(second))
        total += m2
        stages["merit_second"] = {"result": "passed", "points": dec(m2), "max": "50"}
    else:
        stages["merit_second"] = {"result": "not-reached"}
    apps.append({"cluster": name, "data": data, "scores": scores})
    order.append((name, total, second is not None, stages))
for name, reason in FAILED:
    apps.append(
        {
            "cluster": name,
            "data": {"years_active": 5, "members_total": 30, **DOCS},
            "formal": {"result": "failed", "reasons": [reason]},
        }
    )
completed = sorted([o for o in order if o[2]], key=lambda o: -o[1])
rank = {o[0]: i + 1 for i, o in enumerate(completed)}
rows = []
for name, total, complete, stages in completed + [o for o in order if not o[2]]:
    decision = ("granted" if total >= 101 else "not-granted") if complete else "rejected-gate"
    row = {
        "cluster": name,
        "stages": stages,
        "total": dec(total),
        "max": "150",
        "rank": rank.get(name),
        "decision": decision,
    }
    if decision == "granted":
        row["status"] = {"valid_from": "2015-09-23", "valid_to": "2018-09-22"}
    rows.append(row)
for name, reason in FAILED:
    rows.append(
        {
            "cluster": name,
            "stages": {
                # the operator's reasons; every eligibility rule holds, so no rule's id
                "formal": {"result": "failed", "reasons": [reason], "reason_ids": []},
                "merit_first": {"result": "not-reached"},
                "merit_second": {"result": "not-reached"},
            },
            "total": "0.00",
            "max": "150",
            "rank": None,
            "decision": "rejected-formal",
        }
    )
doc = {
    "rulebook": "kkk-2015",
    "call": {
        "name": "Runda I (2015) – model",
        "round": "I",
        "opens": "2015-03-02",
        "closes": "2015-04-30",
        "decision_on": "2015-09-23",
        # kkk-2015 counts the status from the issue date of the minister's document
        "document_on": "2015-09-23",
    },
    "applications": apps,
    "expected": {
        "funnel": [
            {"stage": "formal", "entered": 23, "passed": 10},
            {"stage": "merit_first", "entered": 10, "passed": 8},
            {"stage": "merit_second", "entered": 8, "passed": 8},
        ],
        "granted": sum(1 for r in rows if r["decision"] == "granted"),
        "applications": rows,
    },
}
header = """# A round modelled on the first competition for the key cluster status (2015):
# 23 applications, 10 pass the formal evaluation, 8 pass the first merit stage (gate: at
# least 60 of 100 points), 7 are granted the status (at least 101 of 150 points) by the
# decision of 23 September 2015; the status runs 3 years from the issue date of the minister's
# document confirming it (official), here 23 September 2015 (made up: the issue date is not
# published; the title could be used from the minister's signature of that day).
# The clusters and their scores are fictional; the funnel, the threshold and the winner's
# 113 points follow the public report of the round. One application's experts diverge
# (95 and 60 points, more than 30 % of the stage maximum apart): a third expert scores.
# `expected` is what `keyclusters simulate` must report (computed with exact fractions by
# scenarios/generate_round_2015.py, independently of the application).
"""
with open("scenarios/round-2015.yaml", "w", encoding="utf-8") as handle:
    handle.write(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
print([(r["cluster"][:20], r["total"], r["rank"], r["decision"]) for r in rows[:10]])
