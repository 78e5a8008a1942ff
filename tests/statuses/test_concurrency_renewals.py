"""A renewal decided while the grant it would renew is withdrawn, in real threads on one
database (PostgreSQL, or a SQLite file: see tests/concurrency.py). The approval reads the
cluster's earlier grants under a lock, so it sees the withdrawal entirely or not at all: the new
grant renews the old one exactly when it was saved before the withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import decisions
from keyclusters.statuses import services
from keyclusters.statuses.models import StatusGrant
from tests.concurrency import run_together
from tests.evaluation.conftest import call, english, operator  # noqa: F401 (fixtures)
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_a_renewal_and_a_withdrawal_of_the_renewed_grant_at_once(call, operator):  # noqa: F811
    application = through_merit(call, operator, ("8", "7"))
    start = dt.date(2023, 10, 1)
    old = services.grant_status(
        cluster=application.cluster, round_label="I", decision_on=start, valid_from=start,
        valid_to=dt.date(2026, 9, 29), by=None,
    )  # fmt: skip
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    minister = UserFactory(username="minister", roles=["decision-maker"])
    outcomes = run_together(
        lambda: decisions.approve_recommendation(
            call=call, approved_on=dt.date(2026, 9, 30), by=minister
        ),
        # withdrawn on its first day: never valid, so nothing to renew
        lambda: services.withdraw_status(grant=old, withdrawn_on=start, reason="Błąd", by=operator),
    )
    assert [o.error for o in outcomes] == [None, None]
    new = StatusGrant.objects.get(application=application)
    old.refresh_from_db()
    assert old.withdrawn_on == start
    withdrawal = old.history.filter(withdrawn_on=start).earliest("history_date")
    created = new.history.earliest("history_date")
    renewed = created.history_date < withdrawal.history_date
    assert new.renewal_of_id == (old.pk if renewed else None)
