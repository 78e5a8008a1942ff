"""The expert's sheet on a pass-fail stage (issue #14): two answers in words instead of points,
saved as the marks the stage is decided from; the decided stage on "why this score" and on the
application's page, criterion by criterion, without points."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from keyclusters.competitions.models import StageResult
from keyclusters.evaluation import services
from keyclusters.evaluation.models import ScoreSheet
from tests.evaluation.sheet_rulebooks import (
    application_in_merit,
    element,
    mark,
    merit_experts,
    open_call,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_merit(operator):
    return application_in_merit(open_call(), operator)


@pytest.fixture
def first(in_merit, operator):
    """The first expert's assignment, declared free of conflicts."""
    assignment = merit_experts(in_merit, operator)[0]
    services.declare(assignment=assignment, conflict=False, note="", by=assignment.expert.user)
    return assignment


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _radios(page: str, criterion: str) -> list[tuple[str, bool, str]]:
    """Each radio of a criterion: (value, checked, the words of its label)."""
    found = []
    for tag in re.findall(rf'<input[^>]*name="points-{criterion}"[^>]*>', page):
        assert 'type="radio"' in tag
        value = re.search(r'value="([^"]*)"', tag).group(1)
        ident = re.search(r'id="([^"]*)"', tag).group(1)
        label = element(page, rf'<label class="form-check-label" for="{ident}">(.*?)</label>')
        found.append((value, " checked" in tag, text(label)))
    return found


def test_the_sheet_offers_two_answers_in_words_and_no_points(client, first):
    client.force_login(first.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[first.pk])).content.decode()
    assert _radios(page, "team_met") == [
        ("met", False, "Meets the criterion"),
        ("not-met", False, "Does not meet the criterion"),
    ]
    assert _radios(page, "plan_met") == [
        ("met", False, "Meets the criterion"),
        ("not-met", False, "Does not meet the criterion"),
    ]
    assert 'type="number"' not in page
    assert text(element(page, r'<th scope="col">(Assessment)</th>')) == "Assessment"
    header = element(page, r'<p class="text-body-secondary">(.*?)</p>')
    assert (
        text(header) == "Runda III · Stage I: pass/fail · each criterion met or not met, no points"
    )
    assert text(element(page, r'<p class="fw-semibold" id="sheet-total">(.*?)</p>')) == (
        "Total: 0 of 2 criteria met"
    )
    # nobody reads the stored codes
    visible = text(element(page, r"<main[^>]*>(.*)</main>"))
    assert "not-met" not in visible and "team_met" not in visible


def test_posting_the_sheet_without_javascript_saves_the_marks(client, first):
    client.force_login(first.expert.user)
    url = reverse("evaluation:sheet", args=[first.pk])
    fields = {
        "points-team_met": "met",
        "why-team_met": "Zespół pięciu osób na etatach",
        "points-plan_met": "not-met",
        "why-plan_met": "Plan bez harmonogramu",
    }
    saved = client.post(url, {**fields, "action": "save"})
    assert saved.status_code == 302
    assert _messages(saved) == ["The score sheet has been saved."]
    sheet = ScoreSheet.objects.get(assignment=first)
    assert (sheet.state, sheet.points, sheet.justifications) == (
        "draft",
        {"team_met": "met", "plan_met": "not-met"},
        {"team_met": "Zespół pięciu osób na etatach", "plan_met": "Plan bez harmonogramu"},
    )
    page = client.get(url).content.decode()
    assert _radios(page, "team_met") == [
        ("met", True, "Meets the criterion"),
        ("not-met", False, "Does not meet the criterion"),
    ]
    assert _radios(page, "plan_met") == [
        ("met", False, "Meets the criterion"),
        ("not-met", True, "Does not meet the criterion"),
    ]
    assert text(element(page, r'id="sheet-total">(.*?)</p>')) == "Total: 1 of 2 criteria met"

    asked = client.post(url, {**fields, "action": "submit"})
    assert "accounts/confirm.html" in [t.name for t in asked.templates]
    assert asked.context["facts"] == [
        ("Cluster", "Klaster Alfa"),
        ("The coordinator's team", "Meets the criterion"),
        ("The action plan", "Does not meet the criterion"),
        ("Total", "1 of 2 criteria met"),
    ]
    assert ScoreSheet.objects.get(assignment=first).state == "draft"
    done = client.post(url, {**fields, "action": "submit", "confirmed": "yes"})
    assert done.status_code == 302
    assert _messages(done) == ["The score sheet has been submitted: 1 of 2 criteria met."]
    sheet.refresh_from_db()
    assert (sheet.state, sheet.points) == ("submitted", {"team_met": "met", "plan_met": "not-met"})
    page = client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="met"[^>]*checked[^>]*disabled', page)


