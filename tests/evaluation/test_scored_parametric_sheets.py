"""The expert's sheet on a parametric stage scored by experts (issue #14): the applicant's figure
from the data the stage works from, the scale in words and the points the scale gives as a
suggestion, in the reader's language; the experts' points then make the stage as on an expert
stage."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from keyclusters.competitions.models import ApplicationRevision, StageResult
from keyclusters.evaluation import services
from keyclusters.evaluation.models import ScoreSheet
from tests.evaluation.conftest import make_expert
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
def in_parametric(operator):
    application = application_in_merit(open_call(), operator)
    for assignment in merit_experts(application, operator):
        mark(assignment, {"team_met": "met", "plan_met": "met"})
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in-evaluation", "parametric")
    return application


@pytest.fixture
def assignments(in_parametric, operator):
    """The two experts of the parametric stage (Celina, Dariusz), declared free of conflicts."""
    for name in ("Celina", "Dariusz"):
        make_expert(name)
    made = services.auto_assign(application=in_parametric, stage="parametric", by=operator)
    made = [a for a in made if a.expert.user.first_name in ("Celina", "Dariusz")]
    assert len(made) == 2
    made.sort(key=lambda a: a.expert.user.first_name)
    for assignment in made:
        services.declare(assignment=assignment, conflict=False, note="", by=assignment.expert.user)
    return made


def _hints(page: str) -> dict[str, dict]:
    """Per criterion title: the figure as (title, value) pairs, the scale's lines, the
    suggestion, and the points field's maximum."""
    hints = {}
    for row in re.findall(
        r"<tr>(.*?)</tr>",
        element(page, r"<table class=\"table align-middle\">.*?<tbody>(.*?)</tbody>"),
        re.S,
    ):
        title = text(element(row, r'<div class="fw-semibold">(.*?)</div>'))
        figure = element(row, r'<dl class="mb-1 figure">(.*?)</dl>')
        hints[title] = {
            "figure": list(
                zip(
                    [text(t) for t in re.findall(r"<dt[^>]*>(.*?)</dt>", figure, re.S)],
                    [text(d) for d in re.findall(r"<dd[^>]*>(.*?)</dd>", figure, re.S)],
                    strict=True,
                )
            ),
            "scale": [
                text(line)
                for line in re.findall(
                    r"<li>(.*?)</li>", element(row, r'<ul class="mb-1 scale">(.*?)</ul>'), re.S
                )
            ],
            "suggestion": text(element(row, r'<p class="mb-0 suggestion">(.*?)</p>')),
            "max": re.search(r'type="number"[^>]*max="([^"]*)"', row).group(1),
        }
    return hints


def test_the_sheet_shows_the_figure_the_scale_and_the_suggestion_in_english(
    client, in_parametric, assignments
):
    celina = assignments[0]
    client.force_login(celina.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[celina.pk])).content.decode()
    assert _hints(page) == {
        "Number of members": {
            "figure": [("Number of members", "7")],
            "scale": ["from 5: 4 points", "from 10: 7 points", "from 200: 10 points"],
            "suggestion": "The scale gives 4 points for this figure",
            "max": "10",
        },
        "Turnover": {
            "figure": [("The members' turnover (PLN m)", "12,345.5")],
            "scale": ["from 1,000: 1 point", "from 10,000.5: 6.5 points"],
            "suggestion": "The scale gives 6.5 points for this figure",
            "max": "8",
        },
        "Export": {
            "figure": [("Export share (%)", "37.5\xa0%")],
            "scale": ["from 10: 4 points", "from 40: 12 points"],
            "suggestion": "The scale gives 4 points for this figure",
            "max": "12",
        },
    }
    header = element(page, r'<p class="text-body-secondary">(.*?)</p>')
    assert text(header) == "Runda III · Stage II: parametric evaluation · maximum 30"


NUMBER = re.compile(r"\d[\d\xa0]*(?:[.,]\d+)?")


