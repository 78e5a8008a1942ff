"""Demo statuses: historical rounds, renewals (with and without a gap), a withdrawal, a current
round, a supra-regional growth cluster status beside the key cluster ones, an API key of the demo
funding agency and a status certificate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from keyclusters.accounts.models import User
from keyclusters.registry.models import Cluster
from keyclusters.statuses import services
from keyclusters.statuses.models import Certificate, StatusGrant

# (round, decision = valid from, valid to) of the programme's published rounds
ROUNDS = [
    ("I", dt.date(2015, 9, 23), dt.date(2018, 9, 22)),
    ("II", dt.date(2016, 10, 31), dt.date(2019, 10, 31)),
    ("IV", dt.date(2019, 12, 20), dt.date(2022, 12, 19)),
    ("V", dt.date(2021, 12, 20), dt.date(2024, 12, 31)),
    ("VI", dt.date(2022, 12, 17), dt.date(2025, 12, 17)),
]


@dataclass(frozen=True)
class StatusesDemo:
    grants: list[StatusGrant]  # of the key cluster status
    growth: StatusGrant  # the supra-regional growth cluster status of ``clusters[0]``
    api_key: str  # "<prefix>.<secret>" of the demo agency (shown once, like on the keys page)
    certificate: Certificate


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_statuses(
    *, clusters: list[Cluster], operator: User, round_one: list[StatusGrant] | None = None
) -> StatusesDemo:
    """Grant statuses to about half of ``clusters`` (at least 8 are needed).

    ``clusters[0]`` (the demo coordinator's) holds a status today, renewed without a gap, so
    its coordinator can download a certificate, and also holds the supra-regional growth
    cluster status (``pkw``) since round V; one cluster's status is withdrawn.
    ``round_one``: the grants of a decided round-I call (best ranked first), which stand in for
    the round I made here otherwise: the first holds a new status in the current round and the
    second one in round IV (more than a year after theirs ended: not renewals); the others
    expired in 2018. Their clusters must not be in
    ``clusters``.
    """
    if len(clusters) < 8:
        raise ValueError("the statuses demo needs at least 8 clusters")
    today = timezone.localdate()
    # round VII began 930 days ago (always before 31 December two years back): its holders
    # reported on the two years before today, and their statuses end within half a year
    current_start = today - dt.timedelta(days=930)
    current = ("VII", current_start, _years_later(current_start, 3) - dt.timedelta(days=1))
    grants: list[StatusGrant] = []

    def grant(cluster, spec, renewal_of=None):
        label, start, end = spec
        made = services.grant_status(
            cluster=cluster, round_label=label, decision_on=start, valid_from=start,
            valid_to=end, renewal_of=renewal_of, by=operator,
        )  # fmt: skip
        grants.append(made)
        return made

    # the demo coordinator's cluster: V, then renewed without a gap until after today
    first = grant(clusters[0], ROUNDS[3])
    renewal_start = first.valid_to + dt.timedelta(days=1)
    renewal_end = max(_years_later(renewal_start, 3) - dt.timedelta(days=1), current[2])
    grant(clusters[0], ("VII", renewal_start, renewal_end), renewal_of=first)
    # history: one cluster per published round. The round II cluster is renewed in round IV
    # after a 49-day break (a renewal: at most 365 days, docs/verification.md); those of rounds
    # I, II and IV hold round VII's status as a new status, more than a year after their last
    # one ended (not linked); those of rounds V and VI held theirs while round VII began.
    rounds = ROUNDS if round_one is None else ROUNDS[1:]
    for cluster, spec in zip(clusters[1:], rounds, strict=False):
        previous = grant(cluster, spec)
        if spec[0] == "II":
            grant(cluster, ROUNDS[2], renewal_of=previous)
        if spec[0] in ("I", "II", "IV"):
            grant(cluster, current)
    if round_one:  # round I's winner: a new status now; its runner-up: one in round IV
        grant(round_one[0].cluster, current)
    if round_one and len(round_one) > 1:
        grant(round_one[1].cluster, ROUNDS[2])
    # current holders, one of them withdrawn
    for cluster in clusters[1 + len(rounds) : max(8, len(clusters) // 2)]:
        grant(cluster, current)
    services.withdraw_status(
        grant=grants[-1],
        withdrawn_on=today - dt.timedelta(days=30),
        reason=(
            "Liczba członków klastra spadła poniżej 51, a koordynator nie przedstawił planu "
            "naprawczego w terminie wyznaczonym w wezwaniu."
        ),
        by=operator,
    )
    # the demo coordinator's cluster is also a supra-regional growth cluster (its own registry
    # page, certificate wording and badge)
    growth_start = ROUNDS[3][1] + dt.timedelta(days=60)
    growth = services.grant_status(
        cluster=clusters[0], round_label="PKW 2022", decision_on=growth_start,
        valid_from=growth_start, valid_to=_years_later(today, 2), status_type="pkw", by=operator,
    )  # fmt: skip
    issued = services.issue_api_key(
        name="Weryfikacja premii klastrowej – nabór 2.1",
        organisation="Polska Agencja Rozwoju Przedsiębiorczości",
        by=operator,
    )  # fmt: skip
    certificate = services.status_certificate(grant=grants[1], by=operator)
    return StatusesDemo(grants=grants, growth=growth, api_key=issued.key, certificate=certificate)
