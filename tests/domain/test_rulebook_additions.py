"""The rulebook contract additions (rounds as they ran): each key is read with its default when
left out, and refused with its path when misspelt or mistyped."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
import yaml

from keyclusters.domain.rulebook import (
    ILLUSTRATIVE_TOPICS,
    RulebookInvalid,
    load_rulebook,
    validate_rulebook,
)

from .test_rulebook_validation import VALID, _delete, _set

ROUNDS = """\
rulebook: test-2018
version: 1
kind: status-competition
illustrative: [criteria-points, {pl: "Nazwy etapów", en: "The names of the stages"}]
applicants:
  holders: {status_type: kkk, ends_between: [2018-01-01, 2018-12-31]}
counting:
  members_total: {coordinator: false, strategic_partners: true}
fields:
  - {id: members_total, type: integer, source: registry}
stages:
  - {id: formal, kind: formal}
  - {id: merit, kind: expert, experts: 2, aggregation: all-pass}
  - {id: parametric, kind: parametric, scored_by: experts, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.2, resolution: third-expert}}
  - {id: panel, kind: panel, experts: 5, aggregation: median, presentation: {minutes: 20}}
areas:
  - id: management
    criteria:
      - {id: all_criteria_met, stage: merit, type: pass-fail}
      - {id: members, stage: parametric, max: 10, field: members_total,
         brackets: [{min: 51, points: 4}, {min: 100, points: 10}]}
      - {id: presentation, stage: panel, max: 20}
decision:
  pass: {op: ">=", value: 10}
  signed_by: chair
status:
  type: kkk
  validity: {years: 3, from: document, ends: anniversary}
