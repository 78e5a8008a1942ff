"""The rulebooks shipped in rulebooks/ validate and carry the published facts of their rounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from keyclusters.domain.evaluation import status_validity, validity_start
from keyclusters.domain.rulebook import (
    SHIPPED_RULEBOOKS_DIR,
    compare,
    evaluate_eligibility,
    load_shipped_rulebook,
    score_parametric,
    shipped_rulebook_ids,
    source_sha256,
    validate_rulebook,
)
from keyclusters.domain.rulebook.loading import load_document
from keyclusters.domain.rulebook.model import ILLUSTRATIVE_TOPICS

COMPETITIONS = ["kkk-2015", "kkk-2016", "kkk-2018", "kkk-2019", "kkk-2021", "kkk-2022"]


def topics(rulebook) -> list[str]:
    """The known topics the rulebook lists as not official (its own texts left out)."""
    return [item for item in rulebook.illustrative if isinstance(item, str)]


@pytest.fixture(scope="module", params=COMPETITIONS)
def rulebook(request):
    return load_shipped_rulebook(request.param)


def test_the_competition_rulebooks_are_shipped():
    assert [r for r in shipped_rulebook_ids() if r.startswith("kkk-")] == COMPETITIONS


@pytest.mark.parametrize("rulebook_id", COMPETITIONS)
def test_a_shipped_rulebook_validates_without_any_error(rulebook_id):
    _text, data = load_document(SHIPPED_RULEBOOKS_DIR / f"{rulebook_id}.yaml")
    assert validate_rulebook(data) == []


def test_a_shipped_rulebook_is_illustrative_bilingual_and_hashed(rulebook):
    path = SHIPPED_RULEBOOKS_DIR / f"{rulebook.id}.yaml"
    assert rulebook.version == 1
    assert rulebook.kind == "status-competition"
    assert rulebook.illustrative_points is True
    assert rulebook.sha256 == source_sha256(path.read_text(encoding="utf-8"))
    assert set(rulebook.title) == {"pl", "en"}
    for area in rulebook.areas:
        assert set(area.title) == {"pl", "en"}, area.id
        for criterion in area.criteria:
            assert set(criterion.title) == {"pl", "en"}, criterion.id
            if rulebook.stage(criterion.stage).kind in {"expert", "panel"}:
                assert set(criterion.guidance) == {"pl", "en"}, criterion.id
    for stage in rulebook.stages:
        assert set(stage.title) == {"pl", "en"}, stage.id


EIGHT_AREAS = [
    "Organisational structure",
    "Strategy",
    "Cluster management",
    "Economic potential",
    "Innovativeness and international competitiveness",
    "Cooperation and its intensity",
    "Internationalisation",
    "Importance for the national and regional economy",
]


def test_kkk_2015():
    rulebook = load_shipped_rulebook("kkk-2015")
    assert [(s.id, s.kind) for s in rulebook.stages] == [
        ("formal", "formal"),
        ("merit_first", "expert"),
        ("merit_second", "expert"),
    ]
    assert [a.id for a in rulebook.areas] == [
        "critical_mass",
        "development_potential",
        "cooperation",
        "coordinator",
    ]
    assert len(rulebook.criteria(stage="merit_first")) == 8
    assert rulebook.maximum == Decimal("150")
    assert rulebook.decision.pass_.op == ">="
    assert rulebook.decision.pass_.value == Decimal("101")
    assert compare(rulebook.decision.pass_.op, Decimal("101"), rulebook.decision.pass_.value)
    assert compare(rulebook.decision.pass_.op, Decimal("113"), rulebook.decision.pass_.value)
    assert not compare(rulebook.decision.pass_.op, Decimal("100.99"), rulebook.decision.pass_.value)
    assert rulebook.status.validity.years == 3
    # the status ran 3 years from the issue date of the document confirming it
    assert rulebook.status.validity.from_ == "document"
    assert rulebook.status.validity.ending == "day-before"
    assert rulebook.status.validity.until is None
    assert [r.op for r in rulebook.eligibility] == ["present"] * 5
    # the decisive second stage: a sitting of a commission of experts at the ministry
    assert rulebook.stage("merit_second").title == {
        "pl": "Ocena merytoryczna – etap II (rozstrzygający): posiedzenie komisji ekspertów",
        "en": "Merit evaluation – second, decisive stage: sitting of the commission of experts",
    }
    assert [rulebook.stage_maximum(s.id) for s in rulebook.stages] == [
        Decimal("0"),
        Decimal("100"),
        Decimal("50"),
    ]
    # the eight 2015-2016 areas are the first stage's criteria; their grouping is ours
    assert sorted(c.title["en"] for _a, c in rulebook.criteria(stage="merit_first")) == sorted(
        EIGHT_AREAS
    )
    assert {"area-grouping", "maximum"} <= set(topics(rulebook))


FIVE_AREAS = [
    "resources",
    "economic_potential",
    "knowledge",
    "public_policies",
    "customer_orientation",
]


def test_kkk_2021():
    rulebook = load_shipped_rulebook("kkk-2021")
    assert [s.kind for s in rulebook.stages] == ["formal", "expert", "parametric", "panel"]
    assert [a.id for a in rulebook.areas] == FIVE_AREAS
    assert rulebook.maximum == Decimal("140")
    assert [rulebook.stage_maximum(s.id) for s in rulebook.stages] == [
        Decimal("0"),
        Decimal("80"),
        Decimal("30"),
        Decimal("30"),
    ]
    assert [(r.field, r.op, r.value) for r in rulebook.eligibility] == [
        ("years_active", ">=", Decimal("3")),
        ("members_total", ">=", Decimal("51")),
        ("strategy", "present", None),
    ]
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">=", Decimal("100"))
    # the renewal reported at 136/140 passes
    assert rulebook.decision.pass_.holds(Decimal("136"))
    assert rulebook.status.validity.until == date(2024, 12, 31)
    assert rulebook.status.validity.years is None
    # the official Polish titles of areas 2 and 3
    assert rulebook.area("economic_potential").title == {
        "pl": "Potencjał gospodarczy klastra",
        "en": "Economic potential of the cluster",
    }
    assert rulebook.area("knowledge").title == {
        "pl": "Tworzenie i transfer wiedzy",
        "en": "Knowledge creation and transfer",
    }
    # the threshold, the strategy requirement and the stages' meaning are not published
    assert {"pass-threshold", "stage-semantics"} <= set(topics(rulebook))
    assert {
        "pl": "Wymóg załączenia strategii rozwoju klastra",
        "en": "The requirement to attach a cluster development strategy",
    } in rulebook.illustrative


def test_kkk_2022():
    rulebook = load_shipped_rulebook("kkk-2022")
    assert [s.kind for s in rulebook.stages] == ["formal", "expert", "parametric", "panel"]
    assert [a.id for a in rulebook.areas] == FIVE_AREAS
    assert rulebook.maximum == Decimal("150")
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">", Decimal("100"))
    assert not compare(rulebook.decision.pass_.op, Decimal("100"), rulebook.decision.pass_.value)
    assert compare(rulebook.decision.pass_.op, Decimal("100.01"), rulebook.decision.pass_.value)
    assert rulebook.status.validity.until == date(2025, 12, 17)
    assert [rulebook.stage_maximum(s.id) for s in rulebook.stages] == [
        Decimal("0"),
        Decimal("90"),
        Decimal("30"),
        Decimal("30"),
    ]
    assert rulebook.stage("formal").title == {
        "pl": "Sprawdzenie danych i kompletności wniosku",
        "en": "Check of the data and completeness",
    }
    # the last merit part is a Panel meeting with the cluster's representatives, on five topics
    panel = rulebook.stage("panel")
    assert panel.title["en"] == (
        "Merit evaluation – part III: Expert Panel meeting with the cluster's representatives"
    )
    assert panel.presentation is not None and panel.presentation.minutes == 20
    assert [(a.id, c.title["en"]) for a, c in rulebook.criteria(stage="panel")] == [
        ("resources", "Presentation of the cluster's strategy"),
        ("economic_potential", "Internationalisation"),
        ("knowledge", "Knowledge transfer"),
        ("public_policies", "Public policies"),
        ("customer_orientation", "Successes and benefits for the members"),
    ]
    assert rulebook.area("economic_potential").title["pl"] == "Potencjał gospodarczy klastra"
    assert rulebook.area("knowledge").title["pl"] == "Tworzenie i transfer wiedzy"
    # the names of merit parts I and II and the eligibility rules are not published for 2022
    assert "eligibility" in topics(rulebook)
    assert {
        "pl": "Nazwy i zakres etapów I i II oceny merytorycznej",
        "en": "The names and scope of merit parts I and II",
    } in rulebook.illustrative
    public_policies = rulebook.area("public_policies")
    assert "sustainable_development" in [c.id for c in public_policies.criteria]
    assert public_policies.title["en"] == (
        "Activities for public policies, including sustainable development"
    )


def test_kkk_2016():
    rulebook = load_shipped_rulebook("kkk-2016")
    assert [a.title["en"] for a in rulebook.areas] == EIGHT_AREAS
    assert [(s.id, s.kind) for s in rulebook.stages] == [
        ("formal", "formal"),
        ("merit_first", "expert"),
        ("merit_second", "expert"),
    ]
    assert rulebook.maximum == Decimal("150")
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">=", Decimal("101"))
    # a holder's status of round II ran 21.10.2016-31.10.2019
    assert rulebook.status.validity.until == date(2019, 10, 31)
    assert rulebook.status.validity.years is None
    # the stages, the maximum, the threshold and the formal check are those of 2015, repeated
    assert {"maximum", "pass-threshold", "eligibility"} <= set(topics(rulebook))


def test_kkk_2018_renewal_only_pass_fail_then_expert_scored_parametric_then_panel():
    rulebook = load_shipped_rulebook("kkk-2018")
    holders = rulebook.applicants.holders
    assert holders is not None
    assert holders.status_type == "kkk"
    assert holders.ends_range == (date(2018, 1, 1), date(2018, 12, 31))
    assert [(s.id, s.kind) for s in rulebook.stages] == [
        ("formal", "formal"),
        ("merit", "expert"),
        ("parametric", "parametric"),
        ("panel", "panel"),
    ]
    merit, parametric, panel = rulebook.stages[1:]
    # stage I: pass/fail, "meets all criteria"
    assert merit.aggregation == "all-pass"
    assert merit.pass_fail is True
    assert merit.gate is None
    assert len(rulebook.criteria(stage="merit")) == 6
    assert all(c.pass_fail for _a, c in rulebook.criteria(stage="merit"))
    # stage II: parametric, scored by two independent external experts
    assert (parametric.scored_by, parametric.experts) == ("experts", 2)
    assert parametric.scored_by_experts is True
    assert all(c.field and c.brackets for _a, c in rulebook.criteria(stage="parametric"))
    # stage III: a presentation before the Expert Panel
    assert panel.presentation is not None and panel.presentation.minutes == 20
    assert rulebook.maximum == Decimal("140")
    assert [rulebook.stage_maximum(s.id) for s in rulebook.stages] == [
        Decimal("0"),
        Decimal("0"),
        Decimal("100"),
        Decimal("40"),
    ]
    # the best result, 128/140, passes the (illustrative) threshold
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">=", Decimal("100"))
    assert rulebook.decision.pass_.holds(Decimal("128"))
    assert "pass-threshold" in topics(rulebook)
    assert rulebook.status.type == "kkk"
    assert (rulebook.status.validity.years, rulebook.status.validity.until) == (3, None)


SIX_AREAS_2019 = [
    "Human and organisational resources",
    "Infrastructural and financial resources",
    "Economic potential",
    "Knowledge creation and transfer",
    "Public policies",
    "Customer orientation",
]


def test_kkk_2019_signed_by_the_chair_and_valid_through_the_anniversary():
    rulebook = load_shipped_rulebook("kkk-2019")
    assert [a.title["en"] for a in rulebook.areas] == SIX_AREAS_2019
    assert [s.kind for s in rulebook.stages] == ["formal", "expert", "panel"]
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">=", Decimal("100"))
    assert rulebook.decision.pass_.holds(Decimal("100"))
    assert not rulebook.decision.pass_.holds(Decimal("99.99"))
    assert rulebook.decision.signed_by == "chair"
    validity = rulebook.status.validity
    assert (validity.years, validity.from_, validity.ends, validity.until) == (
        3,
        "decision",
        "anniversary",
        None,
    )
    assert rulebook.maximum == Decimal("140")
    assert "maximum" in topics(rulebook)


@pytest.mark.parametrize(
    ("rulebook_id", "decided_on", "document_issued_on", "valid"),
    [
        # the title from the signature of 23.09.2015; the status from the document confirming it
        ("kkk-2015", date(2015, 9, 23), None, None),
        ("kkk-2015", date(2015, 9, 23), date(2015, 9, 23), (date(2015, 9, 23), date(2018, 9, 22))),
        ("kkk-2016", date(2016, 10, 21), None, (date(2016, 10, 21), date(2019, 10, 31))),
        ("kkk-2018", date(2018, 12, 17), None, (date(2018, 12, 17), date(2021, 12, 16))),
        # approved on 28.08.2019, valid "until 28.08.2022"
        ("kkk-2019", date(2019, 8, 28), None, (date(2019, 8, 28), date(2022, 8, 28))),
        ("kkk-2021", date(2021, 12, 20), None, (date(2021, 12, 20), date(2024, 12, 31))),
        ("kkk-2022", date(2022, 12, 19), None, (date(2022, 12, 19), date(2025, 12, 17))),
    ],
)
def test_the_status_validity_of_each_round(rulebook_id, decided_on, document_issued_on, valid):
    rules = load_shipped_rulebook(rulebook_id).status
    start = validity_start(rules, decided_on, document_issued_on)
    assert (start and status_validity(rules, start)) == valid


# (file, maximum, pass rule, whether the maximum and the threshold are official)
FACTS = {
    "kkk-2015": (Decimal("150"), (">=", Decimal("101")), False, True),
    "kkk-2016": (Decimal("150"), (">=", Decimal("101")), False, False),
    "kkk-2018": (Decimal("140"), (">=", Decimal("100")), True, False),
    "kkk-2019": (Decimal("140"), (">=", Decimal("100")), False, True),
    "kkk-2021": (Decimal("140"), (">=", Decimal("100")), True, False),
    "kkk-2022": (Decimal("150"), (">", Decimal("100")), True, True),
}


@pytest.mark.parametrize("rulebook_id", COMPETITIONS)
def test_what_is_not_official_is_listed(rulebook_id):
    rulebook = load_shipped_rulebook(rulebook_id)
    maximum, rule, official_maximum, official_threshold = FACTS[rulebook_id]
    assert rulebook.maximum == maximum
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == rule
    # no official point annex was available for any round
    assert rulebook.illustrative_points is True
    assert rulebook.illustrative[0] == "criteria-points"
    assert ("maximum" in topics(rulebook)) is not official_maximum
    assert ("pass-threshold" in topics(rulebook)) is not official_threshold
    for item in rulebook.illustrative:
        if isinstance(item, str):
            assert item in ILLUSTRATIVE_TOPICS
        else:
            assert set(item) == {"pl", "en"}
    assert len(rulebook.illustrative) == len(
        {i if isinstance(i, str) else i["en"] for i in rulebook.illustrative}
    )
    # the file says it in a comment too
    assert "# Illustrative (not in any public source" in rulebook.source


def test_kkk_2021_eligibility_at_the_published_limits():
    rulebook = load_shipped_rulebook("kkk-2021")
    values = {
        "years_active": 3,
        "members_total": 51,
        "strategy": "strategy.pdf",
        "action_plan": "plan.pdf",
    }
    assert evaluate_eligibility(rulebook, values).passed is True
    result = evaluate_eligibility(rulebook, {**values, "years_active": 2, "members_total": 50})
    assert result.reasons("pl") == [
        "Klaster działa krócej niż 3 lata",
        "Klaster ma mniej niż 51 członków",
    ]
    assert result.reasons("en") == [
        "The cluster operates for less than 3 years",
        "The cluster has fewer than 51 members",
    ]


def test_kkk_2021_parametric_stage():
    rulebook = load_shipped_rulebook("kkk-2021")
    values = {
        "members_total": 60,
        "enterprises_share": 80,
        "export_share": Decimal("30.5"),
        "rd_projects": 12,
        "patents": 3,
    }
    result = score_parametric(rulebook, values)
    assert result.points() == {
        "members": Decimal("4"),
        "enterprises_share": Decimal("5"),
        "export_share": Decimal("4"),
        "rd_intensity": Decimal("4"),
        "patent_intensity": Decimal("2"),
    }
    assert result.total == Decimal("19")
    assert result.max == Decimal("30")


def test_the_readme_summarises_every_shipped_rulebook():
    readme = (SHIPPED_RULEBOOKS_DIR / "README.md").read_text(encoding="utf-8")
    for rulebook_id in COMPETITIONS:
        assert f"`{rulebook_id}.yaml`" in readme
        assert f"### `{rulebook_id}.yaml`" in readme
    assert "illustrative" in readme
