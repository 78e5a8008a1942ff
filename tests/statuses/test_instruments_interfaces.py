"""Funding instruments in the API, the CLI, the agency's page and the membership certificate;
stored versions of the catalogue."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from keyclusters.statuses import instruments, services
from keyclusters.statuses.models import Certificate, InstrumentCatalogue
from tests.factories import UserFactory
from tests.statuses.test_instruments import ON, SHA, registry  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    instruments.forget()  # the process's copy of the catalogue: none stored before a test
    yield
    instruments.forget()


def api(client, key, **params):
    return client.get("/api/v1/verification", params, headers={"X-API-Key": key})


def test_the_api_with_an_instrument(client, api_key, registry):  # noqa: F811
    response = api(client, api_key, nip=registry.five, on=ON.isoformat(),
                   instrument="voucher-tie-break")  # fmt: skip
    assert response.status_code == 200
    answer = response.json()
    assert answer["instrument"] == {"id": "voucher-tie-break", "version": 1, "sha256": SHA}
    assert (answer["eligible"], answer["reason"]) == (False, "membership-too-short")
    assert answer["evaluated"]["months"] == 5
    plain = api(client, api_key, nip=registry.five, on=ON.isoformat()).json()
    assert "instrument" not in plain and "eligible" not in plain
    assert plain["memberships"][0]["status_type"] == "kkk"


def test_an_unknown_instrument_is_a_422_naming_it(client, api_key, registry):  # noqa: F811
    with translation.override("en"):
        response = api(client, api_key, nip=registry.five, instrument="tax-relief")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["type"] == "unknown_instrument"
    assert detail[0]["loc"] == ["query", "instrument"]
    # the API answers in the site's language (Polish)
    assert detail[0]["msg"].startswith("Katalog nie zawiera instrumentu wsparcia „tax-relief”")
    bulk = client.post("/api/v1/verification/bulk",
                       {"nips": [registry.five], "instrument": "tax-relief"},
                       content_type="application/json", headers={"X-API-Key": api_key})  # fmt: skip
    assert bulk.status_code == 422
    assert bulk.json()["detail"][0]["loc"] == ["body", "payload", "instrument"]


def test_bulk_with_an_instrument(client, api_key, registry):  # noqa: F811
    response = client.post(
        "/api/v1/verification/bulk",
        {"on": ON.isoformat(), "nips": [registry.six, registry.five, "123"],
         "instrument": "voucher-tie-break"},
        content_type="application/json", headers={"X-API-Key": api_key},
    )  # fmt: skip
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r.get("eligible"), r.get("reason")) for r in results] == [
        (True, None), (False, "membership-too-short"), (None, None),
    ]  # fmt: skip
    assert results[0]["instrument"]["sha256"] == SHA


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        try:
            call_command("verify", *args, stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_cli_with_an_instrument(registry):  # noqa: F811
    code, out, err = run(registry.six, "--on", ON.isoformat(), "--instrument", "voucher-tie-break")
    assert (code, err) == (0, "")
    assert out.strip() == (
        "5261040828: eligible for Tie-break in the voucher call on 1 Jun 2024: member since "
        "1 Dec 2023, 6 months (at least 6 required) in Klaster Kluczowy (key cluster status)"
    )
    code, out, _err = run(registry.five, "--on", ON.isoformat(), "--instrument",
                          "voucher-tie-break", "--json")  # fmt: skip
    assert code == 1
    answer = json.loads(out)
    assert (answer["eligible"], answer["reason"]) == (False, "membership-too-short")
    assert answer["instrument"] == {"id": "voucher-tie-break", "version": 1, "sha256": SHA}
    code, out, err = run(registry.six, "--instrument", "tax-relief")
    assert (code, out) == (2, "")
    assert err.startswith('--instrument: The catalogue has no funding instrument "tax-relief"')


def test_the_agency_page(client, registry):  # noqa: F811
    client.force_login(UserFactory(roles=["funding-agency"]))
    page = client.get(reverse("statuses:verify")).content.decode()
    assert '<option value="voucher-tie-break">' in page
    with translation.override("en"):
        response = client.post(
            reverse("statuses:verify"),
            {"action": "one", "nip": registry.five, "on": ON.isoformat(),
             "instrument": "voucher-tie-break"},
            HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-eligible="no"' in content
    assert "5 of 6 months" in content
    assert "membership-too-short" not in content
    refused = client.post(
        reverse("statuses:verify"),
        {"action": "one", "nip": registry.five, "instrument": "tax-relief"},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "instrument-answer" not in refused.content.decode()


def test_a_membership_certificate_for_an_instrument(client, registry):  # noqa: F811
    issued = services.membership_certificate(
        nip=registry.six, on=ON, by=None, instrument="voucher-tie-break"
    )
    assert issued.payload["instrument"] == {"id": "voucher-tie-break", "version": 1,
                                            "sha256": SHA}  # fmt: skip
    assert issued.payload["eligible"] is True
    assert issued.payload["instrument_title"]["en"] == "Tie-break in the voucher call"
    with translation.override("en"):
        page = client.get(
            reverse("statuses:certificate", args=[issued.code]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert 'id="certificate-instrument"' in page
    with pytest.raises(ValidationError) as refused:
        services.membership_certificate(
            nip=registry.five, on=ON, by=None, instrument="voucher-tie-break"
        )
    assert "5 z wymaganych 6 miesięcy" in refused.value.message_dict["instrument"][0]
    assert Certificate.objects.count() == 1


def test_a_certificate_for_a_growth_clusters_coordinator_under_an_instrument_admitting_it(
    client,
    registry,  # noqa: F811
):
    """The instrument's terms decide: the coordinator of a supra-regional growth cluster is no
    key-cluster member, yet meets the terms of an instrument that admits that status type."""
    issued = services.membership_certificate(
        nip=registry.growth_coordinator, on=ON, by=None, instrument="coordinators-2023"
    )
    assert (issued.payload["eligible"], issued.payload["key_cluster_member"]) == (True, False)
    assert issued.payload["evaluated"]["status_type"] == "pkw"
    assert issued.subject == "Koordynator Wzrostu (NIP 6260181591)"
    page = client.get(reverse("statuses:certificate", args=[issued.code]))
    assert page.status_code == 200 and "Koordynator Wzrostu" in page.content.decode()
    # without an instrument the certificate states a key cluster membership: refused
    with pytest.raises(ValidationError) as refused:
        services.membership_certificate(nip=registry.growth_coordinator, on=ON, by=None)
    assert list(refused.value.message_dict) == ["nip"]
    # an instrument whose terms it does not meet: refused with the reason
    with pytest.raises(ValidationError) as unmet:
        services.membership_certificate(
            nip=registry.growth_coordinator, on=ON, by=None, instrument="internationalisation"
        )
    assert list(unmet.value.message_dict) == ["instrument"]
    assert Certificate.objects.count() == 1


def test_storing_catalogue_versions(db):
    text = instruments.terms.shipped_catalogue_path().read_text(encoding="utf-8")
    assert instruments.current().version == 1  # the shipped file, none stored
    first = services_store(text)
    assert (first.version, first.sha256) == (1, SHA)
    assert services_store(text).pk == first.pk  # the same text is not stored again
    with pytest.raises(ValidationError) as refused:
        services_store(text.replace("min_months: 6", "min_months: 7"))
    assert refused.value.message_dict == {
        "version": ["version: must be greater than 1, the newest stored version"]
    }
    second = services_store(
        text.replace("version: 1", "version: 2").replace("min_months: 6", "min_months: 7")
    )
    assert second.version == 2
    instruments.forget()
    assert instruments.choose("voucher-tie-break").instrument.min_months == 7
    assert instruments.choose("voucher-tie-break").sha256 == second.sha256
    with pytest.raises(ValidationError) as invalid:
        services_store(
            text.replace("version: 1", "version: 3").replace("min_months: 6", "min_months: -6")
        )
    assert invalid.value.message_dict == {
        "source": ["instruments[2].min_months: must be an integer ≥ 0"]
    }
    assert InstrumentCatalogue.objects.count() == 2


def services_store(text):
    with translation.override("en"):
        return instruments.store_catalogue(source=text, by=None)


def test_a_growth_clusters_member_is_told_which_status_its_cluster_holds(client, registry):  # noqa: F811
    """Not a key-cluster member, yet a member of a cluster holding another status: the page and
    the CLI say so, naming the status type, instead of hiding the membership."""
    code, out, _err = run(registry.growth_member, "--on", ON.isoformat())
    assert code == 1
    assert out.strip() == (
        "9542583988: not a key-cluster member on 1 Jun 2024; memberships in "
        "clusters holding another status: Klaster Wzrostowy (Member, 1 Jan 2020: joined on "
        "1 Jan 2020; supra-regional growth cluster status)"
    )
    client.force_login(UserFactory(roles=["funding-agency"]))
    with translation.override("en"):
        page = client.post(
            reverse("statuses:verify"),
            {"action": "one", "nip": registry.growth_member, "on": ON.isoformat()},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
    assert "9542583988 is not a key-cluster member on 1 Jun 2024." in page
    assert "Its memberships in clusters holding another status:" in page
    listed = page.split('id="verification-memberships">', 1)[1].split("</ul>", 1)[0]
    assert "Klaster Wzrostowy" in listed
    assert "<span data-status-type>supra-regional growth cluster status</span>" in listed
    assert "pkw" not in listed


def test_the_agency_pages_file_with_an_instrument(client, registry):  # noqa: F811
    """The file of NIPs answers the instrument too: its id, version and hash, eligible and the
    reason code in the documented columns; the reason in words in the spreadsheet variant."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory(roles=["funding-agency"]))
    body = f"nip\n{registry.six}\n{registry.five}\n123\n".encode()
    page = client.get(reverse("statuses:verify")).content.decode()
    assert page.count('id="id_on"') == 1 and page.count('id="file_on"') == 1  # ids differ
    response = client.post(
        reverse("statuses:verify"),
        {"action": "file", "file": SimpleUploadedFile("nips.csv", body),
         "on": ON.isoformat(), "instrument": "voucher-tie-break", "format": "csv"},
    )  # fmt: skip
    lines = response.content.decode().splitlines()
    assert lines[0].endswith(
        ",error,instrument,instrument_version,instrument_sha256,eligible,reason"
    )
    assert lines[1].endswith(f",yes,,voucher-tie-break,1,{SHA},yes,")
    assert lines[2].endswith(f",yes,,voucher-tie-break,1,{SHA},no,membership-too-short")
    assert lines[3].startswith("123,,,,,,,,,no,") and lines[3].endswith("),,,,,")
    with translation.override("en"):
        spreadsheet = client.post(
            reverse("statuses:verify"),
            {"action": "file", "file": SimpleUploadedFile("nips.csv", body),
             "on": ON.isoformat(), "instrument": "voucher-tie-break",
             "format": "spreadsheet-csv"},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode("utf-8-sig").splitlines()  # fmt: skip
    assert spreadsheet[0].endswith(",Funding instrument,Eligible,Why")
    assert spreadsheet[2].endswith(
        ',Tie-break in the voucher call,no,"member since 2 Dec 2023, 5 of 6 months"'
    )
    without = client.post(
        reverse("statuses:verify"),
        {"action": "file", "file": SimpleUploadedFile("nips.csv", body),
         "on": ON.isoformat(), "format": "csv"},
    ).content.decode().splitlines()  # fmt: skip
    assert without[0].endswith(",valid,error")  # the documented columns, unchanged


def test_the_catalogue_page_and_the_answers_say_what_is_illustrative(client, registry):  # noqa: F811
    """The public catalogue page lists each instrument's terms in words, the illustrative ones
    marked; an answer and a certificate say which date the instrument refers to and which of
    its terms are illustrative."""
    with translation.override("en"):
        page = client.get(reverse("statuses:instruments"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    table = page.content.decode().split('data-instrument="voucher-tie-break"', 1)[1]
    table = table.split("</table>", 1)[0]
    rows = [
        (
            row.split("<th", 1)[1].split(">", 1)[1].split("</th>", 1)[0],
            "illustrative" in row,
        )
        for row in table.split("<tr>")[1:]
    ]
    assert rows == [
        ("The benefit", False),
        ("Who benefits", False),
        ("The status types that count", False),
        ("The reference date", True),
        ("The minimum months of membership", False),
        ("Whether the status must have been held throughout", True),
    ]
    assert "6 months" in table and "the date the application was submitted" in table
    assert "voucher-tie-break<" not in page.content.decode()  # the id only as an attribute
    notes = [
        "The instrument refers to the date the application was submitted: the answer is for "
        "the date asked about.",
        "Illustrative, not stated by the public sources: the reference date; whether the status "
        "must have been held throughout.",
    ]
    with translation.override("en"):
        answer = instruments.evaluate(registry.six, on=ON, instrument_id="voucher-tie-break")
        assert instruments.notes(answer) == notes
        issued = services.membership_certificate(
            nip=registry.six, on=ON, by=None, instrument="voucher-tie-break"
        )
        assert issued.payload["instrument_terms"] == {
            "reference_date": "submission",
            "illustrative": ["reference_date", "held_throughout"],
        }
        assert instruments.notes(issued.payload) == notes
        shown = client.get(
            reverse("statuses:certificate", args=[issued.code]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert all(note.replace("'", "&#x27;") in shown for note in notes)
    assert "Meets the terms of Tie-break in the voucher call. Member since" in " ".join(
        shown.split()
    )
