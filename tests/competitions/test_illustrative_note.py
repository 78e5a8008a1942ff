"""Wherever a rulebook's points are shown, the page lists what in the rulebook is not official."""

import pytest
from django.urls import reverse

from keyclusters.competitions import services
from keyclusters.domain.rulebook import shipped_rulebook_path

pytestmark = pytest.mark.django_db


def _items(html: str) -> list[str]:
    start = html.index('class="alert alert-info illustrative"')
    block = html[start : html.index("</div>", start)]
    return [part.split("</li>")[0] for part in block.split("<li>")[1:]]


def test_the_rulebook_page_lists_what_is_not_official_in_the_readers_language(client):
    source = shipped_rulebook_path("kkk-2018").read_text(encoding="utf-8")
    stored = services.store_rulebook(source=source)
    url = reverse("competitions:rulebook-detail", args=[stored.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _items(english) == [
        "The split of points between the criteria",
        "The titles of the criteria",
        "The guidance for applicants and experts",
        "The criteria areas (taken from round IV of 2019)",
        "The titles of the areas",
        "The figures asked of the applicant",
        "The brackets of the parametric criteria",
        "The pass threshold",
        "The number of experts and how their scores are combined",
        "The topics of the Expert Panel",
        "The length of the presentation before the Expert Panel (20 minutes)",
        "The start of the status&#x27;s validity (the decision date) and its last day "
        "(the day before the third anniversary)",
        "The 7 days to complete formal deficiencies",
        "The order of the tie-breakers",
    ]
    polish = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert _items(polish)[3] == "Obszary kryteriów (przyjęte za rundą IV z 2019 r.)"
    assert "criteria-points" not in polish and "pass-threshold" not in polish


def test_a_rulebook_without_the_list_shows_no_note(client):
    from tests.evaluation.conftest import RULEBOOK

    stored = services.store_rulebook(source=RULEBOOK)
    html = client.get(reverse("competitions:rulebook-detail", args=[stored.pk])).content.decode()
    assert "illustrative" not in html


def test_a_topic_of_one_stage_is_named_with_that_stage(client):
    from tests.evaluation.conftest import RULEBOOK

    source = RULEBOOK.replace(
        "kind: status-competition\n",
        "kind: status-competition\nillustrative: [pass-threshold, stage-2-semantics]\n",
        1,
    )
    assert source != RULEBOOK
    stored = services.store_rulebook(source=source)
    url = reverse("competitions:rulebook-detail", args=[stored.pk])
    second = stored.parsed().stages[1]
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _items(html) == [
        "The pass threshold",
        f"What each stage assesses: {stage_title_en(stored.parsed(), second.id)}",
    ]


def stage_title_en(rulebook, stage_id):
    from django.utils import translation

    from keyclusters.competitions.rulebook_words import stage_title

    with translation.override("en"):
        return stage_title(rulebook, stage_id)


def test_a_topic_of_a_stage_the_rulebook_does_not_have_is_refused():
    from keyclusters.domain.rulebook import RulebookInvalid, load_rulebook
    from tests.evaluation.conftest import RULEBOOK

    source = RULEBOOK.replace(
        "kind: status-competition\n", "kind: status-competition\nillustrative: [stage-9-gates]\n", 1
    )
    with pytest.raises(RulebookInvalid) as invalid:
        load_rulebook(source)
    (error,) = invalid.value.errors
    assert error.path == "illustrative[0]"
    assert error.message % error.params == "names stage 9, which the rulebook does not have"