def test_the_figures_and_the_scale_follow_the_polish_number_format(
    client, in_parametric, assignments
):
    celina = assignments[0]
    client.force_login(celina.expert.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    page = client.get(reverse("evaluation:sheet", args=[celina.pk])).content.decode()
    hints = _hints(page)
    assert list(hints) == ["Liczba członków", "Obroty", "Eksport"]
    assert [hint["figure"] for hint in hints.values()] == [
        [("Liczba członków", "7")],
        [("Obroty członków (mln zł)", "12\xa0345,5")],
        [("Udział eksportu (%)", "37,5\xa0%")],
    ]
    # the sentences are translated later; their numbers are in the Polish format already
    assert [[NUMBER.findall(line) for line in hint["scale"]] for hint in hints.values()] == [
        [["5", "4"], ["10", "7"], ["200", "10"]],
        [["1\xa0000", "1"], ["10\xa0000,5", "6,5"]],
        [["10", "4"], ["40", "12"]],
    ]
    assert [NUMBER.findall(hint["suggestion"]) for hint in hints.values()] == [
        ["4"],
        ["6,5"],
        ["4"],
    ]
    # the field keeps the machine's number for the browser
    assert [hint["max"] for hint in hints.values()] == ["10", "8", "12"]


def test_the_figure_comes_from_the_data_the_stage_entered_with(client, in_parametric, assignments):
    entered = ApplicationRevision.objects.get(application=in_parametric, stage="parametric")
    assert (entered.data["turnover"], entered.data["members_total"]) == ("12345.5", 7)
    ApplicationRevision.objects.create(
        application=in_parametric,
        stage="later",
        number=entered.number + 1,
        data={**entered.data, "turnover": "5"},
        members=entered.members,
        documents=entered.documents,
        as_of=entered.as_of,
    )
    celina = assignments[0]
    client.force_login(celina.expert.user)
    page = client.get(reverse("evaluation:sheet", args=[celina.pk])).content.decode()
    assert _hints(page)["Turnover"]["figure"] == [("The members' turnover (PLN m)", "12,345.5")]


def test_the_experts_points_make_the_stage_as_on_an_expert_stage(
    client, in_parametric, assignments, operator
):
    celina, dariusz = assignments
    for assignment, points in (
        (celina, {"members": "4", "turnover": "6.5", "export": "4"}),
        (dariusz, {"members": "5", "turnover": "6", "export": "4"}),
    ):
        client.force_login(assignment.expert.user)
        fields = {f"points-{k}": v for k, v in points.items()}
        fields |= {f"why-{k}": "Zgodnie ze skalą" for k in points}
        done = client.post(
            reverse("evaluation:sheet", args=[assignment.pk]),
            {**fields, "action": "submit", "confirmed": "yes"},
        )
        assert done.status_code == 302
    assert dict(ScoreSheet.objects.get(assignment=celina).points) == {
        "members": "4",
        "turnover": "6.5",
        "export": "4",
    }
    result = StageResult.objects.get(application=in_parametric, stage="parametric")
    assert (result.state, result.result, result.points, result.max_points) == (
        "complete",
        "passed",
        Decimal("14.75"),
        Decimal("30"),
    )
    client.force_login(operator)
    page = client.get(reverse("evaluation:why", args=[in_parametric.pk])).content.decode()
    heading = element(page, r'<h2 class="h5 mt-4">(Stage II: parametric evaluation.*?)</h2>')
    assert text(heading) == "Stage II: parametric evaluation — 14.75 / 30"
    table = element(page, r"Stage II: parametric evaluation.*?<table[^>]*>(.*?)</table>")
    rows = [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    assert rows == [
        ["Criterion", "Expert Celina", "Expert Dariusz", "Result"],
        ["Number of members / 10", "4", "5", "4.50"],
        ["Turnover / 8", "6.5", "6", "6.25"],
        ["Export / 12", "4", "4", "4.00"],
    ]
    detail = client.get(reverse("competitions:application-detail", args=[in_parametric.pk]))
    body = detail.content.decode()
    stages = element(body, r'<ol class="list-group[^"]*">(.*?)</ol>')
    items = [text("<li" + item) for item in stages.split("<li class=")[1:]]
    assert items == [
        "Formal evaluation passed",
        "Stage I: pass/fail 2 of 2 criteria met "
        "The coordinator's team: Met (met by 2 of 2 experts) "
        "The action plan: Met (met by 2 of 2 experts) passed",
        "Stage II: parametric evaluation 14.75 / 30 passed",
    ]
    # no table of brackets for a stage the experts scored
    assert "Parametric score" not in body
