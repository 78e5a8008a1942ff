"""Surveys opened and answered at the same moment, in real threads on one database
(PostgreSQL, or a SQLite file: see tests/concurrency.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from keyclusters.surveys import services
from keyclusters.surveys.models import Survey, SurveyAnswer
from tests.concurrency import run_together

from .conftest import GOOD, open_survey

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_openings_of_the_same_survey_give_one(world):
    outcomes = run_together(lambda: open_survey(world), lambda: open_survey(world))
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1
    assert all(e is None or isinstance(e, ValidationError) for e in errors)
    assert Survey.objects.count() == 1


def test_two_openings_through_the_page_answer_without_a_500(world):
    data = {
        "cluster": world.cluster.pk,
        "year": world.year,
        "closes_on": (world.today + dt.timedelta(days=10)).isoformat(),
    }

    def post() -> int:
        client = Client(raise_request_exception=False)
        client.force_login(world.coordinator)
        return client.post(reverse("surveys:surveys"), data).status_code

    outcomes = run_together(post, post)
    assert sorted(o.value for o in outcomes) == [200, 302]  # one opened, one told on the form
    assert Survey.objects.count() == 1


def test_an_answer_and_the_closing_at_once(world):
    survey = open_survey(world)
    outcomes = run_together(
        lambda: services.submit_answers(survey=survey, raw=GOOD),
        lambda: services.close_survey(survey=survey, by=world.coordinator),
    )
    survey.refresh_from_db()
    assert survey.closed_at is not None
    assert outcomes[1].ok
    # the answer either came first (and is kept) or was refused after the closing
    assert SurveyAnswer.objects.count() == (1 if outcomes[0].ok else 0)
    assert outcomes[0].ok or isinstance(outcomes[0].error, ValidationError)
