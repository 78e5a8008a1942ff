"""The rulebooks shipped in rulebooks/ validate and carry the published facts of their rounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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

COMPETITIONS = ["kkk-2015", "kkk-2021", "kkk-2022"]


@pytest.fixture(scope="module", params=COMPETITIONS)
def rulebook(request):
    return load_shipped_rulebook(request.param)


def test_the_competition_rulebooks_are_shipped():
    assert set(COMPETITIONS) <= set(shipped_rulebook_ids())


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
    assert rulebook.status.validity.from_ == "decision"
    assert rulebook.status.validity.until is None
    assert [r.op for r in rulebook.eligibility] == ["present"] * 5


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
    assert rulebook.status.validity.until == date(2024, 12, 31)
    assert rulebook.status.validity.years is None


def test_kkk_2022():
    rulebook = load_shipped_rulebook("kkk-2022")
    assert [s.kind for s in rulebook.stages] == ["formal", "expert", "parametric", "panel"]
    assert [a.id for a in rulebook.areas] == FIVE_AREAS
    assert rulebook.maximum == Decimal("150")
    assert (rulebook.decision.pass_.op, rulebook.decision.pass_.value) == (">", Decimal("100"))
    assert not compare(rulebook.decision.pass_.op, Decimal("100"), rulebook.decision.pass_.value)
    assert compare(rulebook.decision.pass_.op, Decimal("100.01"), rulebook.decision.pass_.value)
    assert rulebook.status.validity.until == date(2025, 12, 17)
    public_policies = rulebook.area("public_policies")
    assert "sustainable_development" in [c.id for c in public_policies.criteria]
    assert public_policies.title["en"] == (
        "Activities for public policies, including sustainable development"
    )


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
    assert "illustrative" in readme
