import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyclusters.domain.evaluation import (
    Candidate,
    ExpertSheet,
    aggregate,
    aggregate_stage,
    anniversary,
    decide,
    find_divergence,
    round_points,
    status_validity,
)
from keyclusters.domain.rulebook import load_rulebook

RULEBOOK = """
rulebook: test-eval
version: 1
kind: status-competition
fields: []
stages:
  - {id: formal, kind: formal}
  - {id: merit, kind: expert, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.30, resolution: third-expert}}
  - {id: panel, kind: panel, experts: 3, aggregation: median}
areas:
  - id: resources
    criteria:
      - {id: team, stage: merit, max: 6}
      - {id: finance, stage: merit, max: 4}
  - id: impact
    criteria:
      - {id: presentation, stage: panel, max: 10}
decision:
  pass: {op: ">=", value: 11}
  min_per_area: {impact: 4}
  ranking: [total, panel, merit]
  quota: 2
status:
  validity: {years: 3, from: decision}
"""


@pytest.fixture
def rulebook():
    return load_rulebook(RULEBOOK)


def sheet(expert, **points):
    return ExpertSheet(expert, {k: D(str(v)) for k, v in points.items()})


def test_mean_median_trimmed_mean():
    values = [D("2"), D("9"), D("4"), D("5")]
    assert aggregate("mean", values) == D("5")
    assert aggregate("median", values) == D("4.5")
    assert aggregate("median", values[:3]) == D("4")
    # the highest (9) and the lowest (2) are left out
    assert aggregate("trimmed-mean", values) == D("4.5")
    assert aggregate("trimmed-mean", [D("1"), D("3")]) == D("2")
    with pytest.raises(ValueError):
        aggregate("mode", values)


def test_criteria_are_not_rounded_and_the_stage_total_is_rounded_once(rulebook):
    result = aggregate_stage(
        rulebook,
        "merit",
        [
            sheet("e1", team=5, finance=1),
            sheet("e2", team=4, finance=2),
            sheet("e3", team=4, finance=2),
        ],
    )
    assert result.criteria == {"team": D(13) / 3, "finance": D(5) / 3}
    assert result.exact_total == D(6)
    assert str(result.total) == "6.00"
    assert round_points(result.criteria["team"], 2) == D("4.33")
    assert result.area_totals(rulebook) == {"resources": D(6)}


def test_the_stage_total_rounds_the_exact_sum_half_up(rulebook):
    # the team mean 4.335 plus 1.5: the exact 5.835 is rounded half up, once
    result = aggregate_stage(
        rulebook,
        "merit",
        [
            sheet("e1", team="4.33", finance="1.5"),
            sheet("e2", team="4.34", finance="1.5"),
        ],
    )
    assert result.exact_total == D("5.835")
    assert str(result.total) == "5.84"


def test_area_totals_of_a_candidate_are_rounded_once_from_exact_points(rulebook):
    from keyclusters.domain.evaluation import candidate

    built = candidate(rulebook, "a", {"merit": D("6.00")}, {"team": D(13) / 3, "finance": D(5) / 3})
    assert built.area_totals == {"resources": D("6.00")}
    assert built.total == D("6.00")


def test_divergence_exactly_at_the_gap_is_allowed(rulebook):
    # stage maximum 10, max_gap 0.30 -> 3 points
    assert (
        find_divergence(
            rulebook, "merit", [sheet("e1", team=6, finance=1), sheet("e2", team=3, finance=1)]
        )
        is None
    )
    diverged = find_divergence(
        rulebook, "merit", [sheet("e1", team=6, finance=1.01), sheet("e2", team=3, finance=1)]
    )
    assert diverged is not None
    assert diverged.gap == D("3.01")
    assert diverged.allowed == D("3.00")
    assert diverged.experts == ("e1", "e2")


def test_a_stage_without_a_divergence_rule_never_diverges(rulebook):
    assert (
        find_divergence(
            rulebook, "panel", [sheet("p1", presentation=0), sheet("p2", presentation=10)]
        )
        is None
    )


def test_a_consensus_replaces_the_aggregation(rulebook):
    result = aggregate_stage(
        rulebook,
        "merit",
        [sheet("e1", team=6, finance=4), sheet("e2", team=1, finance=0)],
        consensus={"team": D("5"), "finance": D("3")},
    )
    assert (result.method, result.total, result.divergence) == ("consensus", D(8), None)


