"""Validation of rulebooks: every invalid rulebook is refused with its exact path and message."""

from __future__ import annotations

import copy
import time
from decimal import Decimal

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclusters.domain.rulebook import (
    Rulebook,
    RulebookError,
    RulebookInvalid,
    load_rulebook,
    source_sha256,
    validate_rulebook,
)

VALID = """\
rulebook: test-2021
version: 1
kind: status-competition
title: {pl: "Konkurs testowy", en: "Test competition"}
illustrative_points: true
fields:
  - {id: years_active, type: integer, source: registry}
  - {id: members_total, type: integer, source: registry}
  - {id: rd_projects, type: integer}
  - {id: strategy, type: document, required: true}
eligibility:
  - {id: min_years, field: years_active, op: ">=", value: 3,
     message: {pl: "Klaster działa krócej niż 3 lata",
               en: "The cluster operates for less than 3 years"}}
  - {id: min_members, field: members_total, op: ">=", value: 51}
  - {id: strategy_attached, field: strategy, op: present}
stages:
  - {id: formal, kind: formal, completion_days: 7}
  - {id: merit, kind: expert, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.30, resolution: third-expert}, gate: {op: ">=", value: 5}}
  - {id: parametric, kind: parametric}
  - {id: panel, kind: panel, experts: 5, aggregation: median}
areas:
  - id: resources
    title: {pl: "Zasoby", en: "Resources"}
    criteria:
      - {id: members, stage: parametric, max: 10, field: members_total,
         brackets: [{min: 51, points: 4}, {min: 100, points: 7}, {min: 200, points: 10}]}
      - {id: rd_intensity, stage: parametric, max: 6, field: rd_projects, per: members_total,
         brackets: [{min: 0.05, points: 2}, {min: 0.15, points: 6}]}
  - id: management
    title: {pl: "Zarządzanie", en: "Management"}
    criteria:
      - {id: coordinator_team, stage: merit, max: 8, guidance: {en: "The coordinator's team"}}
      - {id: presentation, stage: panel, max: 20}
      - {id: cooperation, stage: merit, max: 6}
decision:
  pass: {op: ">=", value: 30}
  min_per_area: {resources: 5}
  ranking: [total, panel, merit]
  quota: null
status:
  validity: {years: 3, from: decision}
  renewal: true
"""


def base() -> dict:
    return copy.deepcopy(yaml.safe_load(VALID))


def messages(data: object) -> list[str]:
    return [str(error) for error in validate_rulebook(data)]


def test_the_valid_rulebook_loads_with_its_values():
    rulebook = load_rulebook(VALID)
    assert isinstance(rulebook, Rulebook)
    assert validate_rulebook(base()) == []
    assert rulebook.id == "test-2021"
    assert rulebook.version == 1
    assert rulebook.precision == 2
    assert rulebook.maximum == Decimal("50")
    assert rulebook.stage_maximum("formal") == Decimal("0")
    assert rulebook.stage_maximum("merit") == Decimal("14")
    assert rulebook.stage_maximum("parametric") == Decimal("16")
    assert rulebook.stage_maximum("panel") == Decimal("20")
    assert rulebook.area_maximum("resources") == Decimal("16")
    assert rulebook.area_maximum("management") == Decimal("34")
    assert rulebook.criterion("rd_intensity").brackets[0].min == Decimal("0.05")
    assert rulebook.stage("merit").divergence.max_gap == Decimal("0.3")
    assert rulebook.decision.pass_.op == ">="
    assert rulebook.decision.pass_.value == Decimal("30")
    assert rulebook.decision.min_per_area == {"resources": Decimal("5")}
    assert rulebook.status.validity.years == 3
    assert rulebook.status.validity.from_ == "decision"
    assert rulebook.field_spec("strategy").source == "applicant"
    assert rulebook.field_spec("years_active").source == "registry"
    assert rulebook.eligibility[0].value == Decimal("3")
    assert rulebook.text(rulebook.title, "pl") == "Konkurs testowy"


def _set(path: list, value: object):
    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list):
    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


CRITERION_0 = ["areas", 0, "criteria", 0]
CRITERION_1_0 = ["areas", 1, "criteria", 0]

