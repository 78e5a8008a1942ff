"""Anyone checks a certificate by its code (issue #13, docs/verification.md): from the link in the
navigation, typing the code printed on the certificate. A code that is not one is refused with
its reason, an unknown code is not genuine, a valid status says so, an expired one says when it
expired; the certificate's own page (where its QR code leads) says the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation

from keyclusters.statuses import services
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import axe  # noqa: F401  (axe-core on every page)
from tests.factories import ClusterFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)
ISSUER = "Ministerstwo Rozwoju i Technologii"


def _certificate(name: str, nip: str, valid_from: dt.date, valid_to: dt.date):
    cluster = ClusterFactory(
        name=name,
        coordinator=OrganisationFactory(name=f"Koordynator {name}", nip=nip),
        founded_on=dt.date(2010, 1, 1),
    )
    grant = services.grant_status(
        cluster=cluster,
        round_label=str(valid_from.year),
        decision_on=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        by=None,
    )
    return services.status_certificate(grant=grant, by=None)


def check(page, code: str) -> None:
    page.fill("#id_code", code)
    page.locator("#certificate-check-form button[type=submit]").click()
    page.wait_for_load_state()


def test_anyone_checks_a_certificate_by_its_code(page, live_server, axe, settings):  # noqa: F811
    settings.CERTIFICATE_ISSUER = ISSUER
    valid = _certificate(
        "Klaster Mazowiecki", "7251801126", dt.date(2020, 1, 1), dt.date(2099, 12, 31)
    )
    expired = _certificate(
        "Klaster Pomorski", "5260250995", dt.date(2015, 1, 1), dt.date(2017, 12, 31)
    )
    with translation.override("pl"):
        issued = formats.date_format(valid.issued_on, "SHORT_DATE_FORMAT")
        expired_on = formats.date_format(dt.date(2017, 12, 31), "SHORT_DATE_FORMAT")
    assert expired_on == "31.12.2017"
    base = live_server.url

    page.goto(f"{base}/")
    page.locator("nav a[href='/statuses/check-certificate/']").first.click()
    page.wait_for_url(f"{base}/statuses/check-certificate/")
    assert page.locator("h1").inner_text() == "Sprawdź zaświadczenie"
    axe()

    # not a code at all: the field says what a code looks like
    check(page, "to-nie-jest-kod!")
    assert page.locator("#id_code_error").inner_text() == (
        "To nie jest kod zaświadczenia: kod składa się z 24 liter, cyfr, łączników i "
        "podkreślników i jest wydrukowany pod kodem QR zaświadczenia."
    )
    assert page.locator("#certificate-result").count() == 0
    axe()

    # a code no certificate has: not genuine
    check(page, "nieznanyKod123")
    result = page.locator("#certificate-result")
    assert result.get_attribute("data-state") == "unknown"
    assert result.inner_text() == (
        "Żadne zaświadczenie nie ma kodu nieznanyKod123: zaświadczenie nie jest autentyczne."
    )
    axe()

    # the code of a status valid today
    check(page, valid.code)
    assert result.get_attribute("data-state") == "valid"
    assert result.inner_text() == (
        f"To zaświadczenie jest autentyczne. Zostało wydane {issued}. "
        "Zaświadczenie jest ważne: poświadczany w nim status jest dziś ważny."
    )
    details = page.locator("main dl").inner_text()
    assert "Klaster Mazowiecki" in details
    assert "Runda 2020, ważny 01.01.2020 – 31.12.2099" in details
    assert "Status jest dziś ważny." in details
    assert page.locator("#certificate-issuer").inner_text() == ISSUER
    axe()
    screenshot(page, "public-certificate-check")

    # the code of a status that has expired: genuine, but no longer valid, and since when
    check(page, expired.code)
    assert result.get_attribute("data-state") == "expired"
    assert result.inner_text() == (
        f"To zaświadczenie jest autentyczne. Zostało wydane {issued}. "
        f"Zaświadczenie nie jest już ważne: poświadczany w nim status wygasł {expired_on}."
    )
    details = page.locator("main dl").inner_text()
    assert "Klaster Pomorski" in details
    assert "Runda 2015, ważny 01.01.2015 – 31.12.2017" in details
    assert f"Status wygasł {expired_on}." in details
    axe()

    # the certificate's page, where the QR code printed on it leads, says the same
    page.get_by_role("link", name="Strona zaświadczenia").click()
    page.wait_for_url(f"{base}/statuses/certificates/{expired.code}/")
    assert page.locator("#certificate-result").get_attribute("data-state") == "expired"
    assert page.locator("#certificate-state").inner_text() == (
        f"Zaświadczenie nie jest już ważne: poświadczany w nim status wygasł {expired_on}."
    )
    axe()

    # the address under the QR code, pasted into the check, is read as the code
    page.goto(f"{base}/statuses/check-certificate/")
    check(page, f"{base}/statuses/certificates/{valid.code}/")
    assert page.locator("#certificate-result").get_attribute("data-state") == "valid"
    axe()