def candidate(key, merit, panel, impact=None):
    return Candidate(
        key,
        {"merit": D(str(merit)), "panel": D(str(panel))},
        {"resources": D(str(merit)), "impact": D(str(panel if impact is None else impact))},
    )


def test_threshold_inclusive_and_strict(rulebook):
    outcomes = decide(rulebook, [candidate("a", 6, 5), candidate("b", 5.99, 5)])
    assert [(o.key, o.total, o.recommended) for o in outcomes] == [
        ("a", D("11.00"), True),
        ("b", D("10.99"), False),
    ]
    assert outcomes[1].reasons[0][1] == {"total": "10.99", "op": ">=", "value": "11"}
    strict = load_rulebook(
        RULEBOOK.replace('pass: {op: ">=", value: 11}', 'pass: {op: ">", value: 11}')
    )
    assert [o.recommended for o in decide(strict, [candidate("a", 6, 5)])] == [False]


def test_the_decision_never_rounds_again(rulebook):
    # stage totals arrive rounded to the precision; a value with more decimals is compared as
    # it is (10.995 does not meet >= 11) and shown as it is
    (outcome,) = decide(rulebook, [candidate("a", "5.995", 5)])
    assert (str(outcome.total), outcome.recommended) == ("10.995", False)
    (outcome,) = decide(rulebook, [candidate("a", 6, 5)])
    assert str(outcome.total) == "11.00"


def test_per_area_minimum(rulebook):
    (outcome,) = decide(rulebook, [candidate("a", 10, 5, impact="3.99")])
    assert not outcome.recommended
    assert outcome.reasons[0][1] == {"points": "3.99", "area": "impact", "min": "4"}


def test_tie_breakers_in_order_then_shared_rank(rulebook):
    outcomes = decide(
        rulebook,
        [
            candidate("merit-strong", 8, 6),  # total 14, panel 6
            candidate("panel-strong", 6, 8),  # total 14, panel 8 -> first
            candidate("same-a", 7, 5),  # total 12, panel 5, merit 7
            candidate("same-b", 7, 5),  # identical -> shares the rank
            candidate("top", 9, 9),
        ],
    )
    assert [(o.key, o.rank) for o in outcomes] == [
        ("top", 1),
        ("panel-strong", 2),
        ("merit-strong", 3),
        ("same-a", 4),
        ("same-b", 4),
    ]


def test_quota_keeps_the_best_and_leaves_a_cut_tie_to_the_decision_maker(rulebook):
    outcomes = {
        o.key: o
        for o in decide(
            rulebook,
            [candidate("first", 9, 9), candidate("second", 8, 8), candidate("third", 7, 7)],
        )
    }
    assert [outcomes[k].recommended for k in ("first", "second", "third")] == [True, True, False]
    assert outcomes["third"].reasons[0] == ("outside the quota of %(quota)s statuses", {"quota": 2})
    tied = {
        o.key: o
        for o in decide(
            rulebook, [candidate("first", 9, 9), candidate("x", 8, 8), candidate("y", 8, 8)]
        )
    }
    assert tied["first"].recommended
    assert not tied["x"].recommended and not tied["y"].recommended
    assert tied["x"].reasons[0][0].startswith("tied at the quota limit")


def test_validity_years_from_the_decision(rulebook):
    assert status_validity(rulebook.status, dt.date(2015, 9, 23)) == (
        dt.date(2015, 9, 23),
        dt.date(2018, 9, 22),
    )
    # across a leap day: 3 years from 2020-02-29 end with 2023-02-28
    assert status_validity(rulebook.status, dt.date(2020, 2, 29)) == (
        dt.date(2020, 2, 29),
        dt.date(2023, 2, 28),
    )
    assert anniversary(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)


def test_validity_until_a_date():
    fixed = load_rulebook(
        RULEBOOK.replace("validity: {years: 3, from: decision}", "validity: {until: 2024-12-31}")
    )
    assert status_validity(fixed.status, dt.date(2021, 12, 20)) == (
        dt.date(2021, 12, 20),
        dt.date(2024, 12, 31),
    )


@given(st.lists(st.decimals(min_value=0, max_value=10, places=2), min_size=1, max_size=7))
def test_every_aggregate_lies_between_the_lowest_and_the_highest(values):
    for method in ("mean", "median", "trimmed-mean"):
        assert min(values) <= aggregate(method, values) <= max(values)