INVALID = {
    "bracket-order": (
        _set([*CRITERION_0, "brackets", 1, "min"], 51),
        "areas[0].criteria[0].brackets[1].min: must be greater than the previous bracket",
    ),
    "bracket-order-decreasing": (
        _set([*CRITERION_0, "brackets", 2, "min"], 90),
        "areas[0].criteria[0].brackets[2].min: must be greater than the previous bracket",
    ),
    "bracket-points-above-max": (
        _set([*CRITERION_0, "brackets", 2, "points"], 11),
        "areas[0].criteria[0].brackets[2].points: exceeds the criterion's maximum",
    ),
    "bracket-min-not-a-number": (
        _set([*CRITERION_0, "brackets", 1, "min"], "many"),
        "areas[0].criteria[0].brackets[1].min: must be a number",
    ),
    "bracket-negative-points": (
        _set([*CRITERION_0, "brackets", 0, "points"], -1),
        "areas[0].criteria[0].brackets[0].points: must be at least 0",
    ),
    "unknown-key": (
        _set([*CRITERION_0, "maxx"], 3),
        "areas[0].criteria[0].maxx: unknown key",
    ),
    "unknown-top-level-key": (
        _set(["deadline"], "2021-09-13"),
        "deadline: unknown key",
    ),
    "criterion-unknown-stage": (
        _set([*CRITERION_1_0, "stage"], "review"),
        "areas[1].criteria[0].stage: unknown stage 'review'",
    ),
    "criterion-on-formal-stage": (
        _set([*CRITERION_1_0, "stage"], "formal"),
        "areas[1].criteria[0].stage: a formal stage has no criteria",
    ),
    "criterion-unknown-field": (
        _set([*CRITERION_0, "field"], "staff"),
        "areas[0].criteria[0].field: unknown field 'staff'",
    ),
    "criterion-unknown-per": (
        _set(["areas", 0, "criteria", 1, "per"], "employees"),
        "areas[0].criteria[1].per: unknown field 'employees'",
    ),
    "parametric-without-field": (
        _delete([*CRITERION_0, "field"]),
        "areas[0].criteria[0].field: is required for a parametric criterion",
    ),
    "parametric-on-a-document": (
        _set([*CRITERION_0, "field"], "strategy"),
        "areas[0].criteria[0].field: must name a number field for a parametric criterion",
    ),
    "parametric-without-brackets": (
        _delete([*CRITERION_0, "brackets"]),
        "areas[0].criteria[0].brackets: is required for a parametric criterion",
    ),
    "expert-with-brackets": (
        _set([*CRITERION_1_0, "brackets"], [{"min": 1, "points": 2}]),
        "areas[1].criteria[0].brackets: only parametric criteria have brackets",
    ),
    "criterion-max-text": (
        _set([*CRITERION_0, "max"], "ten"),
        "areas[0].criteria[0].max: must be a number",
    ),
    "criterion-max-zero": (
        _set([*CRITERION_1_0, "max"], 0),
        "areas[1].criteria[0].max: must be greater than 0",
    ),
    "duplicate-field": (
        lambda data: data["fields"].append({"id": "years_active", "type": "integer"}),
        "fields[4].id: duplicate id 'years_active' (already used at fields[0])",
    ),
    "duplicate-criterion-across-areas": (
        _set([*CRITERION_1_0, "id"], "members"),
        "areas[1].criteria[0].id: duplicate id 'members' (already used at areas[0].criteria[0])",
    ),
    "duplicate-area": (
        _set(["areas", 1, "id"], "resources"),
        "areas[1].id: duplicate id 'resources' (already used at areas[0])",
    ),
    "duplicate-rule": (
        _set(["eligibility", 2, "id"], "min_years"),
        "eligibility[2].id: duplicate id 'min_years' (already used at eligibility[0])",
    ),
    "rule-unknown-op": (
        _set(["eligibility", 0, "op"], "=>"),
        "eligibility[0].op: must be one of: >=, >, <=, <, ==, present, in",
    ),
    "rule-unknown-field": (
        _set(["eligibility", 1, "field"], "members"),
        "eligibility[1].field: unknown field 'members'",
    ),
    "rule-in-needs-a-list": (
        _set(["eligibility", 1, "op"], "in"),
        "eligibility[1].value: must be a list for 'in'",
    ),
    "rule-present-takes-no-value": (
        _set(["eligibility", 2, "value"], "yes"),
        "eligibility[2].value: must be left out for 'present'",
    ),
    "rule-comparison-needs-a-value": (
        _delete(["eligibility", 1, "value"]),
        "eligibility[1].value: is required for '>='",
    ),
    "first-stage-not-formal": (
        lambda data: data["stages"].pop(0),
        "stages[0].kind: the first stage must be formal",
    ),
    "formal-stage-later": (
        lambda data: data["stages"].append({"id": "check", "kind": "formal"}),
        "stages[4].kind: only the first stage can be formal",
    ),
    "expert-stage-without-experts": (
        _delete(["stages", 1, "experts"]),
        "stages[1].experts: is required for an expert or panel stage",
    ),
    "panel-stage-without-aggregation": (
        _delete(["stages", 3, "aggregation"]),
        "stages[3].aggregation: is required for an expert or panel stage",
    ),
    "experts-zero": (
        _set(["stages", 3, "experts"], 0),
        "stages[3].experts: must be at least 1",
    ),
    "gate-on-formal": (
        _set(["stages", 0, "gate"], {"op": ">=", "value": 1}),
        "stages[0].gate: only expert, panel and parametric stages have a gate",
    ),
    "gate-present-op": (
        _set(["stages", 1, "gate", "op"], "present"),
        "stages[1].gate.op: must be one of: >=, >, <=, <, ==",
    ),
    "unknown-stage-kind": (
        _set(["stages", 2, "kind"], "jury"),
        "stages[2].kind: must be one of: formal, expert, parametric, panel",
    ),
    "unknown-aggregation": (
        _set(["stages", 1, "aggregation"], "average"),
        "stages[1].aggregation: must be one of: mean, median, trimmed-mean, all-pass, "
        "majority-pass",
    ),
    "max-gap-zero": (
        _set(["stages", 1, "divergence", "max_gap"], 0),
        "stages[1].divergence.max_gap: must be greater than 0",
    ),
    "max-gap-above-one": (
        _set(["stages", 1, "divergence", "max_gap"], 1.5),
        "stages[1].divergence.max_gap: must be at most 1",
    ),
    "ranking-unknown": (
        _set(["decision", "ranking"], ["total", "jury"]),
        "decision.ranking[1]: must be 'total' or a stage id, not 'jury'",
    ),
    "min-per-area-unknown": (
        _set(["decision", "min_per_area"], {"people": 3}),
        "decision.min_per_area.people: unknown area 'people'",
    ),
    "quota-zero": (
        _set(["decision", "quota"], 0),
        "decision.quota: must be at least 1",
    ),
    "pass-above-maximum": (
        _set(["decision", "pass", "value"], 51),
        "decision.pass.value: exceeds the rulebook's maximum (50)",
    ),
    "gate-above-stage-maximum": (
        _set(["stages", 1, "gate", "value"], 15),
        "stages[1].gate.value: exceeds the stage's maximum (14)",
    ),
    "min-per-area-above-area-maximum": (
        _set(["decision", "min_per_area", "resources"], 17),
        "decision.min_per_area.resources: exceeds the area's maximum (16)",
    ),
    "validity-both": (
        _set(["status", "validity", "until"], "2024-12-31"),
        "status.validity: needs exactly one of 'years' and 'until'",
    ),
    "validity-neither": (
        _set(["status", "validity"], {}),
        "status.validity: needs exactly one of 'years' and 'until'",
    ),
    "validity-bad-date": (
        _set(["status", "validity"], {"until": "31.12.2024"}),
        "status.validity.until: must be a date (YYYY-MM-DD)",
    ),
    "rulebook-id": (
        _set(["rulebook"], "KKK_2021"),
        "rulebook: must contain only lowercase letters, digits and dashes",
    ),
    "version-zero": (_set(["version"], 0), "version: must be at least 1"),
    "version-text": (_set(["version"], "one"), "version: must be a whole number"),
    "unknown-kind": (
        _set(["kind"], "competition"),
        "kind: must be one of: status-competition, benchmarking-framework",
    ),
    "missing-decision": (_delete(["decision"]), "decision: is required"),
    "field-type": (
        _set(["fields", 2, "type"], "float"),
        "fields[2].type: must be one of: integer, decimal, percent, money, text, document, "
        "boolean, date",
    ),
    "title-language": (
        _set(["title"], {"polish": "Konkurs"}),
        "title.polish: is not a language code (such as pl or en)",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_rulebook_is_refused_with_its_path_and_message(case):
    mutate, expected = INVALID[case]
    expected = expected if isinstance(expected, list) else [expected]
    data = base()
    mutate(data)
    assert messages(data) == expected
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(data)
    assert [str(error) for error in caught.value.errors] == expected


def test_every_error_is_collected_not_only_the_first():
    data = base()
    data["version"] = 0
    data["areas"][0]["criteria"][0]["brackets"][1]["min"] = 10
    data["areas"][1]["criteria"][2]["stage"] = "jury"
    data["decision"]["ranking"] = ["total", "committee"]
    data["stages"][1]["colour"] = "blue"
    assert messages(data) == [
        "version: must be at least 1",
        "stages[1].colour: unknown key",
        "areas[0].criteria[0].brackets[1].min: must be greater than the previous bracket",
        "areas[1].criteria[2].stage: unknown stage 'jury'",
        "decision.ranking[1]: must be 'total' or a stage id, not 'committee'",
    ]


def test_an_error_has_a_path_a_message_and_a_string_form():
    error = validate_rulebook({**base(), "version": 0})[0]
    assert error == RulebookError("version", "must be at least %(limit)s", {"limit": 1})
    assert error.path == "version"
    assert error.message == "must be at least 1"
    assert str(error) == "version: must be at least 1"


def test_a_yaml_syntax_error_is_refused_without_a_traceback():
    text = "rulebook: test\nversion: 1\nareas: [1, 2\nkind: x\n"
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(text)
    assert [str(e) for e in caught.value.errors] == [
        "(yaml): line 4, column 5: expected ',' or ']', but got ':'"
    ]
    assert str(caught.value) == "(yaml): line 4, column 5: expected ',' or ']', but got ':'"


def test_a_character_yaml_does_not_allow_is_refused_with_its_position():
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook("rulebook: a\x07b\n")
    assert [str(e) for e in caught.value.errors] == [
        "(yaml): character 12: a character that is not allowed (U+0007)"
    ]


def test_a_key_written_twice_is_a_yaml_error():
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(VALID + "version: 2\n")
    assert [str(e) for e in caught.value.errors] == [
        "(yaml): line 45, column 1: the key 'version' appears twice"
    ]


def test_an_alias_bomb_is_refused_at_its_first_alias_at_once():
    # nine levels of nine aliases stand for 387,420,489 strings once expanded
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.perf_counter()
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1
    assert [str(e) for e in caught.value.errors] == [
        "(yaml): line 2, column 10: aliases (*name) are not accepted"
    ]


def test_nesting_deeper_than_the_limit_is_refused_without_a_traceback():
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook("rulebook: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert [str(e) for e in caught.value.errors] == [
        "(yaml): line 1, column 50: nested deeper than 40 levels"
    ]


@pytest.mark.parametrize("text", ["", "just a sentence\n", "- a\n- b\n", "42\n"])
def test_a_document_that_is_not_a_mapping_is_refused(text):
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(text)
    assert [str(e) for e in caught.value.errors] == [
        "(root): the rulebook must be a mapping of keys to values"
    ]


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(tmp_path / "nope.yaml")
    assert [e.path for e in caught.value.errors] == ["(file)"]
    assert caught.value.errors[0].message == f"no such file: {tmp_path / 'nope.yaml'}"


def test_a_rulebook_loads_from_a_file_with_the_hash_of_its_canonical_bytes(tmp_path):
    path = tmp_path / "test.yaml"
    path.write_bytes(("\ufeff" + VALID.replace("\n", "\r\n")).encode("utf-8"))
    from_file = load_rulebook(path)
    from_text = load_rulebook(VALID)
    from_str_path = load_rulebook(str(path))
    assert from_file.sha256 == from_text.sha256 == from_str_path.sha256
    assert from_text.sha256 == source_sha256(VALID)
    assert len(from_text.sha256) == 64
    assert from_file.source == VALID
    changed = load_rulebook(VALID.replace("Test competition", "Test competition 2"))
    assert changed.sha256 != from_text.sha256


def test_the_hash_is_that_of_the_utf8_text():
    import hashlib

    assert source_sha256("a: 1") == hashlib.sha256(b"a: 1\n").hexdigest()
    assert source_sha256("a: 1\r\n") == hashlib.sha256(b"a: 1\n").hexdigest()


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(["formal", "expert", "parametric", "panel", "present", "in", ">=", "total"]),
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_value_anywhere_gives_errors_never_an_exception(data):
    document = base()
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths))
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = data.draw(JUNK)
        except (KeyError, IndexError, TypeError):
            continue
    errors = validate_rulebook(document)
    assert all(isinstance(error, RulebookError) and error.path for error in errors)
    if errors:
        with pytest.raises(RulebookInvalid):
            load_rulebook(document)
    else:
        assert isinstance(load_rulebook(document), Rulebook)


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.builds(lambda a, b: VALID[:a] + b + VALID[a:], st.integers(0, len(VALID)), st.text()),
    )
)
def test_any_text_is_refused_with_errors_never_an_exception(text):
    try:
        load_rulebook(text)
    except RulebookInvalid as exc:
        assert exc.errors
        assert all(error.path for error in exc.errors)
