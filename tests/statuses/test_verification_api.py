"""GET /api/v1/verification and POST /api/v1/verification/bulk: every date boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyclusters.statuses import services

pytestmark = pytest.mark.django_db

URL = "/api/v1/verification"
BULK = "/api/v1/verification/bulk"


class AnsweredFrom(str):
    reuse = False  # the index: built for every request, or once and then reused


@pytest.fixture(autouse=True, params=["database", "index"])
def answered_from(request, monkeypatch):
    """Every test twice: answers from the database (as inside a transaction) and from the
    process's verification index, built from the test's data as it is at each request (or, with
    ``reuse``, once at the first request)."""
    path = AnsweredFrom(request.param)
    if path == "index":
        from keyclusters.statuses import index

        built = []

        def current():
            if not built or not path.reuse:
                built[:] = [index.VerificationIndex.load()]
            return built[0]

        monkeypatch.setattr(index, "current", current)
    return path


def verify(client, key, nip, on, **params):
    response = client.get(URL, {"nip": nip, "on": on, **params}, headers={"X-API-Key": key})
    assert response.status_code == 200, response.content
    return response.json()


def member(client, key, nip, on, **params) -> bool:
    return verify(client, key, nip, on, **params)["key_cluster_member"]


def test_the_answer_object(client, world, api_key):
    answer = verify(client, api_key, "526-104-08-28", "2022-06-01")
    assert answer == {
        "nip": "5261040828",
        "on": "2022-06-01",
        "key_cluster_member": True,
        "key_cluster_coordinator": False,
        "memberships": [
            {
                "cluster": {"id": world.lodz.pk, "name": "Klaster Łódzki"},
                "role": "member",
                "member_since": "2022-03-15",
                "member_since_basis": "joined",
                "member_since_basis_on": "2022-03-15",
                "counted_from": "2022-03-15",
                "counted_from_basis": "joined",
                "joined_on": "2022-03-15",
                "member_until": "2023-06-30",
                "contested": False,
                "contested_on": None,
                "status_type": "kkk",
                "status": {"round": "V", "valid_from": "2021-12-20", "valid_to": "2024-12-31"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("on", "expected"),
    [("2022-03-14", False), ("2022-03-15", True), ("2023-06-30", True), ("2023-07-01", False)],
)
def test_joined_on_and_left_on_are_inclusive(client, world, api_key, on, expected):
    assert member(client, api_key, "5261040828", on) is expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [("2021-12-19", False), ("2021-12-20", True), ("2024-12-31", True), ("2025-01-01", False)],
)
def test_a_membership_that_began_before_the_status_counts_while_the_status_is_valid(
    client, world, api_key, on, expected
):
    answer = verify(client, api_key, "6260181591", on)
    assert answer["key_cluster_member"] is expected
    if expected:
        assert answer["memberships"][0]["member_since"] == "2015-01-01"


@pytest.mark.parametrize(
    ("on", "months", "expected"),
    [
        ("2022-09-15", 6, True),  # joined 2022-03-15: exactly six months
        ("2022-09-14", 6, False),
        ("2022-09-14", 5, True),
        ("2022-09-14", 0, True),
    ],
)
def test_min_months(client, world, api_key, on, months, expected):
    assert member(client, api_key, "5261040828", on, min_months=months) is expected


def test_min_months_at_the_end_of_the_month(client, world, api_key):
    from keyclusters.registry.models import Membership

    Membership.objects.filter(organisation=world.member).update(
        joined_on=dt.date(2022, 2, 28), left_on=None
    )
    assert member(client, api_key, "5261040828", "2022-08-31", min_months=6) is True
    assert member(client, api_key, "5261040828", "2022-08-28", min_months=6) is True
    assert member(client, api_key, "5261040828", "2022-08-27", min_months=6) is False
    Membership.objects.filter(organisation=world.member).update(joined_on=dt.date(2022, 3, 1))
    assert member(client, api_key, "5261040828", "2022-08-31", min_months=6) is False
    assert member(client, api_key, "5261040828", "2022-09-01", min_months=6) is True


def _rounds(answer):
    return [(m["cluster"]["name"], m["status"]["round"]) for m in answer["memberships"]]


def test_renewal_without_a_gap(client, world, api_key):
    nip = "1132853869"
    assert ("Klaster Odnowiony", "I") in _rounds(verify(client, api_key, nip, "2018-09-22"))
    assert ("Klaster Odnowiony", "II") in _rounds(verify(client, api_key, nip, "2018-09-23"))
    assert ("Klaster Odnowiony", "II") in _rounds(verify(client, api_key, nip, "2021-09-22"))
    assert _rounds(verify(client, api_key, nip, "2021-09-23")) == [("Klaster z Przerwą", "III")]


def test_renewal_with_a_gap(client, world, api_key):
    nip = "1132853869"
    assert _rounds(verify(client, api_key, nip, "2018-09-22")) == [
        ("Klaster Odnowiony", "I"),
        ("Klaster z Przerwą", "I"),
    ]
    assert _rounds(verify(client, api_key, nip, "2018-09-23")) == [("Klaster Odnowiony", "II")]
    assert _rounds(verify(client, api_key, nip, "2019-01-09")) == [("Klaster Odnowiony", "II")]
    assert _rounds(verify(client, api_key, nip, "2019-01-10")) == [
        ("Klaster Odnowiony", "II"),
        ("Klaster z Przerwą", "III"),
    ]


def test_a_withdrawn_status_is_not_valid_from_the_withdrawal_date(client, world, api_key):
    nip = "1132853869"
    assert _rounds(verify(client, api_key, nip, "2023-05-09")) == [("Klaster Wycofany", "V")]
    assert verify(client, api_key, nip, "2023-05-10")["key_cluster_member"] is False
    assert verify(client, api_key, nip, "2024-01-01")["key_cluster_member"] is False


def test_a_strategic_partner_is_not_a_member(client, world, api_key):
    answer = verify(client, api_key, "1830166138", "2022-06-01")
    assert (answer["key_cluster_member"], answer["memberships"]) == (False, [])


def test_the_coordinator_flag(client, world, api_key):
    answer = verify(client, api_key, "PL 725-180-11-26", "2022-06-01")
    assert answer["nip"] == "7251801126"
    assert (answer["key_cluster_member"], answer["key_cluster_coordinator"]) == (True, True)
    assert [m["role"] for m in answer["memberships"]] == ["coordinator"]
    assert verify(client, api_key, "5261040828", "2022-06-01")["key_cluster_coordinator"] is False
    # the coordinator of a cluster without a valid status is no key-cluster coordinator
    answer = verify(client, api_key, world.renewed.coordinator.nip, "2022-06-01")
    assert (answer["key_cluster_member"], answer["key_cluster_coordinator"]) == (False, False)


def test_an_unknown_valid_nip_is_simply_not_a_member(client, world, api_key):
    answer = verify(client, api_key, "2860913907", "2022-06-01")
    assert answer == {"nip": "2860913907", "on": "2022-06-01", "key_cluster_member": False,
                      "key_cluster_coordinator": False, "memberships": []}  # fmt: skip


def test_an_invalid_nip_is_a_422_naming_it(client, world, api_key, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.get(URL, {"nip": "526-104-08-29"}, headers={"X-API-Key": api_key})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "invalid_nip",
                "loc": ["query", "nip"],
                "msg": '"526-104-08-29" is not a valid NIP (checksum)',
            }
        ]
    }


def test_a_missing_wrong_or_revoked_key_is_a_401(client, world, api_key):
    params = {"nip": "5261040828"}
    assert client.get(URL, params).status_code == 401
    assert client.get(URL, params, headers={"X-API-Key": "nonsense"}).status_code == 401
    prefix = api_key.split(".")[0]
    wrong = f"{prefix}.{'x' * 43}"
    assert client.get(URL, params, headers={"X-API-Key": wrong}).status_code == 401
    assert client.get(URL, params, headers={"X-API-Key": api_key}).status_code == 200
    from keyclusters.accounts.models import ApiKey

    key = ApiKey.objects.get(prefix=prefix)
    assert key.last_used_at is not None
    services.revoke_api_key(api_key=key, by=None)
    assert client.get(URL, params, headers={"X-API-Key": api_key}).status_code == 401
    response = client.post(BULK, {"nips": []}, content_type="application/json",
                           headers={"X-API-Key": api_key})  # fmt: skip
    assert response.status_code == 401


def test_too_many_calls_are_a_429_per_key(client, world, api_key, settings):
    settings.VERIFICATION_API_RATE = "3/m"
    cache.clear()
    other = services.issue_api_key(name="Other", organisation="BGK", by=None).key
    statuses = [
        client.get(URL, {"nip": "5261040828"}, headers={"X-API-Key": api_key}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get(URL, {"nip": "5261040828"}, headers={"X-API-Key": api_key})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert client.get(URL, {"nip": "5261040828"}, headers={"X-API-Key": other}).status_code == 200


def post_bulk(client, key, body):
    return client.post(BULK, body, content_type="application/json", headers={"X-API-Key": key})


def test_bulk_answers_in_order_with_repeats(client, world, api_key):
    nips = ["2860913907", "5261040828", "PL7251801126", "1830166138", "5261040828"]
    response = post_bulk(client, api_key, {"on": "2022-06-01", "nips": nips})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["nip"], r["key_cluster_member"], r["key_cluster_coordinator"]) for r in results] == [
        ("2860913907", False, False),
        ("5261040828", True, False),
        ("7251801126", True, True),
        ("1830166138", False, False),
        ("5261040828", True, False),
    ]
    single = verify(client, api_key, "5261040828", "2022-06-01")
    assert results[1] == {**single, "valid": True,
                          "organisation": {"name": "Zakład Świętokrzyski"}}  # fmt: skip
    assert [r["organisation"] for r in results] == [
        None, {"name": "Zakład Świętokrzyski"}, {"name": "Fundacja Źródło Innowacji"},
        {"name": "Urząd Marszałkowski"}, {"name": "Zakład Świętokrzyski"},
    ]  # fmt: skip


def test_bulk_min_months(client, world, api_key):
    body = {"on": "2022-09-14", "min_months": 6, "nips": ["5261040828", "6260181591"]}
    results = post_bulk(client, api_key, body).json()["results"]
    assert [r["key_cluster_member"] for r in results] == [False, True]


def test_bulk_answers_every_valid_nip_and_marks_the_invalid_ones(client, world, api_key, settings):
    settings.LANGUAGE_CODE = "en"
    body = {"on": "2022-06-01", "nips": ["5261040828", "123", "5261040829", "7251801126"]}
    response = post_bulk(client, api_key, body)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[1:3] == [
        {"nip": "123", "valid": False, "error": '"123" is not a valid NIP (length)'},
        {"nip": "5261040829", "valid": False,
         "error": '"5261040829" is not a valid NIP (checksum)'},
    ]  # fmt: skip
    assert [(r["nip"], r["valid"], r["key_cluster_member"], r["organisation"]) for r in
            (results[0], results[3])] == [
        ("5261040828", True, True, {"name": "Zakład Świętokrzyski"}),
        ("7251801126", True, True, {"name": "Fundacja Źródło Innowacji"}),
    ]  # fmt: skip
    settings.LANGUAGE_CODE = "pl"  # the reason in the language asked for
    results = post_bulk(client, api_key, body).json()["results"]
    assert results[1]["error"] == "„123” nie jest poprawnym numerem NIP (długość)"


def test_bulk_refuses_more_than_100000_nips(client, world, api_key):
    response = post_bulk(client, api_key, {"nips": ["5261040828"] * 100_001})
    assert response.status_code == 422


def test_bulk_makes_a_constant_number_of_queries(client, world, api_key, answered_from):
    answered_from.reuse = True
    from tests.factories import valid_nip

    def count(nips):
        with CaptureQueriesContext(connection) as captured:
            response = post_bulk(client, api_key, {"on": "2022-06-01", "nips": nips})
        assert response.status_code == 200
        return len(captured.captured_queries)

    count([])  # sets last_used_at of the key
    few = count(["5261040828", "7251801126"] + [valid_nip() for _ in range(5)])
    many = count(["5261040828", "7251801126"] + [valid_nip() for _ in range(500)])
    assert few == many
    # from the database: the grants valid on the date, the memberships of the NIPs (the key is
    # remembered); from the index (built by the first call): none; and the names of the
    # organisations (from the index those of its members: the others are asked)
    assert many == {"database": 3, "index": 1}[answered_from]
    assert count(["5261040828", "7251801126"]) == {"database": 3, "index": 0}[answered_from]


def test_single_verification_makes_one_query_or_none(client, world, api_key, answered_from):
    answered_from.reuse = True
    verify(client, api_key, "5261040828", "2022-06-01")  # sets last_used_at
    with CaptureQueriesContext(connection) as captured:
        verify(client, api_key, "5261040828", "2022-06-01")
    # the memberships with their grants (the key is remembered for a few seconds), or nothing
    assert len(captured.captured_queries) == {"database": 1, "index": 0}[answered_from]


def test_a_key_revoked_elsewhere_stops_working_when_the_process_forgets_it(
    client, world, api_key, monkeypatch
):
    from django.utils import timezone

    from keyclusters.accounts.models import ApiKey
    from keyclusters.statuses import api_keys

    params = {"nip": "5261040828"}
    assert client.get(URL, params, headers={"X-API-Key": api_key}).status_code == 200
    ApiKey.objects.update(revoked_at=timezone.now())  # as another process would
    assert client.get(URL, params, headers={"X-API-Key": api_key}).status_code == 200
    monkeypatch.setattr(api_keys, "KEY_CACHE_SECONDS", 0.0)
    assert client.get(URL, params, headers={"X-API-Key": api_key}).status_code == 401