"""


def base() -> dict:
    return copy.deepcopy(yaml.safe_load(ROUNDS))


def messages(data: object) -> list[str]:
    return [str(error) for error in validate_rulebook(data)]


def test_every_addition_is_read():
    rulebook = load_rulebook(ROUNDS)
    assert rulebook.illustrative_points is True
    assert rulebook.illustrative_texts == [
        ("criteria-points", None),
        (None, {"pl": "Nazwy etapów", "en": "The names of the stages"}),
    ]
    holders = rulebook.applicants.holders
    assert holders.status_type == "kkk"
    assert holders.ends_range == (date(2018, 1, 1), date(2018, 12, 31))
    assert rulebook.counting.members_total.coordinator is False
    assert rulebook.counting.members_total.strategic_partners is True
    merit, parametric, panel = (
        rulebook.stage("merit"),
        rulebook.stage("parametric"),
        rulebook.stage("panel"),
    )
    assert merit.pass_fail is True and merit.scored_by_experts is True
    assert parametric.scored_by == "experts" and parametric.scored_by_experts is True
    assert parametric.pass_fail is False
    assert panel.presentation.minutes == 20
    criterion = rulebook.criterion("all_criteria_met")
    assert criterion.pass_fail is True
    assert criterion.max == Decimal(0)
    assert rulebook.stage_maximum("merit") == Decimal(0)
    assert rulebook.maximum == Decimal(30)
    assert rulebook.decision.signed_by == "chair"
    assert rulebook.status.type == "kkk"
    assert rulebook.status.validity.starts_from == "document"
    assert rulebook.status.validity.ending == "anniversary"


def test_a_rulebook_without_the_additions_means_what_it_meant_before():
    rulebook = load_rulebook(VALID)
    assert rulebook.illustrative_points is True
    assert rulebook.illustrative == ["criteria-points"]
    assert rulebook.applicants.holders is None
    assert rulebook.counting.members_total.coordinator is True
    assert rulebook.counting.members_total.strategic_partners is False
    assert rulebook.stage("parametric").scored_by is None
    assert rulebook.stage("parametric").scored_by_experts is False
    assert rulebook.stage("merit").scored_by_experts is True
    assert rulebook.stage("panel").presentation is None
    assert rulebook.criterion("members").type == "points"
    assert rulebook.decision.signed_by is None
    assert rulebook.status.type == "kkk"
    assert rulebook.status.validity.from_ == "decision"
    assert rulebook.status.validity.ends is None
    assert rulebook.status.validity.ending == "day-before"


def test_illustrative_points_false_and_no_list_is_nothing_illustrative():
    data = base()
    del data["illustrative"]
    rulebook = load_rulebook(data)
    assert rulebook.illustrative_points is False
    assert rulebook.illustrative == []


def test_every_topic_code_is_accepted():
    data = base()
    data["illustrative"] = list(ILLUSTRATIVE_TOPICS)
    assert messages(data) == []


TOPICS = ", ".join(ILLUSTRATIVE_TOPICS)
PASS_FAIL = ["areas", 0, "criteria", 0]
PARAMETRIC = ["areas", 0, "criteria", 1]

INVALID = {
    "illustrative-not-a-list": (
        _set(["illustrative"], "criteria-points"),
        "illustrative: must be a list",
    ),
    "illustrative-misspelt": (
        _set(["illustrative", 0], "criteria-point"),
        f"illustrative[0]: must be one of: {TOPICS}, or a text in the rulebook's languages "
        "(such as {pl: ..., en: ...})",
    ),
    "illustrative-a-number": (
        _set(["illustrative", 0], 3),
        f"illustrative[0]: must be one of: {TOPICS}, or a text in the rulebook's languages "
        "(such as {pl: ..., en: ...})",
    ),
    "illustrative-text-language": (
        _set(["illustrative", 1], {"polish": "Nazwy"}),
        "illustrative[1].polish: is not a language code (such as pl or en)",
    ),
    "illustrative-text-empty": (
        _set(["illustrative", 1, "en"], " "),
        "illustrative[1].en: must be text",
    ),
    "illustrative-points-contradicted": (
        _set(["illustrative_points"], False),
        "illustrative_points: contradicts 'criteria-points' in 'illustrative'",
    ),
    "applicants-unknown-key": (
        _set(["applicants", "holder"], {}),
        "applicants.holder: unknown key",
    ),
    "holders-unknown-key": (
        _set(["applicants", "holders", "ends_betwen"], []),
        "applicants.holders.ends_betwen: unknown key",
    ),
    "holders-status-type": (
        _set(["applicants", "holders", "status_type"], "KKK"),
        "applicants.holders.status_type: must start with a lowercase letter and contain only "
        "lowercase letters, digits, underscores and dashes",
    ),
    "holders-one-date": (
        _set(["applicants", "holders", "ends_between"], [date(2018, 1, 1)]),
        "applicants.holders.ends_between: must be two dates: the first and the last day of "
        "the range",
    ),
    "holders-not-a-date": (
        _set(["applicants", "holders", "ends_between", 1], "31.12.2018"),
        "applicants.holders.ends_between[1]: must be a date (YYYY-MM-DD)",
    ),
    "holders-dates-reversed": (
        _set(["applicants", "holders", "ends_between"], [date(2018, 12, 31), date(2018, 1, 1)]),
        "applicants.holders.ends_between[1]: must not be before the first date (2018-12-31)",
    ),
    "counting-unknown-key": (
        _set(["counting", "members"], {}),
        "counting.members: unknown key",
    ),
    "counting-misspelt": (
        _set(["counting", "members_total", "strategic_partner"], True),
        "counting.members_total.strategic_partner: unknown key",
    ),
    "counting-not-a-boolean": (
        _set(["counting", "members_total", "coordinator"], "sometimes"),
        "counting.members_total.coordinator: must be true or false",
    ),
    "criterion-type-misspelt": (
        _set([*PASS_FAIL, "type"], "pass/fail"),
        "areas[0].criteria[0].type: must be one of: points, pass-fail",
    ),
    "pass-fail-with-max": (
        _set([*PASS_FAIL, "max"], 5),
        "areas[0].criteria[0].max: a pass-fail criterion has no maximum",
    ),
    "pass-fail-with-brackets": (
        _set([*PASS_FAIL, "brackets"], [{"min": 1, "points": 1}]),
        "areas[0].criteria[0].brackets: a pass-fail criterion has no brackets",
    ),
    "pass-fail-with-field": (
        _set([*PASS_FAIL, "field"], "members_total"),
        "areas[0].criteria[0].field: a pass-fail criterion has no figure",
    ),
    "pass-fail-on-a-mean-stage": (
        _set(["stages", 1, "aggregation"], "mean"),
        "areas[0].criteria[0].type: a pass-fail criterion needs a stage with aggregation "
        "all-pass, majority-pass (stage 'merit' has mean)",
    ),
    "pass-fail-on-a-parametric-stage": (
        _set([*PASS_FAIL, "stage"], "parametric"),
        [
            "areas[0].criteria[0].type: a pass-fail criterion belongs to an expert or panel stage",
            "stages[1]: no criterion is scored in this stage",
        ],
    ),
    "points-criterion-on-an-all-pass-stage": (
        lambda data: data["areas"][0]["criteria"].append(
            {"id": "cooperation", "stage": "merit", "max": 5}
        ),
        "stages[1].aggregation: all-pass is for pass-fail criteria only; criterion "
        "'cooperation' of this stage is scored in points",
    ),
    "points-criterion-without-max": (
        _delete([*PARAMETRIC, "max"]),
        "areas[0].criteria[1].max: is required",
    ),
    "majority-pass-misspelt": (
        _set(["stages", 1, "aggregation"], "majority"),
        "stages[1].aggregation: must be one of: mean, median, trimmed-mean, all-pass, "
        "majority-pass",
    ),
    "pass-fail-stage-with-a-gate": (
        _set(["stages", 1, "gate"], {"op": ">=", "value": 0}),
        "stages[1].gate: a pass-fail stage has no gate: it passes when its criteria do",
    ),
    "pass-fail-stage-with-divergence": (
        _set(["stages", 1, "divergence"], {"max_gap": 0.2, "resolution": "consensus"}),
        "stages[1].divergence: a pass-fail stage has no divergence",
    ),
    "all-pass-on-a-parametric-stage": (
        _set(["stages", 2, "aggregation"], "all-pass"),
        "stages[2].aggregation: must be one of: mean, median, trimmed-mean for a parametric stage",
    ),
    "scored-by-misspelt": (
        _set(["stages", 2, "scored_by"], "expert"),
        "stages[2].scored_by: must be one of: computed, experts",
    ),
    "scored-by-on-an-expert-stage": (
        _set(["stages", 1, "scored_by"], "experts"),
        "stages[1].scored_by: only parametric stages have this",
    ),
    "scored-by-experts-without-experts": (
        _delete(["stages", 2, "experts"]),
        "stages[2].experts: is required for a parametric stage scored by experts",
    ),
    "scored-by-experts-without-aggregation": (
        _delete(["stages", 2, "aggregation"]),
        "stages[2].aggregation: is required for a parametric stage scored by experts",
    ),
    "computed-with-experts": (
        _set(["stages", 2, "scored_by"], "computed"),
        [
            "stages[2].experts: only stages scored by experts have this (scored_by: experts)",
            "stages[2].aggregation: only stages scored by experts have this (scored_by: experts)",
            "stages[2].divergence: only stages scored by experts have this (scored_by: experts)",
        ],
    ),
    "presentation-on-an-expert-stage": (
        _set(["stages", 1, "presentation"], {"minutes": 20}),
        "stages[1].presentation: only panel stages have a presentation",
    ),
    "presentation-minutes-zero": (
        _set(["stages", 3, "presentation", "minutes"], 0),
        "stages[3].presentation.minutes: must be at least 1",
    ),
    "presentation-minutes-text": (
        _set(["stages", 3, "presentation", "minutes"], "twenty"),
        "stages[3].presentation.minutes: must be a whole number",
    ),
    "presentation-unknown-key": (
        _set(["stages", 3, "presentation", "minute"], 20),
        "stages[3].presentation.minute: unknown key",
    ),
    "signed-by-misspelt": (
        _set(["decision", "signed_by"], "chairman"),
        "decision.signed_by: must be one of: chair",
    ),
    "status-type": (
        _set(["status", "type"], "Key cluster"),
        "status.type: must start with a lowercase letter and contain only lowercase letters, "
        "digits, underscores and dashes",
    ),
    "validity-from-misspelt": (
        _set(["status", "validity", "from"], "documents"),
        "status.validity.from: must be one of: decision, document",
    ),
    "validity-ends-misspelt": (
        _set(["status", "validity", "ends"], "anniversry"),
        "status.validity.ends: must be one of: day-before, anniversary",
    ),
    "validity-ends-with-until": (
        _set(["status", "validity"], {"until": date(2024, 12, 31), "ends": "anniversary"}),
        "status.validity.ends: goes only with 'years'",
    ),
    "validity-unknown-key": (
        _set(["status", "validity", "end"], "anniversary"),
        "status.validity.end: unknown key",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_a_misspelt_or_mistyped_addition_is_refused_with_its_path(case):
    mutate, expected = INVALID[case]
    expected = expected if isinstance(expected, list) else [expected]
    data = base()
    mutate(data)
    assert messages(data) == expected
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(data)
    assert [str(error) for error in caught.value.errors] == expected
