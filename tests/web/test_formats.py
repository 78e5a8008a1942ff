"""Dates and numbers in the language's format (keyclusters/formats/): 30.11.2026 and 1 234,50 in
Polish, 30 Nov 2026 and 1,234.50 in English; ids, years and machine values stay plain."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from keyclusters.benchmarking import services as benchmarking_services
from keyclusters.benchmarking.models import Edition, EditionState
from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import StageResult
from keyclusters.registry.models import Organisation
from tests.evaluation.conftest import RULEBOOK, submitted_application
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")
NBSP = "\xa0"  # the Polish thousands separator: a non-breaking space

SNIPPET = (
    "{% load l10n formatting %}"
    "{{ day|date:'SHORT_DATE_FORMAT' }}|{{ day|date:'DATE_FORMAT' }}|"
    "{{ moment|date:'SHORT_DATETIME_FORMAT' }}|{{ points|floatformat:2 }}|{{ many }}|"
    "{{ amount|floatformat:2 }}|{{ year|unlocalize }}|"
    "{{ iso|iso_date }}|{{ iso|iso_date:'DATE_FORMAT' }}|{{ 'not a date'|iso_date }}"
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            [
                "30.11.2026",
                "30 listopada 2026",
                "30.11.2026 16:00",
                "113,00",
                f"1{NBSP}234",
                f"1{NBSP}234,50",
                "2015",
                "01.03.2021",
                "1 marca 2021",
                "not a date",
            ],
        ),
        (
            "en",
            [
                "30 Nov 2026",
                "30 November 2026",
                "30 Nov 2026, 16:00",
                "113.00",
                "1,234",
                "1,234.50",
                "2015",
                "1 Mar 2021",
                "1 March 2021",
                "not a date",
            ],
        ),
    ],
)
def test_the_formats_of_each_language(language, expected):
    context = Context(
        {
            "day": dt.date(2026, 11, 30),
            "moment": dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC),  # 16:00 in Warsaw
            "points": Decimal("113"),
            "many": 1234,
            "amount": Decimal("1234.5"),
            "year": 2015,
            "iso": "2021-03-01",
        }
    )
    with translation.override(language):
        assert Template(SNIPPET).render(context).split("|") == expected


@pytest.mark.parametrize("language", ["pl", "en"])
def test_date_inputs_keep_iso_values(language):
    """<input type="date"> and "datetime-local" accept only ISO values, in every language."""
    with translation.override(language):
        date_input = forms.DateInput(attrs={"type": "date"}).render("on", dt.date(2026, 11, 30))
        moment = dt.datetime(2026, 11, 30, 16, 0)
        local_input = forms.DateTimeInput(attrs={"type": "datetime-local"}).render("at", moment)
        assert 'value="2026-11-30"' in date_input
        assert 'value="2026-11-30T16:00"' in local_input
        # and typed dates are read in both forms
        field = forms.DateField()
        assert field.clean("2026-11-30") == dt.date(2026, 11, 30)
    with translation.override("pl"):
        assert forms.DateField().clean("30.11.2026") == dt.date(2026, 11, 30)


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def call(db):
    rulebook = competition_services.store_rulebook(source=RULEBOOK)
    call = competition_services.create_call(
        name="Runda formatów",
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 11, 30, 16, 0, tzinfo=WARSAW),
        decision_on=dt.date(2027, 1, 15),
    )
    return competition_services.change_call_state(call=call, action="open")


@pytest.mark.parametrize(
    ("language", "dates", "decision", "organisations"),
    [
        ("pl", "04.05.2026 09:00 – 30.11.2026 16:00", "15.01.2027", f"1{NBSP}234"),
        ("en", "4 May 2026, 09:00 – 30 Nov 2026, 16:00", "15 Jan 2027", "1,234"),
    ],
)
def test_the_call_and_home_pages(client, call, language, dates, decision, organisations):
    Organisation.objects.bulk_create(
        Organisation(name=f"Firma {i}", nip=None, country="DE") for i in range(1234)
    )
    html = _get(client, reverse("competitions:call-detail", args=[call.pk]), language)
    assert f'<dd class="col-sm-9">{dates} (' in html
    assert f'<dd class="col-sm-9">{decision}</dd>' in html
    home = _get(client, reverse("web:home"), language)
    assert f'<div class="stat">{organisations}</div>' in home
    until = {"pl": "do 30.11.2026 16:00", "en": "until 30 Nov 2026, 16:00"}[language]
    assert f"</a> ({until})" in home


@pytest.mark.parametrize(
    ("language", "points"),
    [("pl", f"✓ 1{NBSP}113,50"), ("en", "✓ 1,113.50")],
)
def test_points_on_the_call_dashboard(client, call, language, points):
    application = submitted_application(call)
    StageResult.objects.create(
        application=application,
        stage="merit",
        result=StageResult.Result.PASSED,
        points=Decimal("1113.5"),
        max_points=Decimal("2000"),
        rulebook_sha256=call.rulebook.sha256,
    )
    client.force_login(UserFactory(roles=["operator"]))
    html = _get(client, reverse("competitions:call-dashboard", args=[call.pk]), language)
    assert f"<td>{points}</td>" in html


@pytest.mark.parametrize(
    ("language", "founded", "joined"),
    [("pl", "04.05.2011", "03.02.2016"), ("en", "4 May 2011", "3 Feb 2016")],
)
def test_ids_and_years_get_no_separator(client, language, founded, joined):
    cluster = ClusterFactory(pk=4321, founded_on=dt.date(2011, 5, 4))
    member = MembershipFactory(pk=12345, cluster=cluster, joined_on=dt.date(2016, 2, 3))
    html = _get(client, reverse("registry:cluster-detail", args=[cluster.pk]), language)
    assert f'<dd class="col-sm-8">{founded}</dd>' in html
    assert f'<tr data-membership="{member.pk}">' in html
    assert f'<td class="text-nowrap">{joined}</td>' in html
    framework = benchmarking_services.store_shipped_frameworks()[0]
    Edition.objects.create(
        framework=framework, year=2020, name="Edycja 2020", state=EditionState.PUBLISHED
    )
    html = _get(client, reverse("benchmarking:edition-list"), language)
    assert "<td>2020</td>" in html
