"""Opening, answering through the link, closing and the results of a member survey."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from keyclusters.surveys import selectors, services
from keyclusters.surveys.models import Survey, SurveyAnswer
from tests.factories import ClusterFactory

from .conftest import GOOD, open_survey

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- opening ----------------------------------------------------------------------------------


def test_the_coordinator_opens_the_survey_from_the_page(client, world):
    client.force_login(world.coordinator)
    closes_on = world.today + dt.timedelta(days=20)
    response = client.post(
        reverse("surveys:surveys"),
        {"cluster": world.cluster.pk, "year": world.year, "closes_on": closes_on.isoformat()},
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("surveys:survey", args=[survey.pk])
    assert (survey.cluster, survey.year, survey.closes_on) == (world.cluster, world.year, closes_on)
    assert survey.framework == world.framework
    assert survey.opened_by == world.coordinator
    assert len(survey.token) == 43  # 32 random bytes, URL-safe base64

    page = client.get(reverse("surveys:survey", args=[survey.pk]), **EN)
    link = f"http://testserver/surveys/a/{survey.token}/"
    assert page.status_code == 200
    assert f'value="{link}"' in page.content.decode()
    assert page.context["answers"] == 0


def test_the_coordinator_of_another_cluster_gets_403(client, world):
    client.force_login(world.other_coordinator)
    response = client.post(
        reverse("surveys:surveys"),
        {"cluster": world.cluster.pk, "year": world.year,
         "closes_on": (world.today + dt.timedelta(days=20)).isoformat()},
    )  # fmt: skip
    # the cluster is not among the form's choices: named on the field, nothing written
    assert response.status_code == 200
    assert "cluster" in response.context["form"].errors
    assert not Survey.objects.exists()
    with pytest.raises(PermissionDenied):
        open_survey(world, by=world.other_coordinator)
    survey = open_survey(world)
    for name in ("surveys:survey", "surveys:results"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 403
    closing = client.post(reverse("surveys:survey", args=[survey.pk]), {"confirmed": "yes"})
    assert closing.status_code == 403
    survey.refresh_from_db()
    assert survey.closed_at is None


def test_a_member_firm_cannot_open_a_survey(client, world):
    client.force_login(world.member)
    assert client.get(reverse("surveys:surveys")).status_code == 403
    assert client.post(reverse("surveys:surveys"), {"cluster": world.cluster.pk}).status_code == 403


def test_one_survey_per_cluster_and_year(world, english):
    open_survey(world)
    with pytest.raises(ValidationError) as caught:
        open_survey(world, closes_on=world.today + dt.timedelta(days=5))
    assert caught.value.message_dict == {
        "year": [f"The survey of Klaster Północ on {world.year} is already open."]
    }
    assert Survey.objects.count() == 1
    open_survey(world, year=world.year + 1)  # this year: another survey
    assert Survey.objects.count() == 2


def test_bad_opening_names_the_field(world, english):
    with pytest.raises(ValidationError) as caught:
        open_survey(world, year=world.year + 2, closes_on=world.today - dt.timedelta(days=1))
    assert caught.value.message_dict == {
        "year": [f"Choose a year from 2000 to {world.today.year}."],
        "closes_on": ["The last day of answers must not be in the past."],
    }
    with pytest.raises(ValidationError) as caught:
        open_survey(world, year=world.year - 5)
    assert caught.value.message_dict == {
        "year": [f"Klaster Północ held no key cluster status in {world.year - 5}."]
    }
    assert not Survey.objects.exists()


# --- answering --------------------------------------------------------------------------------


def answer_url(survey) -> str:
    return reverse("surveys:answer", args=[survey.token])


def test_an_answer_through_the_link_stores_the_answers_and_the_day_only(client, world):
    survey = open_survey(world)
    page = client.get(answer_url(survey), **EN)
    assert page.status_code == 200
    body = page.content.decode()
    assert "How satisfied are you with the services" in body
    assert "Very useful" in body
    polish = client.get(answer_url(survey)).content.decode()
    assert "Jak ocenia Pan/Pani usługi koordynatora" in polish

    response = client.post(answer_url(survey), GOOD, REMOTE_ADDR="203.0.113.7", **EN)
    assert response.status_code == 200
    thanks = "Your answers to the survey of Klaster Północ were recorded."
    assert thanks in response.content.decode()
    row = SurveyAnswer.objects.get()
    assert row.answers == {
        "coordinator_services": 4,
        "joint_projects_useful": "very",
        "would_recommend": 9,
        "suggestions": "Więcej szkoleń.",
    }
    assert row.submitted_on == world.today
    # nothing else: no time, no address, no person, no cookie-linked id
    assert {f.name for f in SurveyAnswer._meta.concrete_fields} == {
        "id", "survey", "answers", "submitted_on",
    }  # fmt: skip
    assert "203.0.113.7" not in repr(SurveyAnswer.objects.values().get())
    assert "sessionid" not in response.cookies


def test_repeated_answers_are_accepted(client, world):
    survey = open_survey(world)
    for _ in range(3):
        assert client.post(answer_url(survey), GOOD).status_code == 200
    assert SurveyAnswer.objects.count() == 3


def test_a_bad_token_is_404(client, world):
    open_survey(world)
    assert client.get(reverse("surveys:answer", args=["nie-ma-takiego"])).status_code == 404
    assert client.post(reverse("surveys:answer", args=["nie-ma-takiego"]), GOOD).status_code == 404


def test_a_bad_value_names_the_question_and_writes_nothing(client, world):
    survey = open_survey(world)
    response = client.post(
        answer_url(survey), {**GOOD, "coordinator_services": "7", "would_recommend": ""}, **EN
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was recorded." in body
    assert (
        "How satisfied are you with the services the cluster&#x27;s coordinator provides to the "
        "members?: must be a whole number from 1 to 5"
    ) in body
    assert (
        "How likely are you to recommend membership of the cluster to another organisation?: "
        "needs an answer"
    ) in body
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_refuses_answers(client, world, english):
    survey = open_survey(world)
    client.force_login(world.coordinator)
    asked = client.post(reverse("surveys:survey", args=[survey.pk]), {"action": "close"}, **EN)
    assert "The link stops accepting answers at once" in asked.content.decode()
    survey.refresh_from_db()
    assert survey.closed_at is None  # asked first
    confirmed = {"action": "close", "confirmed": "yes"}
    client.post(reverse("surveys:survey", args=[survey.pk]), confirmed)
    survey.refresh_from_db()
    assert survey.closed_at is not None and survey.closed_by == world.coordinator
    client.logout()

    page = client.get(answer_url(survey), **EN)
    assert "is closed: answers are no longer accepted" in page.content.decode()
    refused = client.post(answer_url(survey), GOOD, **EN)
    assert "is closed: answers are no longer accepted" in refused.content.decode()
    assert not SurveyAnswer.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.submit_answers(survey=survey, raw=GOOD)
    assert caught.value.messages == ["The survey is closed: answers are no longer accepted."]
    with pytest.raises(ValidationError):
        services.close_survey(survey=survey, by=world.coordinator)


def test_after_the_last_day_the_survey_is_closed(client, world):
    survey = open_survey(world, closes_on=world.today)
    Survey.objects.filter(pk=survey.pk).update(closes_on=world.today - dt.timedelta(days=1))
    client.post(answer_url(survey), GOOD)
    assert not SurveyAnswer.objects.exists()


def test_answers_are_limited_per_address(client, world, settings):
    settings.SURVEY_ANSWER_RATE = "2/h"
    survey = open_survey(world)
    statuses = [
        client.post(answer_url(survey), GOOD, REMOTE_ADDR="198.51.100.4").status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert SurveyAnswer.objects.count() == 2
    # another address is counted apart
    assert client.post(answer_url(survey), GOOD, REMOTE_ADDR="198.51.100.5").status_code == 200


# --- results ----------------------------------------------------------------------------------


def answer_many(survey, rows):
    for recommend, services_score, useful, text in rows:
        services.submit_answers(
            survey=survey,
            raw={"coordinator_services": str(services_score), "joint_projects_useful": useful,
                 "would_recommend": str(recommend), "suggestions": text},
        )  # fmt: skip


ROWS = [
    (9, 4, "very", "Więcej szkoleń."),
    (10, 5, "very", "Dobra współpraca."),
    (7, 3, "somewhat", "Lepsza strona."),
    (8, 4, "none", "Mniej maili."),
    (6, 2, "not", "Częstsze spotkania."),
]
TEXTS = [row[3] for row in ROWS]  # in the order given


def close(survey, world):
    return services.close_survey(survey=survey, by=world.coordinator)


def results_page(client, survey, **headers) -> str:
    response = client.get(reverse("surveys:results", args=[survey.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_results_are_hidden_while_the_survey_is_open_even_above_the_minimum(client, world):
    survey = open_survey(world, closes_on=world.today + dt.timedelta(days=3))
    answer_many(survey, ROWS + [(9, 4, "very", "Więcej targów."), (8, 3, "somewhat", "")])
    results = selectors.results(survey, today=world.today)
    assert (results.answers, results.minimum, results.closed, results.shown) == (7, 5, False, False)
    assert results.questions == []
    # still open on its last day
    on_the_last_day = selectors.results(survey, today=world.today + dt.timedelta(days=3))
    assert (on_the_last_day.closed, on_the_last_day.questions) == (False, [])

    client.force_login(world.coordinator)
    body = results_page(client, survey, **EN)
    assert '<p data-survey="answers">7 answers.</p>' in body  # the number only
    assert (
        "Results are shown after the survey closes, so that no single answer can be traced."
    ) in body
    with translation.override("en"):
        last_day = date_format(world.today + dt.timedelta(days=3), "j E Y")
    assert f"Its last day of answers is {last_day}." in body
    assert 'data-survey="question"' not in body
    assert 'data-survey="mean"' not in body
    assert 'data-survey="count"' not in body
    for text in TEXTS:
        assert text not in body
    polish = results_page(client, survey)
    assert "7 odpowiedzi." in polish

    # the day after its last day it is closed: the results are shown
    after = selectors.results(survey, today=world.today + dt.timedelta(days=4))
    assert (after.closed, after.shown) == (True, True)
    assert [q.count for q in after.questions] == [7, 7, 7, 6]


def test_closing_the_survey_early_shows_the_results(client, world):
    survey = open_survey(world)
    answer_many(survey, ROWS)
    client.force_login(world.coordinator)
    assert 'data-survey="question"' not in results_page(client, survey, **EN)
    asked = client.post(reverse("surveys:survey", args=[survey.pk]), {"action": "close"}, **EN)
    assert "Its results are shown from then on, if enough members have answered." in (
        asked.content.decode()
    )
    assert 'data-survey="question"' not in results_page(client, survey, **EN)  # asked only
    client.post(
        reverse("surveys:survey", args=[survey.pk]), {"action": "close", "confirmed": "yes"}
    )
    survey.refresh_from_db()
    results = selectors.results(survey)
    assert (results.answers, results.closed, results.shown) == (5, True, True)
    body = results_page(client, survey, **EN)
    assert body.count('data-survey="question"') == 4
    assert "Results are shown after the survey closes" not in body
    assert '<span data-survey="mean">3.6</span>' in body


def test_results_are_suppressed_below_the_minimum_after_the_closing(client, world):
    survey = open_survey(world)
    answer_many(survey, ROWS[:4])
    survey = close(survey, world)
    results = selectors.results(survey)
    assert (results.answers, results.minimum, results.closed, results.shown) == (4, 5, True, False)
    assert results.questions == []
    client.force_login(world.operator)
    body = results_page(client, survey, **EN)
    assert "Fewer than 5 answers: results are not shown so that no answer can be traced." in body
    assert "Results are shown after the survey closes" not in body
    assert "Więcej szkoleń." not in body
    assert 'data-survey="mean"' not in body


def test_results_are_shown_at_the_minimum(client, world):
    survey = open_survey(world)
    answer_many(survey, ROWS)
    survey = close(survey, world)
    results = selectors.results(survey, shuffle=random.Random(3))
    assert (results.shown, results.answers) == (True, 5)
    scale, choice, recommend, text = results.questions
    with_labels = "1 (bardzo niezadowolony)", "2", "3", "4", "5 (bardzo zadowolony)"
    assert (scale.count, scale.suppressed, scale.mean) == (5, False, Decimal("3.6"))
    expected = list(zip(with_labels, [0, 1, 1, 2, 1], strict=True))
    assert [(r.label, r.count) for r in scale.rows] == expected
    assert (recommend.count, recommend.mean) == (5, Decimal("8.0"))
    assert [r.count for r in recommend.rows] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert [(r.label, r.count) for r in choice.rows] == [
        ("Bardzo przydatne", 2), ("Raczej przydatne", 1), ("Nieprzydatne", 1),
        ("Nie uczestniczyliśmy", 1),
    ]  # fmt: skip
    assert choice.mean is None
    assert (text.count, text.suppressed, text.mean, text.rows) == (5, False, None, [])
    # shuffled: not in the order given
    assert text.texts == [
        "Więcej szkoleń.", "Lepsza strona.", "Mniej maili.", "Częstsze spotkania.",
        "Dobra współpraca.",
    ]  # fmt: skip
    assert text.texts != TEXTS

    client.force_login(world.decision_maker)
    body = results_page(client, survey)  # Polish: a decimal comma
    assert '<span data-survey="mean">3,6</span>' in body
    assert '<span data-survey="mean">8,0</span>' in body
    english = results_page(client, survey, **EN)
    assert '<span data-survey="mean">3.6</span>' in english
    assert "Fewer than" not in english
    texts = english.split('<ul data-survey="texts">', 1)[1].split("</ul>", 1)[0]
    assert sorted(texts.removeprefix("<li>").removesuffix("</li>").split("</li><li>")) == sorted(
        TEXTS
    )


def test_a_question_answered_fewer_times_than_the_minimum_is_suppressed(client, world):
    survey = open_survey(world)
    # six answers, four of them with a suggestion (the optional question)
    answer_many(survey, [(*row[:3], "") if n in (1, 3) else row for n, row in enumerate(ROWS)])
    answer_many(survey, [(9, 5, "very", "")])
    survey = close(survey, world)
    results = selectors.results(survey)
    assert (results.answers, results.shown) == (6, True)
    scale, choice, recommend, text = results.questions
    assert (scale.count, scale.suppressed, scale.mean) == (6, False, Decimal("3.8"))
    assert [r.count for r in scale.rows] == [0, 1, 1, 2, 2]
    assert [r.count for r in choice.rows] == [3, 1, 1, 1]
    assert (recommend.count, recommend.mean) == (6, Decimal("8.2"))
    assert [r.count for r in recommend.rows] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1]
    assert (text.title, text.type, text.count, text.suppressed) == (
        "Co koordynator mógłby robić lepiej?", "text", None, True,
    )  # fmt: skip
    assert (text.mean, text.rows, text.texts) == (None, [], [])

    client.force_login(world.coordinator)
    body = results_page(client, survey, **EN)
    assert body.count('data-survey="question"') == 4
    assert body.count('data-survey="question-suppressed"') == 1
    assert (
        "Fewer than 5 answers to this question: not shown so that no answer can be traced."
    ) in body
    assert 'data-survey="texts"' not in body
    for given in ("Więcej szkoleń.", "Lepsza strona.", "Częstsze spotkania."):
        assert given not in body
    assert '<span data-survey="mean">3.8</span>' in body


def test_the_mean_is_rounded_half_up_to_one_decimal(world):
    survey = open_survey(world)
    answer_many(survey, [(5, 1, "very", ""), (5, 1, "very", ""), (5, 2, "very", ""),
                         (5, 2, "very", ""), (5, 2, "very", ""), (5, 2, "very", ""),
                         (5, 2, "very", ""), (5, 2, "very", "")])  # fmt: skip
    survey = close(survey, world)
    assert selectors.results(survey).questions[0].mean == Decimal("1.8")  # 1.75


def test_the_list_shows_each_person_their_surveys(client, world):
    mine = open_survey(world)
    theirs = open_survey(world, cluster=world.other, by=world.other_coordinator)
    client.force_login(world.coordinator)
    assert list(client.get(reverse("surveys:surveys")).context["surveys"]) == [mine]
    client.force_login(world.operator)
    listed = client.get(reverse("surveys:surveys")).context
    assert set(listed["surveys"]) == {mine, theirs}
    assert listed["form"] is None


def test_the_coordinators_dashboard_lists_the_surveys_still_to_open(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # a cluster of the same coordinator without a status last year is never listed
    third = ClusterFactory(name="Klaster Zachód", coordinator=world.cluster.coordinator)
    with CaptureQueriesContext(connection) as queries:
        year, clusters = selectors.surveys_to_open(world.cluster.coordinator_id, world.today)
    assert len(queries) == 3
    assert (year, clusters) == (world.year, [world.cluster])
    assert third not in clusters
    client.force_login(world.coordinator)
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    listed = page.split('data-list="surveys-to-open"', 1)[1].split("</div>", 1)[0]
    assert f"Członkowie tych klastrów nie zostali jeszcze zapytani o rok {world.year}:" in listed
    assert f'href="/surveys/?cluster={world.cluster.pk}#open-survey"' in listed
    assert "Otwórz ankietę wśród członków: Klaster Północ" in listed
    assert "Klaster Południe" not in listed  # another coordinator's
    # the link opens the form with the cluster chosen
    form = client.get(f"/surveys/?cluster={world.cluster.pk}").content.decode()
    assert f'<option value="{world.cluster.pk}" selected>' in form
    # once the survey is open, nothing is left to open
    open_survey(world)
    assert selectors.surveys_to_open(world.cluster.coordinator_id, world.today) == (world.year, [])
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'data-list="surveys-to-open"' not in page
    assert selectors.surveys_to_open(None, world.today) == (world.year, [])
