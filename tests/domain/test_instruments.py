"""The catalogue of funding instruments: validation with paths, the shipped file, and the test
of an instrument's terms (pure, no database)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from keyclusters.domain import instruments as terms
from keyclusters.domain.rulebook.errors import RulebookInvalid

D = dt.date
SHIPPED = yaml.safe_load(terms.shipped_catalogue_path().read_text(encoding="utf-8"))


def errors(data, **kwargs) -> list[str]:
    return [str(error) for error in terms.validate_catalogue(data, **kwargs)]


def changed(**changes) -> dict:
    data = copy.deepcopy(SHIPPED)
    for path, value in changes.items():
        index, key = path.split("__")
        data["instruments"][int(index)][key] = value
    return data


def test_the_shipped_catalogue_is_valid_and_names_the_instruments_of_the_notes():
    assert errors(SHIPPED) == []
    catalogue = terms.load_catalogue(terms.shipped_catalogue_path()).catalogue
    assert catalogue.ids == [
        "national-rd-bonus", "regional-programmes", "voucher-tie-break", "internationalisation",
        "coordinators-2023", "polish-investment-zone",
    ]  # fmt: skip
    voucher = catalogue.get("voucher-tie-break")
    assert (voucher.beneficiary, voucher.min_months, voucher.held_throughout) == (
        "member", 6, True,
    )  # fmt: skip
    assert voucher.illustrative == ["reference_date", "held_throughout"]
    assert catalogue.get("coordinators-2023").status_types == ["kkk", "pkw"]
    assert catalogue.get("internationalisation").beneficiary == "coordinator"
    assert catalogue.get("polish-investment-zone").reference_date == "evaluation"


def test_refused_keys_and_types_are_reported_with_their_path():
    data = changed(
        **{"2__min_months": -1, "1__status_types": ["kkk", "xyz", "kkk"], "0__colour": "red",
           "3__beneficiary": "partner", "4__held_throughout": "yes",
           "5__illustrative": ["points"]}
    )  # fmt: skip
    assert errors(data) == [
        "instruments[0].colour: unknown key",
        "instruments[1].status_types: 'kkk' is listed twice",
        "instruments[1].status_types[1]: unknown status type 'xyz' (known: kkk, pkw)",
        "instruments[2].min_months: must be an integer ≥ 0",
        "instruments[3].beneficiary: must be one of: member, coordinator, both",
        "instruments[4].held_throughout: must be true or false",
        "instruments[5].illustrative[0]: must be one of: beneficiary, status_types, "
        "reference_date, min_months, held_throughout, benefit",
    ]


@pytest.mark.parametrize("value", ["6", 6.5, None])
def test_min_months_must_be_an_integer(value):
    assert errors(changed(**{"2__min_months": value})) == [
        "instruments[2].min_months: must be an integer ≥ 0"
    ]


def test_the_whole_document():
    assert errors([]) == ["(root): must be a mapping"]
    assert errors({"id": "x", "version": 0, "instruments": []}) == [
        "instruments: must not be empty",
        "version: must be at least 1",
    ]
    data = copy.deepcopy(SHIPPED)
    data["instruments"][1]["id"] = "national-rd-bonus"
    del data["instruments"][0]["reference_date"]
    assert errors(data) == [
        "instruments[0].reference_date: is required",
        "instruments[1].id: duplicate id 'national-rd-bonus' (already used at instruments[0])",
    ]


def test_a_registry_with_another_status_type():
    data = changed(**{"0__status_types": ["kkk", "rkk"]})
    assert errors(data)[0].startswith("instruments[0].status_types[1]: unknown status type")
    assert errors(data, status_types=["kkk", "pkw", "rkk"]) == []


def test_a_yaml_text_is_loaded_with_its_hash():
    text = terms.shipped_catalogue_path().read_text(encoding="utf-8")
    loaded = terms.load_catalogue(text)
    assert loaded.version == 1 and len(loaded.sha256) == 64
    assert terms.load_catalogue(text.replace("\n", "\r\n")).sha256 == loaded.sha256
    with pytest.raises(RulebookInvalid) as raised:
        terms.load_catalogue(text.replace("min_months: 6", "min_months: six"))
    assert [str(e) for e in raised.value.errors] == [
        "instruments[2].min_months: must be an integer ≥ 0"
    ]


# -- the terms ---------------------------------------------------------------------------------

CATALOGUE = terms.parse_catalogue(SHIPPED)
KKK = (terms.Period("kkk", D(2020, 1, 1), D(2026, 12, 31)),)


def judge(instrument, on, *candidates):
    verdict = terms.evaluate(CATALOGUE.get(instrument), on, candidates)
    return verdict.eligible, verdict.reason


@pytest.mark.parametrize(
    ("start", "on", "expected"),
    [
        (D(2023, 12, 1), D(2024, 6, 1), (True, None)),
        (D(2023, 12, 2), D(2024, 6, 1), (False, "membership-too-short")),
        # as verification's min_months counts: 29 February minus 6 months is 29 August
        (D(2023, 8, 29), D(2024, 2, 29), (True, None)),
        (D(2023, 8, 30), D(2024, 2, 29), (False, "membership-too-short")),
    ],
)
def test_six_months_at_the_boundary(start, on, expected):
    assert judge("voucher-tie-break", on, terms.Candidate(1, "member", start, KKK)) == expected


def test_held_throughout_counts_renewals_without_a_gap():
    renewed = (
        terms.Period("kkk", D(2021, 1, 1), D(2023, 12, 31)),
        terms.Period("kkk", D(2024, 1, 1), D(2026, 12, 31)),
    )
    gap = (
        terms.Period("kkk", D(2021, 1, 1), D(2023, 12, 30)),
        terms.Period("kkk", D(2024, 1, 1), D(2026, 12, 31)),
    )
    member = D(2020, 1, 1)
    on = D(2024, 3, 1)
    assert judge("voucher-tie-break", on, terms.Candidate(1, "member", member, renewed)) == (
        True, None,
    )  # fmt: skip
    assert judge("voucher-tie-break", on, terms.Candidate(1, "member", member, gap)) == (
        False, "status-not-held-throughout",
    )  # fmt: skip
    assert terms.held_since(gap, ["kkk"], on) == D(2024, 1, 1)
    assert terms.held_since(renewed, ["kkk"], on) == D(2021, 1, 1)
    assert terms.held_since(renewed, ["pkw"], on) is None


def test_types_and_roles():
    pkw = (terms.Period("pkw", D(2021, 1, 1), D(2026, 12, 31)),)
    on = D(2024, 6, 1)
    coordinator = terms.Candidate(1, "coordinator", D(2015, 1, 1), pkw)
    assert judge("coordinators-2023", on, coordinator) == (True, None)
    assert judge("internationalisation", on, coordinator) == (False, "status-type-not-admitted")
    member = terms.Candidate(1, "member", D(2015, 1, 1), KKK)
    assert judge("internationalisation", on, member) == (False, "coordinator-only")
    assert judge("internationalisation", on) == (False, "not-a-member")


def test_full_months():
    assert terms.full_months(D(2023, 12, 2), D(2024, 6, 1)) == 5
    assert terms.full_months(D(2023, 12, 1), D(2024, 6, 1)) == 6
    assert terms.full_months(D(2024, 6, 2), D(2024, 6, 1)) == 0
    assert terms.full_months(D(2023, 8, 29), D(2024, 2, 29)) == 6
    assert terms.full_months(D(2023, 8, 31), D(2024, 2, 29)) == 5
