"""Issue #13, agencies: checking a certificate by its code (valid, revoked, expired, not yet
valid, unknown, malformed), the issuer and an expired status on certificates, and the limit on
checks per client address. Bulk verification row by row: test_verification_api.py (API),
test_commands.py (CLI) and test_staff_pages.py (the page's upload)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from keyclusters.statuses import selectors, services

pytestmark = pytest.mark.django_db

CHECK = reverse("statuses:certificate-check")
ISSUER = "Ministerstwo Rozwoju i Technologii / Ministry of Development and Technology"


@pytest.fixture(autouse=True)
def _english_on_a_fixed_day(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(selectors, "today", lambda: dt.date(2024, 6, 1))
    cache.clear()  # the counts of checks per address
    yield
    cache.clear()


def check(client, code):
    response = client.get(CHECK, {"code": code})
    assert response.status_code == 200
    return response, " ".join(response.content.decode().split())


def certificate_of(world, grant):
    return services.status_certificate(grant=world.grants[grant], by=None)


def test_the_check_page_is_public_and_linked_from_the_navigation(client, world):
    response = client.get(reverse("statuses:registry"))
    assert f'href="{CHECK}"' in response.content.decode()
    page = client.get(CHECK)
    assert page.status_code == 200
    assert "Check a certificate" in page.content.decode()
    assert 'id="certificate-result"' not in page.content.decode()


def test_a_valid_status_certificate(client, world):
    code = certificate_of(world, "lodz").code
    response, text = check(client, code)
    assert response.context["check"]["state"] == "valid"
    assert 'data-state="valid"' in text
    assert "This certificate is genuine. It was issued on 1 Jun 2024." in text
    assert "It is valid: the status it certifies is valid today." in text
    assert "Klaster Łódzki" in text and "Round V, valid 20 Dec 2021 – 31 Dec 2024" in text
    assert f'<dd class="col-sm-9" id="certificate-issuer">{ISSUER}</dd>' in text


def test_a_revoked_status_certificate(client, world):
    code = certificate_of(world, "withdrawn").code
    response, text = check(client, code)
    assert response.context["check"]["state"] == "revoked"
    assert "It is revoked: the status it certifies was withdrawn on 10 May 2023." in text
    assert "The status was withdrawn on 10 May 2023." in text


def test_an_expired_status_certificate(client, world):
    code = certificate_of(world, "renewed-I").code
    response, text = check(client, code)
    assert (response.context["check"]["state"], response.context["check"]["expired_on"]) == (
        "expired", "2018-09-22",
    )  # fmt: skip
    assert "It is no longer valid: the status it certifies expired on 22 Sep 2018." in text
    assert "The status expired on 22 Sep 2018." in text
    assert "is valid today" not in text


def test_a_status_not_yet_valid(client, world, monkeypatch):
    code = certificate_of(world, "lodz").code
    monkeypatch.setattr(selectors, "today", lambda: dt.date(2021, 12, 1))
    response, text = check(client, code)
    assert response.context["check"]["state"] == "not-yet-valid"
    assert "The status it certifies is valid from 20 Dec 2021." in text


def test_a_membership_certificate(client, world):
    issued = services.membership_certificate(nip="5261040828", on=dt.date(2022, 6, 1), by=None)
    response, text = check(client, issued.code)
    assert response.context["check"]["state"] == "valid"
    assert "It is valid: it certifies the memberships on 1 Jun 2022." in text
    assert "Zakład Świętokrzyski" in text and "Klaster Łódzki" in text


def test_an_unknown_code(client, world):
    response, text = check(client, "no-such-code")
    assert response.context["check"] == {"genuine": False, "state": "unknown"}
    assert "No certificate has the code no-such-code: it is not genuine." in text


@pytest.mark.parametrize("code", ["<b>?", "a" * 41, "kod z spacjami", "x\x00y", "   "])
def test_a_malformed_code_is_a_message_never_an_error(client, world, code):
    response, text = check(client, code)
    assert response.context["checked"] is False
    if "\x00" in code:
        assert response.context["form"].errors == {"code": ["Null characters are not allowed."]}
    elif code.strip():
        assert response.context["form"].errors == {"code": [
            "This is not a certificate code: a code is 24 letters, digits, dashes and "
            "underscores, printed under the QR code of the certificate."
        ]}  # fmt: skip
    else:
        assert response.context["form"].errors == {"code": ["This field is required."]}
    assert 'id="certificate-result"' not in text


def test_the_address_of_the_qr_code_works_as_the_code(client, world):
    code = certificate_of(world, "lodz").code
    for typed in (f"http://testserver/statuses/certificates/{code}/",
                  f" /statuses/certificates/{code}/pdf/ "):  # fmt: skip
        response, _text = check(client, typed)
        assert response.context["check"]["code"] == code
    assert client.get(f"/statuses/certificates/{code}/").status_code == 200  # the QR page


def test_checks_are_limited_per_client_address(client, world, settings):
    settings.CERTIFICATE_CHECK_RATE = "2/m"
    assert client.get(CHECK, {"code": "no-such-code"}).status_code == 200
    assert client.get(CHECK, {"code": "no-such-code"}).status_code == 200
    refused = client.get(CHECK, {"code": "no-such-code"})
    assert refused.status_code == 429
    assert "Too many certificate checks from your address." in refused.content.decode()
    assert client.get(CHECK).status_code == 200  # the empty form is not counted
    other = client.get(CHECK, {"code": "no-such-code"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_the_issuer_and_an_expired_status_on_the_certificate(client, world, settings):
    settings.CERTIFICATE_ISSUER = "Minister Rozwoju / Minister of Development"
    expired = certificate_of(world, "renewed-I")
    page = client.get(f"/statuses/certificates/{expired.code}/").content.decode()
    assert "Minister Rozwoju / Minister of Development" in page
    assert "It is no longer valid: the status it certifies expired on 22 Sep 2018." in page
    response = client.get(f"/statuses/certificates/{expired.code}/pdf/")
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Issued by Minister Rozwoju / Minister of Development" in text
    assert "This status expired on 22 September 2018; it is no longer valid." in text
    valid = certificate_of(world, "lodz")
    response = client.get(f"/statuses/certificates/{valid.code}/pdf/")
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Issued by Minister Rozwoju / Minister of Development" in text
    assert "expired" not in text and "withdrawn" not in text


def test_the_api_check_says_the_state_issuer_and_expiry(client, world):
    code = certificate_of(world, "renewed-I").code
    answer = client.get(f"/api/v1/certificates/{code}").json()
    assert (answer["state"], answer["expired_on"], answer["issuer"]) == (
        "expired", "2018-09-22", ISSUER,
    )  # fmt: skip
    code = certificate_of(world, "withdrawn").code
    answer = client.get(f"/api/v1/certificates/{code}").json()
    assert (answer["state"], answer["withdrawn_on"], answer["expired_on"]) == (
        "revoked", "2023-05-10", None,
    )  # fmt: skip
    assert client.get("/api/v1/certificates/unknown").json()["state"] == "unknown"


def test_the_index_keeps_the_members_names_and_reads_them_again_when_they_change(world):
    from keyclusters.statuses import index

    loaded = index.VerificationIndex.load()
    assert loaded.organisation_names["5261040828"] == "Zakład Świętokrzyski"
    assert "1830166138" not in loaded.organisation_names  # a strategic partner: not a member
    world.member.name = "Zakład Świętokrzyski S.A."
    world.member.save()
    updated = loaded.updated(frozenset({world.member.pk}), loaded.stamp)
    assert updated.organisation_names["5261040828"] == "Zakład Świętokrzyski S.A."
    assert loaded.organisation_names["5261040828"] == "Zakład Świętokrzyski"  # not changed
    assert updated.organisation_names["7251801126"] == "Fundacja Źródło Innowacji"
