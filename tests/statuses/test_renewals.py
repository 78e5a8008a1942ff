"""Renewals: a status granted through a call to a cluster that held it (on the day before the
new one starts, or at most RENEWAL_WINDOW_DAYS days without it) is linked to the grant it renews;
the cluster's timeline shows the continuity or the gap in days (issue #14, part 4)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import decisions
from keyclusters.statuses import services, validity
from keyclusters.statuses.models import StatusGrant
from tests.evaluation.conftest import call, english, operator  # noqa: F401 (fixtures)
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

D = dt.date
DECISION = D(2026, 9, 30)  # the new statuses are valid from the decision


def continuity(response) -> list[str]:
    """The visible words under each grant of the timeline about what came before it."""
    found = re.findall(r'<div class="continuity">(.*?)</div>', response.content.decode(), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]


def g(start, end, withdrawn=None, pk=1):
    return SimpleNamespace(valid_from=start, valid_to=end, withdrawn_on=withdrawn, pk=pk)


# -- the rule -------------------------------------------------------------------------------


def test_the_window_is_a_year():
    assert validity.RENEWAL_WINDOW_DAYS == 365
    assert validity.is_renewal(0) and validity.is_renewal(365)
    assert not validity.is_renewal(366)


@pytest.mark.parametrize(
    ("end", "gap"),
    [
        (D(2026, 12, 31), 0),  # still valid on the new status's first day: an overlap
        (D(2026, 9, 30), 0),  # valid on its first day
        (D(2026, 9, 29), 0),  # held on the day before: continuity
        (D(2026, 9, 28), 1),  # one day without the status
        (D(2025, 9, 30), 364),
        (D(2025, 9, 29), 365),  # the window's last day
        (D(2025, 9, 28), 366),  # beyond it
        (D(2023, 9, 29), 1096),  # three years without it, 29.02.2024 among them
    ],
)
def test_the_gap_in_days(end, gap):
    previous = g(D(2020, 1, 1), end)
    assert validity.previous_grant([previous], DECISION) == (previous, gap)


def test_a_withdrawn_grant_ends_the_day_before_its_withdrawal():
    withdrawn = g(D(2023, 9, 30), D(2026, 9, 29), withdrawn=D(2026, 9, 1))
    assert validity.previous_grant([withdrawn], DECISION) == (withdrawn, 29)  # 1–29.09
    never = g(D(2023, 9, 30), D(2026, 9, 29), withdrawn=D(2023, 9, 30))
    assert validity.last_valid_day(valid_from=D(2023, 9, 30), valid_to=D(2026, 9, 29),
                                   withdrawn_on=D(2023, 9, 30)) is None  # fmt: skip
    assert validity.previous_grant([never], DECISION) is None


def test_the_previous_grant_is_the_one_valid_the_latest_before_the_new_one_starts():
    first = g(D(2015, 9, 23), D(2018, 9, 22), pk=1)
    second = g(D(2018, 9, 23), D(2021, 9, 22), pk=2)
    later = g(DECISION, D(2029, 9, 29), pk=3)  # starts the same day: not before it
    assert validity.previous_grant([second, later, first], DECISION) == (second, 1833)
    assert validity.previous_grant([first, second], D(2018, 9, 23)) == (first, 0)
    assert validity.previous_grant([first], D(2015, 9, 23)) is None


# -- through a call's decision --------------------------------------------------------------


def _previous(cluster, start, end, round_label="I"):
    return services.grant_status(
        cluster=cluster, round_label=round_label, decision_on=start, valid_from=start,
        valid_to=end, by=None,
    )  # fmt: skip


@pytest.fixture
def decided(call, operator):  # noqa: F811
    """Four clusters granted the status by one decision (30.09.2026): Alfa held it until
    31.12.2026, Beta never, Gamma's ended 366 days before (beyond the window), Delta's 365 days
    before (the window's last day)."""
    names = ("Klaster Alfa", "Klaster Beta", "Klaster Gamma", "Klaster Delta")
    applications = {
        name.split()[1].lower(): through_merit(call, operator, ("8", "7"), name=name)
        for name in names
    }
    earlier = {
        "alfa": _previous(applications["alfa"].cluster, D(2023, 12, 20), D(2026, 12, 31)),
        "gamma": _previous(applications["gamma"].cluster, D(2022, 9, 29), D(2025, 9, 28)),
        "delta": _previous(applications["delta"].cluster, D(2022, 9, 30), D(2025, 9, 29)),
    }
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    minister = UserFactory(roles=["decision-maker"])
    decisions.approve_recommendation(call=call, approved_on=DECISION, by=minister)
    granted = {
        key: StatusGrant.objects.get(application=application)
        for key, application in applications.items()
    }
    return SimpleNamespace(applications=applications, earlier=earlier, granted=granted)


def test_the_decision_links_a_holders_grant_to_the_one_it_renews(decided):
    granted, earlier = decided.granted, decided.earlier
    assert {k: (g.valid_from, g.renewal_of) for k, g in granted.items()} == {
        "alfa": (DECISION, earlier["alfa"]),  # held it that day: a renewal without a break
        "beta": (DECISION, None),  # never held it: a new status
        "gamma": (DECISION, None),  # 366 days without it: a new status
        "delta": (DECISION, earlier["delta"]),  # 365 days without it: still a renewal
    }
    assert earlier["alfa"].renewals.get() == granted["alfa"]


def test_the_timeline_shows_the_continuity_or_the_gap(client, decided):
    def page(key):
        cluster = decided.applications[key].cluster_id
        return client.get(reverse("statuses:cluster-history", args=[cluster]))

    response = page("alfa")
    assert [(g.round_label, g.gap_days) for g in response.context["grants"]] == [
        ("I", None),
        ("Runda pełna", 0),
    ]
    assert continuity(response) == ["Without a break."]
    assert "renewal of round I" in " ".join(response.content.decode().split())
    assert continuity(page("delta")) == ["After a break of 365 days without the status."]
    assert continuity(page("gamma")) == [
        "A new status, not a renewal of round I. 366 days without the status before it."
    ]
    assert continuity(page("beta")) == []


def test_the_timeline_says_one_day_in_the_singular(client, world):
    grant = _previous(world.lodz, D(2025, 1, 2), D(2027, 12, 31), round_label="VII")
    grant.renewal_of = world.grants["lodz"]  # 31.12.2024, then a day without the status
    grant.save()
    response = client.get(reverse("statuses:cluster-history", args=[world.lodz.pk]))
    assert continuity(response) == ["After a break of 1 day without the status."]


def test_the_timeline_of_imported_and_explicit_links_shows_their_gaps(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.get(reverse("statuses:cluster-history", args=[world.gap.pk]))
    assert continuity(response) == ["After a break of 109 days without the status."]
    response = client.get(reverse("statuses:cluster-history", args=[world.renewed.pk]))
    assert continuity(response) == ["Without a break."]
