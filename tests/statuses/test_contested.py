"""A membership its organisation contests (docs/self-service.md): verification answers carry
the flag and its day (API single and bulk, the CLI, the page, the certificate), from the
database and from the index alike; a withdrawn contest takes the flag away."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from keyclusters.registry import selfservice
from keyclusters.statuses import index, services
from keyclusters.statuses.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/verification"
BULK = "/api/v1/verification/bulk"
ON = "2022-06-01"


@pytest.fixture(autouse=True, params=["database", "index"])
def answered_from(request, monkeypatch, settings):
    """Every test twice: from the database, and from an index built at each request."""
    settings.TIME_ZONE = "Europe/Warsaw"
    if request.param == "index":
        monkeypatch.setattr(index, "current", lambda: index.VerificationIndex.load())
    return request.param


@pytest.fixture
def firm(world):
    """A person representing "Politechnika Łódzka" (member of the key cluster since 2015)."""
    return UserFactory(
        username="politechnika",
        first_name="Piotr",
        last_name="Politechnik",
        roles=["member-organisation"],
        organisation=world.early,
    )


def _membership(world):
    return world.early.memberships.get(cluster=world.lodz)


def _api(client, api_key):
    response = client.get(URL, {"nip": world_nip(), "on": ON}, headers={"X-API-Key": api_key})
    assert response.status_code == 200, response.content
    return response.json()


def world_nip() -> str:
    return "6260181591"


def test_a_contest_is_in_the_answers_until_withdrawn(client, world, api_key, firm):
    assert _api(client, api_key)["memberships"][0]["contested"] is False
    assert _api(client, api_key)["memberships"][0]["contested_on"] is None

    contest = selfservice.contest(
        membership_id=_membership(world).pk, reason="Wystąpiliśmy", by=firm
    )
    day = timezone.localdate(contest.changed_at)
    answer = _api(client, api_key)
    assert answer["key_cluster_member"] is True  # the membership still counts
    assert answer["memberships"][0]["contested"] is True
    assert answer["memberships"][0]["contested_on"] == day.isoformat()

    bulk = client.post(
        BULK,
        {"on": ON, "nips": [world_nip(), "5261040828"]},
        content_type="application/json",
        headers={"X-API-Key": api_key},
    ).json()["results"]
    assert [m["contested"] for r in bulk for m in r["memberships"]] == [True, False]

    selfservice.withdraw_contest(membership_id=_membership(world).pk, by=firm)
    answer = _api(client, api_key)
    assert answer["memberships"][0]["contested"] is False
    assert answer["memberships"][0]["contested_on"] is None


def test_the_cli_the_page_and_the_certificate_say_it(client, world, firm, settings):
    settings.LANGUAGE_CODE = "en"
    selfservice.contest(membership_id=_membership(world).pk, reason="Błąd", by=firm)

    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify", world_nip(), "--on", ON, stdout=out)
    assert "contested by the member organisation on" in out.getvalue()

    client.force_login(UserFactory(roles=["funding-agency"]))
    page = client.post(
        reverse("statuses:verify"), {"action": "one", "nip": world_nip(), "on": ON}
    ).content.decode()
    assert "data-contested=" in page

    issued = services.membership_certificate(nip=world_nip(), on=dt.date(2022, 6, 1), by=None)
    assert issued.payload["memberships"][0]["contested"] is True
    check = client.get(reverse("statuses:certificate", args=[issued.code])).content.decode()
    assert "data-contested=" in check
    assert Certificate.objects.count() == 1