def test_a_missing_or_unknown_answer_is_named_and_nothing_is_written(client, first):
    client.force_login(first.expert.user)
    url = reverse("evaluation:sheet", args=[first.pk])
    refused = client.post(
        url,
        {
            "action": "save",
            "points-team_met": "perhaps",
            "why-team_met": "Nie wiem",
            "why-plan_met": "",
        },
    )
    assert refused.status_code == 200
    assert _messages(refused) == [
        "The coordinator's team: Say whether the criterion is met or not met."
    ]
    page = refused.content.decode()
    assert text(element(page, r'<div id="points-team_met-error"[^>]*>(.*?)</div>')) == (
        "Say whether the criterion is met or not met."
    )
    assert list(ScoreSheet.objects.filter(assignment=first).values_list("points")) == []
    # a submission without the second answer is refused, the first answer is kept as a draft
    incomplete = client.post(
        url,
        {
            "action": "submit",
            "points-team_met": "met",
            "why-team_met": "Zespół",
            "why-plan_met": "",
        },
    )
    assert incomplete.status_code == 200
    assert _messages(incomplete) == [
        "The action plan: Say whether the criterion is met or not met.",
        "The action plan: Justify your assessment.",
    ]
    sheet = ScoreSheet.objects.get(assignment=first)
    assert (sheet.state, sheet.points) == ("draft", {"team_met": "met"})


def test_the_autosave_keeps_a_mark_and_names_a_refused_one(client, first):
    client.force_login(first.expert.user)
    url = reverse("evaluation:autosave", args=[first.pk])
    saved = client.post(
        url, {"points-team_met": "not-met", "why-team_met": "Brak zespołu"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "Saved at" in saved.content.decode()
    sheet = ScoreSheet.objects.get(assignment=first)
    assert (sheet.points, sheet.justifications) == (
        {"team_met": "not-met"},
        {"team_met": "Brak zespołu"},
    )
    refused = client.post(
        url, {"points-team_met": "perhaps", "points-plan_met": "met"}, HTTP_HX_REQUEST="true"
    )
    answer = refused.content.decode()
    assert text(element(answer, r'<ul class="mb-0 text-danger">(.*?)</ul>')) == (
        "Assessment: The coordinator's team – Say whether the criterion is met or not met."
    )
    sheet.refresh_from_db()
    assert sheet.points == {"team_met": "not-met", "plan_met": "met"}


def _why_section(page: str) -> tuple[str, str, list[list[str]]]:
    """The pass-fail stage on "why this score": its heading, its verdict and its table rows."""
    heading = element(page, r'<h2 class="h5 mt-4">(Stage I: pass/fail.*?)</h2>')
    verdict = element(page, r'<p class="stage-verdict[^"]*">(.*?)</p>')
    table = element(page, r"Stage I: pass/fail.*?<table[^>]*>(.*?)</table>")
    rows = [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    return text(heading), text(verdict), rows


def test_why_this_score_shows_each_criterion_met_by_how_many_and_the_stage_failed(
    client, in_merit, operator
):
    anna, bogdan = merit_experts(in_merit, operator)
    mark(anna, {"team_met": "met", "plan_met": "met"})
    mark(bogdan, {"team_met": "true", "plan_met": "false"})
    result = StageResult.objects.get(application=in_merit, stage="merit")
    assert (result.state, result.result, result.points, result.max_points) == (
        "complete",
        "failed",
        0,
        0,
    )
    client.force_login(operator)
    page = client.get(reverse("evaluation:why", args=[in_merit.pk])).content.decode()
    assert _why_section(page) == (
        "Stage I: pass/fail — 1 of 2 criteria met",
        "Failed: not every criterion is met.",
        [
            ["Criterion", "Expert Anna", "Expert Bogdan", "Result"],
            ["The coordinator's team", "met", "met", "Met (met by 2 of 2 experts)"],
            ["The action plan", "met", "not met", "Not met (met by 1 of 2 experts)"],
        ],
    )
    section = element(page, r"(Stage I: pass/fail.*?</table>)")
    assert "0.00" not in section and "/ 0" not in section

    detail = client.get(reverse("competitions:application-detail", args=[in_merit.pk]))
    stages = element(detail.content.decode(), r'<ol class="list-group[^"]*">(.*?)</ol>')
    items = [text("<li" + item) for item in stages.split("<li class=")[1:]]
    assert items == [
        "Formal evaluation passed",
        "Stage I: pass/fail 1 of 2 criteria met "
        "The coordinator's team: Met (met by 2 of 2 experts) "
        "The action plan: Not met (met by 1 of 2 experts) failed",
        "Stage II: parametric evaluation",
    ]


def test_a_stage_every_expert_finds_met_passes_and_the_next_stage_collects_sheets(
    client, in_merit, operator
):
    anna, bogdan = merit_experts(in_merit, operator)
    mark(anna, {"team_met": "met", "plan_met": "met"})
    mark(bogdan, {"team_met": "met", "plan_met": "met"})
    in_merit.refresh_from_db()
    assert (in_merit.state, in_merit.stage) == ("in-evaluation", "parametric")
    client.force_login(operator)
    page = client.get(reverse("evaluation:why", args=[in_merit.pk])).content.decode()
    heading, verdict, rows = _why_section(page)
    assert (heading, verdict) == (
        "Stage I: pass/fail — 2 of 2 criteria met",
        "Passed: every criterion is met.",
    )
    assert rows[1:] == [
        ["The coordinator's team", "met", "met", "Met (met by 2 of 2 experts)"],
        ["The action plan", "met", "met", "Met (met by 2 of 2 experts)"],
    ]
