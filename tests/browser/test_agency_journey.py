"""A funding agency's journey (issue #13, docs/verification.md): from the navigation it opens the
verification, uploads a file of NIPs with one invalid NIP and downloads every row answered: the
invalid one marked invalid with its reason, the others with the organisation's name and whether
it belongs to a key cluster. (Checking a certificate by its code: test_certificate_check_journey.)
"""

import csv
import datetime as dt
import io

import pytest

from keyclusters.registry.models import Membership
from keyclusters.statuses import selectors, services
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401  (axe-core on every page)
from tests.factories import ClusterFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = [
    "nip", "on", "key_cluster_member", "key_cluster_coordinator", "clusters", "member_since",
    "member_since_basis", "contested", "organisation", "valid", "error",
]  # fmt: skip


def test_an_agency_verifies_a_file_with_one_invalid_nip(page, live_server, axe, tmp_path):  # noqa: F811
    coordinator = OrganisationFactory(name="Fundacja Klastrowa", nip="7251801126")
    cluster = ClusterFactory(
        name="Klaster Mazowiecki", coordinator=coordinator, founded_on=dt.date(2012, 1, 1)
    )
    services.grant_status(
        cluster=cluster, round_label="V", decision_on=dt.date(2020, 1, 1),
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 12, 31), by=None,
    )  # fmt: skip
    firm = OrganisationFactory(name="Spółka Członkowska", nip="5260250995")
    Membership.objects.create(cluster=cluster, organisation=firm, joined_on=dt.date(2020, 2, 1))
    OrganisationFactory(name="Hurtownia Niezrzeszona", nip="2860913907")
    UserFactory(username="agencja", roles=["funding-agency"])
    today = selectors.today().isoformat()

    base = live_server.url
    log_in(page, base, "agencja")
    page.locator("nav a[href='/statuses/verify/']").first.click()
    page.wait_for_url(f"{base}/statuses/verify/")
    axe()
    nips = tmp_path / "nips.csv"
    nips.write_text("nip\n526-025-09-95\n526-025-09-96\n7251801126\n2860913907\n", encoding="utf-8")
    page.set_input_files("#file_file", str(nips))
    assert page.locator("#file-rows-help").inner_text() == (
        "Pobrany plik zawiera odpowiedź dla każdego wiersza, wraz z nazwą organizacji, jeśli "
        "figuruje ona w rejestrze. Wiersz z nieprawidłowym numerem NIP jest oznaczony jako "
        "nieprawidłowy (kolumna valid: no), a przyczyna jest podana w kolumnie error; pozostałe "
        "wiersze otrzymują odpowiedź jak zwykle."
    )
    axe()
    screenshot(page, "funding-agency-bulk-file")
    with page.expect_download() as download:
        page.locator("form:has(#file_file) button[type=submit]").click()
    assert download.value.suggested_filename == f"verification-{today}.csv"
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0] == COLUMNS
    answers = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    # every row answered, in the file's order
    assert [a["nip"] for a in answers] == [
        "5260250995",
        "526-025-09-96",
        "7251801126",
        "2860913907",
    ]
    # the invalid row: marked invalid, with its reason in words, nothing else claimed
    assert answers[1] == {
        **dict.fromkeys(COLUMNS, ""),
        "nip": "526-025-09-96",
        "valid": "no",
        "error": "„526-025-09-96” nie jest poprawnym numerem NIP (suma kontrolna)",
    }
    # the others: valid, with the organisation's name and the answer about key clusters
    valid = [answers[0], answers[2], answers[3]]
    assert [(a["organisation"], a["valid"], a["error"], a["on"]) for a in valid] == [
        ("Spółka Członkowska", "yes", "", today),
        ("Fundacja Klastrowa", "yes", "", today),
        ("Hurtownia Niezrzeszona", "yes", "", today),
    ]
    assert [
        (a["key_cluster_member"], a["key_cluster_coordinator"], a["clusters"], a["member_since"])
        for a in valid
    ] == [
        ("yes", "no", "Klaster Mazowiecki", "2020-02-01"),
        ("yes", "yes", "Klaster Mazowiecki", "2012-01-01"),
        ("no", "no", "", ""),
    ]
    # the page stays as it was, ready for the next file
    assert page.url == f"{base}/statuses/verify/"
    assert page.locator("#file-errors").count() == 0
