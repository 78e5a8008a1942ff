"""Two operators deciding the same thing at once (real threads, each with its connection): one
decision wins, the other is told who decided, and nothing fails with a server error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from keyclusters.registry import services
from keyclusters.registry.models import (
    Membership,
    MembershipEvidence,
    Organisation,
    OrganisationChangeRequest,
)
from tests.concurrency import run_together
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory, valid_nip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def english(call):
    def run():
        with translation.override("en"):
            return call()

    return run


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_accepting_the_same_evidence_twice_at_once_one_wins(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    cluster = ClusterFactory()
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    first, second = (UserFactory(roles=["operator"], username=n) for n in ("olga", "piotr"))
    membership = services.add_membership(
        cluster=cluster, organisation_data={"nip": valid_nip(), "name": "Stara", "kind": "other"},
        role="member", joined_on=dt.date(2015, 1, 1), by=coordinator,
        evidence=("d.pdf", PDF), evidence_kind="resolution",
    )  # fmt: skip
    evidence = MembershipEvidence.objects.get()

    def accept(by):
        return english(lambda: services.decide_evidence(evidence=evidence, accept=True, by=by))

    outcomes = run_together(accept(first), accept(second))

    assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
    won = next(o.value for o in outcomes if o.ok)
    error = next(o.error for o in outcomes if not o.ok)
    assert isinstance(error, ValidationError), repr(error)
    assert error.messages[0].startswith(
        f"This was already decided (Accepted) by {won.decided_by.username} on "
    )
    membership.refresh_from_db()
    assert (membership.evidence_state, membership.counted_from) == ("accepted", None)
    assert Membership.history.filter(id=membership.pk).count() == 2  # recorded, accepted once


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_applying_the_same_change_request_twice_at_once_one_wins():
    organisation = OrganisationFactory(name="Stara Nazwa", nip=valid_nip())
    request = OrganisationChangeRequest.objects.create(
        organisation=organisation, field="name", registry_value="Stara Nazwa",
        proposed_value="Nowa Nazwa", source="import", row=2,
    )  # fmt: skip
    first, second = (UserFactory(roles=["operator"], username=n) for n in ("olga", "piotr"))

    def apply(by):
        return english(
            lambda: services.decide_change_request(change_request=request, apply=True, by=by)
        )

    outcomes = run_together(apply(first), apply(second))

    assert sorted(o.ok for o in outcomes) == [False, True], [o.error for o in outcomes]
    error = next(o.error for o in outcomes if not o.ok)
    assert isinstance(error, ValidationError), repr(error)
    assert Organisation.objects.get(pk=organisation.pk).name == "Nowa Nazwa"
    assert Organisation.history.filter(id=organisation.pk).count() == 2  # created, applied once
    request.refresh_from_db()
    assert request.state == "applied"
