"""Status and membership certificates: PDF text, QR code, the public check (page and API)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from keyclusters.statuses import certificates, services
from keyclusters.statuses.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf_of(response) -> PdfReader:
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_a_coordinator_downloads_the_status_certificate_of_their_cluster(client, world):
    grant = world.grants["lodz"]
    url = reverse("statuses:status-certificate", args=[grant.pk])
    client.force_login(UserFactory(roles=["coordinator"], organisation=world.early))
    assert client.post(url).status_code == 403  # not their cluster
    coordinator = UserFactory(roles=["coordinator"], organisation=world.lodz.coordinator)
    client.force_login(coordinator)
    response = client.post(url)
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/statuses/certificates/{certificate.code}/pdf/"
    assert client.post(url)["Location"] == response["Location"]  # issued once
    assert Certificate.objects.count() == 1
    assert (certificate.kind, certificate.subject, certificate.issued_by) == (
        "status", "Klaster Łódzki", coordinator,
    )  # fmt: skip
    assert len(certificate.code) == 24
    assert certificate.payload["status"] == {
        "type": {
            "code": "kkk", "name_pl": "status Krajowego Klastra Kluczowego",
            "name_en": "key cluster status", "holder_pl": "Krajowy Klaster Kluczowy",
            "holder_en": "National Key Cluster",
        },
        "round": "V", "decision_on": "2021-12-20", "valid_from": "2021-12-20",
        "valid_to": "2024-12-31",
    }  # fmt: skip

    reader = pdf_of(client.get(response["Location"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    # the PDF is in the language it is rendered in (Polish here): dates as 31.12.2024
    for expected in ("Klaster Łódzki", "Fundacja Źródło Innowacji", "7251801126",
                     "20.12.2021 31.12.2024", certificate.code):  # fmt: skip
        assert expected in text
    assert all(letter in text for letter in "ŁóŹ")


def test_the_pdf_carries_the_qr_code_of_the_verification_url(world):
    certificate = services.status_certificate(grant=world.grants["lodz"], by=None)
    url = f"http://localhost:8000/statuses/certificates/{certificate.code}/"
    assert certificates.verification_url(certificate) == url
    html = certificates.certificate_html(certificate)
    svg = certificates.qr_svg(url)
    assert svg.startswith("<svg") and svg in html  # the QR code of exactly this URL
    reader = PdfReader(io.BytesIO(certificates.certificate_pdf(certificate)))
    page = reader.pages[0]
    assert len(reader.pages) == 1
    content = page.get_contents().get_data().decode("latin-1")
    # the QR code is drawn as vector graphics: every run of dark modules of the SVG path is a
    # "x y m / x2 y l" segment of the page, in the same order
    assert _pdf_segments(svg) in content
    assert _pdf_segments(certificates.qr_svg(url.replace("certificates", "c"))) not in content


def _pdf_segments(svg: str) -> str:
    """segno's path ("M4 4.5h7m2 0h1…": moves and horizontal runs) as PDF path operators."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    lines = []
    for command, dx, dy in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(dx), float(dy)
        elif command == "m":
            x, y = x + float(dx), y + float(dy)
        else:
            lines.append(f"{x:g} {y:g} m\n{x + float(dx):g} {y:g} l")
            x += float(dx)
    assert len(lines) > 100
    return "\n".join(lines)


def test_agency_staff_issue_a_membership_certificate(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    url = reverse("statuses:membership-certificate")
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(url).status_code == 403
    agency = UserFactory(roles=["funding-agency"])
    client.force_login(agency)
    response = client.post(url, {"nip": "5261040828", "on": "2023-07-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "nip": ["The organisation with NIP 5261040828 is not a key-cluster member on 1 Jul 2023."]
    }
    response = client.post(url, {"nip": "526-104-08-28", "on": "2022-06-01"})
    certificate = Certificate.objects.get()
    assert response["Location"] == f"/statuses/certificates/{certificate.code}/"
    assert (certificate.kind, certificate.subject, certificate.issued_by) == (
        "membership", "Zakład Świętokrzyski (NIP 5261040828)", agency,
    )  # fmt: skip
    assert [m["cluster"]["name"] for m in certificate.payload["memberships"]] == ["Klaster Łódzki"]
    reader = pdf_of(client.get(f"/statuses/certificates/{certificate.code}/pdf/"))
    text = reader.pages[0].extract_text()
    assert "Zakład Świętokrzyski" in text and "Klaster Łódzki" in text
    assert certificate.code in text and "15 Mar 2022" in text


def test_the_public_check_of_a_code(client, world):
    grant = world.grants["lodz"]
    certificate = services.status_certificate(grant=grant, by=None)
    response = client.get(f"/api/v1/certificates/{certificate.code}")
    answer = response.json()
    assert answer["genuine"] is True
    assert (answer["kind"], answer["subject"]) == ("status", "Klaster Łódzki")
    assert answer["certifies"]["status"]["valid_to"] == "2024-12-31"
    today = dt.date.today()
    expected = dt.date(2021, 12, 20) <= today <= dt.date(2024, 12, 31)
    assert answer["status_valid_today"] is expected
    services.withdraw_status(grant=grant, withdrawn_on=dt.date(2022, 1, 1), reason="x", by=None)
    answer = client.get(f"/api/v1/certificates/{certificate.code}").json()
    assert (answer["status_valid_today"], answer["status_state_today"], answer["withdrawn_on"]) == (
        False, "withdrawn", "2022-01-01",
    )  # fmt: skip
    page = client.get(f"/statuses/certificates/{certificate.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Klaster Łódzki" in html and "<svg" in html
    assert "Status został cofnięty 01.01.2022." in html

    assert client.get("/api/v1/certificates/not-a-code").json() == {
        "genuine": False, "code": None, "kind": None, "subject": None, "issued_on": None,
        "certifies": None, "status_valid_today": None, "status_state_today": None,
        "withdrawn_on": None, "state": "unknown", "expired_on": None, "issuer": None,
    }  # fmt: skip
    assert client.get("/statuses/certificates/not-a-code/").status_code == 404
