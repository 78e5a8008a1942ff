"""Verification by funding instrument (issue #15): each shipped instrument at its boundaries, on
the index path and the database path alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyclusters.domain import instruments as terms
from keyclusters.registry.models import Membership, MembershipRole
from keyclusters.statuses import index, instruments, selectors, services
from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory, OrganisationFactory, valid_nip

D = dt.date
ON = D(2024, 6, 1)
SHA = terms.load_catalogue(terms.shipped_catalogue_path()).sha256


@dataclass
class Registry:
    key: object  # kkk since 2020-01-01
    late: object  # kkk since 2024-03-01 only
    growth: object  # pkw since 2021-01-01
    six: str  # member of key since 2023-12-01: 6 months on ON
    five: str  # member of key since 2023-12-02: 5 months on ON
    old: str  # member of late since 2020-01-01
    key_coordinator: str
    growth_coordinator: str
    growth_member: str


def _grant(cluster, start, end, status_type="kkk"):
    grant = services.grant_status(
        cluster=cluster, round_label="V", decision_on=start, valid_from=start, valid_to=end,
        by=None,
    )  # fmt: skip
    if status_type != "kkk":
        grant.status_type_id = status_type
        grant.save()
    return grant


def _member(cluster, nip, joined_on, name):
    organisation = OrganisationFactory(name=name, nip=nip)
    Membership.objects.create(
        cluster=cluster, organisation=organisation, role=MembershipRole.MEMBER, joined_on=joined_on
    )
    return nip


@pytest.fixture
def registry(db) -> Registry:
    key = ClusterFactory(
        name="Klaster Kluczowy",
        founded_on=D(2015, 1, 1),
        coordinator=OrganisationFactory(name="Fundacja Klastra", nip="7251801126"),
    )
    late = ClusterFactory(name="Klaster Późny", founded_on=D(2015, 1, 1))
    growth = ClusterFactory(
        name="Klaster Wzrostowy",
        founded_on=D(2015, 1, 1),
        coordinator=OrganisationFactory(name="Koordynator Wzrostu", nip="6260181591"),
    )
    _grant(key, D(2020, 1, 1), D(2026, 12, 31))
    _grant(late, D(2024, 3, 1), D(2026, 12, 31))
    _grant(growth, D(2021, 1, 1), D(2026, 12, 31), "pkw")
    return Registry(
        key=key,
        late=late,
        growth=growth,
        six=_member(key, "5261040828", D(2023, 12, 1), "Sześć Sp. z o.o."),
        five=_member(key, "1132853869", D(2023, 12, 2), "Pięć Sp. z o.o."),
        old=_member(late, "1830166138", D(2020, 1, 1), "Dawny Członek"),
        key_coordinator="7251801126",
        growth_coordinator="6260181591",
        growth_member=_member(growth, "9542583988", D(2020, 1, 1), "Członek Wzrostu"),
    )


def both_paths(nip: str, instrument: str, on: dt.date = ON) -> dict:
    """The answer from the database and from a freshly built index: the same."""
    chosen = instruments.choose(instrument)
    from_database = selectors.verify_nip_from_database(nip, on=on, instrument=chosen)
    built = index.VerificationIndex.load()
    assert built.answer(nip, on=on, instrument=chosen) == from_database
    assert built.answers([nip, nip], on=on, instrument=chosen) == (
        selectors.verify_nips_from_database([nip, nip], on=on, instrument=chosen)
    )
    assert selectors.verify_nips_from_database([nip], on=on, instrument=chosen) == [from_database]
    return from_database


def verdict(answer: dict) -> tuple:
    return answer["eligible"], answer["reason"]


def test_the_answer_records_the_instrument_and_the_catalogue(registry):
    answer = both_paths(registry.six, "voucher-tie-break")
    assert answer["instrument"] == {"id": "voucher-tie-break", "version": 1, "sha256": SHA}
    assert verdict(answer) == (True, None)
    assert answer["evaluated"] == {
        "cluster": {"id": registry.key.pk, "name": "Klaster Kluczowy"},
        "role": "member",
        "counted_from": "2023-12-01",
        "months": 6,
        "min_months": 6,
        "status_type": "kkk",
        "status_held_since": "2020-01-01",
    }
    assert answer["memberships"][0]["status_type"] == "kkk"
    assert answer["memberships"][0]["counted_from"] == "2023-12-01"
    assert answer["memberships"][0]["counted_from_basis"] == "joined"


def test_six_months_against_five(registry):
    assert verdict(both_paths(registry.six, "voucher-tie-break")) == (True, None)
    five = both_paths(registry.five, "voucher-tie-break")
    assert verdict(five) == (False, "membership-too-short")
    assert five["evaluated"]["months"] == 5
    # the next day the sixth month is complete
    assert verdict(both_paths(registry.five, "voucher-tie-break", D(2024, 6, 2))) == (True, None)
    with translation.override("pl"):
        assert instruments.reason_text(five) == (
            "członkostwo od 02.12.2023, 5 z wymaganych 6 miesięcy"
        )
    with translation.override("en"):
        assert instruments.reason_text(five) == "member since 2 Dec 2023, 5 of 6 months"


def test_the_status_acquired_after_joining_is_not_held_throughout(registry):
    answer = both_paths(registry.old, "voucher-tie-break")
    assert verdict(answer) == (False, "status-not-held-throughout")
    assert answer["evaluated"]["status_held_since"] == "2024-03-01"
    assert answer["evaluated"]["months"] == 53
    with translation.override("pl"):
        assert instruments.reason_text(answer) == (
            "członkostwo od 01.01.2020, 53 miesiące (wymagane co najmniej 6), ale Klaster Późny "
            "posiada status dopiero od 01.03.2024, a nie przez całe 6 miesięcy przed 01.06.2024"
        )
    # six months after the status began it has been held throughout
    assert verdict(both_paths(registry.old, "voucher-tie-break", D(2024, 9, 1))) == (True, None)
    assert verdict(both_paths(registry.old, "voucher-tie-break", D(2024, 8, 31))) == (
        False,
        "status-not-held-throughout",
    )
    # an instrument without the condition admits it
    assert verdict(both_paths(registry.old, "national-rd-bonus")) == (True, None)


def test_a_renewal_without_a_gap_is_held_throughout_and_a_gap_is_not(registry):
    _grant(registry.late, D(2023, 1, 1), D(2024, 2, 29))  # continued by the 2024-03-01 grant
    answer = both_paths(registry.old, "voucher-tie-break")
    assert verdict(answer) == (True, None)
    assert answer["evaluated"]["status_held_since"] == "2023-01-01"
    StatusGrant.objects.filter(valid_from=D(2023, 1, 1)).update(valid_to=D(2024, 2, 27))
    index.drop()
    answer = both_paths(registry.old, "voucher-tie-break")
    assert verdict(answer) == (False, "status-not-held-throughout")


def test_a_coordinator_only_instrument_asked_about_a_member(registry):
    answer = both_paths(registry.six, "internationalisation")
    assert verdict(answer) == (False, "coordinator-only")
    with translation.override("en"):
        assert instruments.reason_text(answer) == (
            "only the coordinator of a cluster benefits; this organisation is a member of "
            "Klaster Kluczowy, not its coordinator"
        )
    assert verdict(both_paths(registry.key_coordinator, "internationalisation")) == (True, None)


def test_a_growth_cluster_coordinator(registry):
    """The 2023 measure admits the supra-regional growth cluster status; the internationalisation
    call does not."""
    admitted = both_paths(registry.growth_coordinator, "coordinators-2023")
    assert verdict(admitted) == (True, None)
    assert admitted["evaluated"]["status_type"] == "pkw"
    assert admitted["memberships"][0]["status_type"] == "pkw"
    refused = both_paths(registry.growth_coordinator, "internationalisation")
    assert verdict(refused) == (False, "status-type-not-admitted")
    assert refused["evaluated"]["status_type"] == "pkw"
    with translation.override("en"):
        assert instruments.reason_text(refused) == (
            "Klaster Wzrostowy holds the supra-regional growth cluster status on 1 Jun 2024, "
            "which this instrument does not admit"
        )
    # a member of the growth cluster: the measure is for coordinators
    assert verdict(both_paths(registry.growth_member, "coordinators-2023")) == (
        False,
        "coordinator-only",
    )
    # the key cluster's coordinator is admitted too
    assert verdict(both_paths(registry.key_coordinator, "coordinators-2023")) == (True, None)


def test_a_member_of_member_instruments(registry):
    for instrument in ("national-rd-bonus", "regional-programmes", "polish-investment-zone"):
        assert verdict(both_paths(registry.five, instrument)) == (True, None), instrument
        assert verdict(both_paths(registry.growth_member, instrument)) == (
            False,
            "status-type-not-admitted",
        )


def test_not_a_member(registry):
    answer = both_paths("5213017228", "national-rd-bonus")
    assert verdict(answer) == (False, "not-a-member")
    assert answer["evaluated"] is None
    assert answer["memberships"] == []
    # before the member joined
    assert verdict(both_paths(registry.six, "national-rd-bonus", D(2023, 11, 30))) == (
        False,
        "not-a-member",
    )
    with translation.override("pl"):
        assert instruments.reason_text(answer) == (
            "nie jest członkiem ani koordynatorem klastra posiadającego status w dniu 01.06.2024"
        )


def test_the_nearest_membership_gives_the_reason(registry):
    """Member of a pkw cluster (type refused) and, 5 months, of a key cluster (too short): the
    membership that came nearer to the terms gives the reason."""
    Membership.objects.create(
        cluster=registry.growth, organisation=registry.key.memberships.get(
            organisation__nip=registry.five).organisation,
        role=MembershipRole.MEMBER, joined_on=D(2019, 1, 1),
    )  # fmt: skip
    answer = both_paths(registry.five, "voucher-tie-break")
    assert verdict(answer) == (False, "membership-too-short")
    assert answer["evaluated"]["cluster"]["name"] == "Klaster Kluczowy"


def test_without_an_instrument_the_answer_is_unchanged(registry):
    answer = selectors.verify_nip_from_database(registry.six, on=ON)
    assert set(answer) == {
        "nip", "on", "key_cluster_member", "key_cluster_coordinator", "memberships",
    }  # fmt: skip


def test_an_unknown_instrument(db):
    with pytest.raises(instruments.UnknownInstrument) as raised:
        instruments.choose("nope")
    with translation.override("en"):
        assert raised.value.message == (
            'The catalogue has no funding instrument "nope" (the instruments are: '
            "national-rd-bonus, regional-programmes, voucher-tie-break, internationalisation, "
            "coordinators-2023, polish-investment-zone)."
        )


def test_bulk_with_an_instrument(registry):
    chosen = instruments.choose("voucher-tie-break")
    answers = selectors.verify_values(
        [registry.six, "bad", registry.five, "5213017228"], on=ON, instrument=chosen
    )
    assert [(a.get("eligible"), a.get("reason")) for a in answers] == [
        (True, None),
        (None, None),
        (False, "membership-too-short"),
        (False, "not-a-member"),
    ]
    assert answers[3]["instrument"] == {"id": "voucher-tie-break", "version": 1, "sha256": SHA}


# --- the index and the database agree on random registries ----------------------------------


START = D(2020, 1, 1)
days = st.integers(0, 30).map(lambda n: n * 61)
random_grant = st.tuples(
    st.integers(0, 2), days, days, st.one_of(st.none(), days), st.sampled_from(["kkk", "pkw"])
)
random_membership = st.tuples(
    st.integers(0, 3), st.integers(0, 2), st.sampled_from(["member", "coordinator"]), days
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    grants=st.lists(random_grant, max_size=6),
    memberships=st.lists(random_membership, max_size=8, unique_by=lambda m: m[:3]),
    on=days,
)
def test_the_index_answers_instruments_as_the_database(grants, memberships, on):
    with transaction.atomic():
        clusters = [ClusterFactory(name=f"Klaster {i}") for i in range(3)]
        nips = [valid_nip() for _ in range(4)]
        organisations = [OrganisationFactory(name=f"Firma {i}", nip=n) for i, n in enumerate(nips)]
        for o, c, role, joined in memberships:
            Membership.objects.create(
                cluster=clusters[c], organisation=organisations[o], role=role,
                joined_on=START + dt.timedelta(joined),
            )  # fmt: skip
        for number, (c, start, length, withdrawn, status_type) in enumerate(grants):
            valid_from = START + dt.timedelta(start)
            StatusGrant.objects.create(
                cluster=clusters[c], round_label=f"R{number}", decision_on=valid_from,
                valid_from=valid_from, valid_to=valid_from + dt.timedelta(length),
                withdrawn_on=None if withdrawn is None else valid_from + dt.timedelta(withdrawn),
                status_type_id=status_type,
            )  # fmt: skip
        day = START + dt.timedelta(on)
        built = index.VerificationIndex.load()
        for instrument in terms.load_catalogue(terms.shipped_catalogue_path()).catalogue.ids:
            chosen = instruments.choose(instrument)
            for nip in nips:
                assert built.answer(nip, on=day, instrument=chosen) == (
                    selectors.verify_nip_from_database(nip, on=day, instrument=chosen)
                )
            assert built.answers(nips, on=day, instrument=chosen) == (
                selectors.verify_nips_from_database(nips, on=day, instrument=chosen)
            )
        transaction.set_rollback(True)


def test_a_supra_regional_growth_cluster_makes_no_key_cluster_member_on_either_path(registry):
    """Without an instrument the flags answer for the key cluster status: the membership of a
    cluster holding only the growth cluster status is listed with its type, and counts for
    neither flag; a key cluster's member is one."""
    for nip in (registry.growth_member, registry.growth_coordinator):
        from_database = selectors.verify_nip_from_database(nip, on=ON)
        built = index.VerificationIndex.load()
        assert built.answer(nip, on=ON) == from_database
        assert (from_database["key_cluster_member"], from_database["key_cluster_coordinator"]) == (
            False,
            False,
        )
        assert [m["status_type"] for m in from_database["memberships"]] == ["pkw"]
    key = selectors.verify_nip_from_database(registry.key_coordinator, on=ON)
    assert (key["key_cluster_member"], key["key_cluster_coordinator"]) == (True, True)
