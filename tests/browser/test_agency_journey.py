"""A funding agency's journey (docs/verification.md): it uploads a file of NIPs with one invalid
NIP and gets every row answered (that one marked invalid with its reason, the others with the
organisation's name); then anyone checks a certificate by typing its code."""

import csv
import datetime as dt
import io

import pytest

from keyclusters.registry.models import Membership
from keyclusters.statuses import services
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agency_verifies_a_file_and_anyone_checks_a_certificate(page, live_server, tmp_path):
    coordinator = OrganisationFactory(name="Fundacja Klastrowa", nip="7251801126")
    cluster = ClusterFactory(
        name="Klaster Mazowiecki", coordinator=coordinator, founded_on=dt.date(2012, 1, 1)
    )
    grant = services.grant_status(
        cluster=cluster, round_label="V", decision_on=dt.date(2020, 1, 1),
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 12, 31), by=None,
    )  # fmt: skip
    firm = OrganisationFactory(name="Spółka Członkowska", nip="5260250995")
    Membership.objects.create(cluster=cluster, organisation=firm, joined_on=dt.date(2020, 2, 1))
    UserFactory(username="agencja", roles=["funding-agency"])
    certificate = services.status_certificate(grant=grant, by=None)

    base = live_server.url
    log_in(page, base, "agencja")
    page.goto(f"{base}/statuses/verify/")
    nips = tmp_path / "nips.csv"
    nips.write_text("nip\n526-025-09-95\n526-025-09-96\n2860913907\n", encoding="utf-8")
    page.set_input_files("#id_file", str(nips))
    assert page.locator("#file-rows-help").count() == 1
    screenshot(page, "funding-agency-bulk-file")
    with page.expect_download() as download:
        page.locator("form:has(#id_file) button[type=submit]").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0][-3:] == ["organisation", "valid", "error"]
    answers = [(row[0], row[2], row[-3], row[-2]) for row in rows[1:]]
    assert answers == [
        ("5260250995", "yes", "Spółka Członkowska", "yes"),
        ("526-025-09-96", "", "", "no"),
        ("2860913907", "no", "", "yes"),
    ]
    assert "526-025-09-96" in rows[2][-1] and rows[2][-1] != ""  # the reason, in words
    log_out(page)

    page.goto(f"{base}/")
    page.locator("nav a[href='/statuses/check-certificate/']").first.click()
    page.fill("#id_code", "to-nie-jest-kod!")
    page.locator("#certificate-check-form button[type=submit]").click()
    assert page.locator("#id_code_error").count() == 1
    page.fill("#id_code", "nieznanyKod123")
    page.locator("#certificate-check-form button[type=submit]").click()
    assert page.locator("#certificate-result").get_attribute("data-state") == "unknown"
    page.fill("#id_code", certificate.code)
    page.locator("#certificate-check-form button[type=submit]").click()
    assert page.locator("#certificate-result").get_attribute("data-state") == "valid"
    assert "Klaster Mazowiecki" in page.locator("main").inner_text()
    assert page.locator("#certificate-issuer").inner_text() == services.certificate_issuer()
    screenshot(page, "public-certificate-check")
